/**
 * The parser built from the one definition: options by long name with defaults, conventional short letters,
 * old long names still accepted, typos suggested, usage errors on one line with exit 2, -V, help CMD.
 * Parse-only checks use `parsed` (nothing runs); `run` is used for commands that are safe to run here.
 */
import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { withCommand } from '../../src/cli/main.js';
import { parse, parsed, run } from './_run.js';

const FIXTURE = 'fixtures/firewall-reject-hostprohib.pcap';

describe('options by long name, defaults applied', () => {
  it('probe: -c count, -t timeout, -o version, -n numeric, -4; defaults otherwise', () => {
    const p = parsed(['probe', '-c', '3', '-n', '-t', '0.5', '-o', '3', '-4', 'ntp.example']);
    expect(p.spec.name).toBe('probe');
    expect(p.args).toEqual(['ntp.example']);
    expect(p.opts).toMatchObject({ count: 3, timeout: 0.5, 'ntp-version': 3, numeric: true, ipv4: true, ipv6: false, interval: 2 });
    expect(parsed(['probe', 'h']).opts).toMatchObject({ count: 4, timeout: 1, interval: 2, 'ntp-version': 4, numeric: false, json: false });
  });

  it('-n is numeric, never the sample count any more: `probe -n host` probes host', () => {
    const p = parsed(['probe', '-n', 'ntp.example']);
    expect(p.args).toEqual(['ntp.example']);
    expect(p.opts.numeric).toBe(true);
    expect(p.opts.count).toBe(4);
  });

  it('keeps the old long option --samples as --count', () => {
    expect(parsed(['probe', '--samples', '7', 'h']).opts.count).toBe(7);
    expect(parsed(['probe', '--samples=2', 'h']).opts.count).toBe(2);
  });

  it('repeatable options collect lists; no-x flags read as x given', () => {
    const d = parsed(['diagnose', '-s', 'a', '--server', 'b:123', '-c', '/x.conf', '--no-probe']);
    expect(d.opts).toMatchObject({ server: ['a', 'b:123'], config: ['/x.conf'], 'no-probe': true, plain: false });
    expect(parsed(['trace', 'h', '--no-mode6']).opts).toMatchObject({ 'no-mode6': true, 'max-hops': 8, deadline: 20 });
    expect(parsed(['trace', 'h']).opts['hop-timeout']).toBeUndefined();
    expect(parsed(['serve', '--listen', '127.0.0.1:1123', '--fault', 'unsync', '--fault', 'drop:0.5']).opts).toMatchObject({
      listen: ['127.0.0.1:1123'],
      fault: ['unsync', 'drop:0.5'],
    });
  });

  it('- is a positional (stdin); -- ends the options', () => {
    expect(parsed(['analyze', '-', '--json']).args).toEqual(['-']);
    expect(parsed(['analyze', '--', '--json']).args).toEqual(['--json']);
    expect(parsed(['analyze', '--', '--json']).opts.json).toBe(false);
  });

  it('--color / --no-color on every command, also before the command name', () => {
    expect(parsed(['analyze', 'x', '--color=always']).opts).toMatchObject({ color: 'always', 'no-color': false });
    expect(parsed(['analyze', 'x', '--no-color']).opts).toMatchObject({ 'no-color': true, color: 'auto' });
    expect(parsed(['--color', 'never', 'lint', 'f']).opts.color).toBe('never');
    expect(parsed(['--no-color', 'analyze', 'x']).spec.name).toBe('analyze');
    expect(withCommand(['--color=never', 'analyze', 'x'])).toEqual(['analyze', '--color=never', 'x']);
  });

  it('no command, or options first: diagnose', () => {
    expect(withCommand([])).toEqual(['diagnose']);
    expect(withCommand(['--json', '--no-probe'])).toEqual(['diagnose', '--json', '--no-probe']);
    expect(parsed(['--no-probe', '--json']).spec.name).toBe('diagnose');
    expect(withCommand(['--help'])).toEqual(['--help']);
    expect(withCommand(['-V'])).toEqual(['-V']);
  });
});

describe('ranges and choices come from the definition', () => {
  it.each([
    [['probe', '-c', '0', 'h'], /'-c, --count N' argument '0' is invalid\. Want 1\.\.64\./],
    [['probe', '-c', '65', 'h'], /Want 1\.\.64/],
    [['probe', '-c', '1.5', 'h'], /Not a whole number/],
    [['probe', '-t', '0', 'h'], /Want in \(0, 60\]/],
    [['probe', '-o', '2', 'h'], /Want 3\.\.4/],
    [['trace', 'h', '--hop-timeout', '0.1'], /Want in \[0\.2, 600\]/],
    [['trace', 'h', '--max-hops', '33'], /Want 1\.\.32/],
    [['diagnose', '--capture', '0'], /Want in \(0, 3600\]/],
    [['analyze', 'x', '--threads', '0'], /Want 1\.\.64/],
    [['serve', '--stratum', '17'], /Want 1\.\.16/],
    [['capture', '--backend', 'pf'], /Allowed choices are auto, cap, tcpdump/],
    [['lint', 'f', '--flavor', 'openntpd'], /Allowed choices are ntpd, chrony/],
    [['analyze', 'x', '--color', 'sometimes'], /Allowed choices are auto, always, never/],
    [['probe', '-4', '-6', 'h'], /'-4, --ipv4' cannot be used with option '-6, --ipv6'/],
    [['completion', 'fish'], /Allowed choices are bash, zsh/],
  ])('%j is refused before anything runs', (argv, message) => {
    const r = parse(argv);
    expect(r).toBeInstanceOf(CommanderError);
    expect((r as CommanderError).message).toMatch(message);
  });
});

describe('usage errors: one line on stderr, exit 2, a suggestion for typos', () => {
  it.each([
    [['analze', FIXTURE], "ntpdoctor: unknown command 'analze' (did you mean analyze?) (see ntpdoctor --help)\n"],
    [['help', 'analze'], "ntpdoctor: unknown command 'analze' (did you mean analyze?) (see ntpdoctor --help)\n"],
    [['analyze', FIXTURE, '--jsn'], "ntpdoctor: unknown option '--jsn' (did you mean --json?) (see ntpdoctor analyze --help)\n"],
    [['lint', 'f', '--flavour', 'ntpd'], "ntpdoctor: unknown option '--flavour' (did you mean --flavor?) (see ntpdoctor lint --help)\n"],
    [['analyze'], "ntpdoctor: missing required argument 'FILE' (see ntpdoctor analyze --help)\n"],
    [['analyze', FIXTURE, '--threads'], "ntpdoctor: option '--threads N' argument missing (see ntpdoctor analyze --help)\n"],
  ])('%j', async (argv, line) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toBe(line);
  });
});

describe('version and help', () => {
  it.each([['-V'], ['--version']])('%s prints the version on stdout, exit 0', async (flag) => {
    expect(await run([flag])).toEqual({ code: 0, out: 'ntpdoctor 0.1.0\n', err: '' });
  });

  it('`help CMD` prints what `CMD --help` prints', async () => {
    for (const name of ['analyze', 'probe', 'serve', 'lint']) {
      const a = await run(['help', name]);
      const b = await run([name, '--help']);
      const c = await run([name, '-h']);
      expect(a.code).toBe(0);
      expect(a.out).toBe(b.out);
      expect(c.out).toBe(b.out);
      expect(a.out).toMatch(new RegExp(`^Usage: ntpdoctor ${name} `));
    }
    const top = await run(['help']);
    expect(top.out).toBe((await run(['--help'])).out);
  });

  it('help is as wide as the terminal (80 columns when not a terminal, 40 at least)', async () => {
    const lines = (r: string) => r.split('\n').map((l) => l.length);
    expect(Math.max(...lines((await run(['probe', '--help'])).out))).toBeLessThanOrEqual(80);
    expect(Math.max(...lines((await run(['probe', '--help'], { columns: 60 })).out))).toBeLessThanOrEqual(60);
    expect(Math.max(...lines((await run(['probe', '--help'], { columns: 120 })).out))).toBeGreaterThan(80);
  });
});
