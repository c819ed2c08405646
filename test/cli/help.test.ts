/**
 * Every command's `--help` is generated from the one definition: a snapshot per command (review a change in
 * test/cli/__snapshots__/help/*.txt), and a check that each option's flags and its whole description (range,
 * choices, default) are in the help text.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS, COMMON_OPTIONS, VERSION } from '../../src/cli/definition.js';
import { optionFlags, optionText } from '../../src/cli/spec.js';
import { PROBE_DEFAULTS } from '../../src/run/probe.js';
import { DEFAULT_TRACE_DEADLINE } from '../../src/probe/trace-budget.js';
import { DEFAULT_LISTEN, DEFAULT_REFID_TEXT, DEFAULT_STRATUM } from '../../src/serve/options.js';
import { DEFAULT_RATE_LIMIT } from '../../src/serve/ratelimit.js';
import { run } from './_run.js';

const visible = COMMANDS.filter((c) => !c.hidden);
const squash = (s: string) => s.replace(/\s+/g, ' ');

describe('--help of every command', () => {
  it('the program help (snapshot) lists every visible command, and not the hidden ones', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    await expect(r.out).toMatchFileSnapshot('__snapshots__/help/ntpdoctor.txt');
    for (const c of visible) expect(r.out).toMatch(new RegExp(`^  ${c.name}\\b`, 'm'));
    for (const c of COMMANDS.filter((x) => x.hidden)) expect(r.out).not.toMatch(new RegExp(`^  ${c.name}\\b`, 'm'));
  });

  it.each(COMMANDS.map((c) => [c.name]))('%s --help (snapshot), with every option, range and default', async (name) => {
    const spec = COMMANDS.find((c) => c.name === name)!;
    const r = await run([name, '--help']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    await expect(r.out).toMatchFileSnapshot(`__snapshots__/help/${name}.txt`);
    const text = squash(r.out);
    for (const o of [...spec.options, ...COMMON_OPTIONS]) {
      expect(text).toContain(optionFlags(o));
      expect(text).toContain(squash(optionText(o)));
      for (const alias of o.aliases ?? []) expect(text).not.toContain(`--${alias}`);
    }
  });
});

describe('the definition itself', () => {
  it('has the version package.json has', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });

  it('states the defaults the code applies (help cannot promise one thing while the core does another)', () => {
    const opt = (cmd: string, long: string) => COMMANDS.find((c) => c.name === cmd)!.options.find((o) => o.long === long)!;
    expect(opt('probe', 'count').default).toBe(PROBE_DEFAULTS.samples);
    expect(opt('probe', 'timeout').default).toBe(PROBE_DEFAULTS.timeout);
    expect(opt('probe', 'interval').default).toBe(PROBE_DEFAULTS.interval);
    expect(opt('trace', 'deadline').default).toBe(DEFAULT_TRACE_DEADLINE);
    expect(opt('serve', 'stratum').defaultText).toMatch(new RegExp(`^${DEFAULT_STRATUM},`));
    expect(opt('serve', 'refid').defaultText).toMatch(new RegExp(`^${DEFAULT_REFID_TEXT.replace(/\./g, '\\.')},`));
    const r = DEFAULT_RATE_LIMIT;
    expect(opt('serve', 'rate-limit').defaultText).toBe(`${r.burst}/${r.interval}/${r.leak}`);
    expect(opt('serve', 'listen').defaultText).toBe(DEFAULT_LISTEN.map((l) => (l.address.includes(':') ? `[${l.address}]:${l.port}` : `${l.address}:${l.port}`)).join(' and '));
  });

  it('uses each short letter and long name once per command, and says something about each option', () => {
    for (const c of COMMANDS) {
      const all = [...c.options, ...COMMON_OPTIONS];
      const shorts = all.flatMap((o) => (o.short ? [o.short] : []));
      const longs = all.flatMap((o) => [o.long, ...(o.aliases ?? [])]);
      expect(new Set(shorts).size, c.name).toBe(shorts.length);
      expect(new Set(longs).size, c.name).toBe(longs.length);
      for (const o of all) expect(o.help.length, `${c.name} --${o.long}`).toBeGreaterThan(10);
    }
  });

  it('gives -n numeric, -4/-6 and -c count the meaning NTP tools give them, wherever they appear', () => {
    for (const c of COMMANDS) {
      for (const o of c.options) {
        if (o.short === 'n') expect(o.long).toBe('numeric');
        if (o.short === '4') expect(o.long).toBe('ipv4');
        if (o.short === '6') expect(o.long).toBe('ipv6');
        // -c is a count (ping, ntpdate -p) or ntpd's -c config file, nothing else.
        if (o.short === 'c') expect(['count', 'config']).toContain(o.long);
      }
    }
    for (const name of ['probe', 'trace', 'diagnose', 'serve']) {
      const longs = COMMANDS.find((c) => c.name === name)!.options.map((o) => o.long);
      expect(longs, name).toEqual(expect.arrayContaining(['ipv4', 'ipv6']));
    }
  });
});
