/**
 * `ntpdoctor capture` as a user meets it (the built dist/cli.js): usage errors in one line, the fallback to
 * tcpdump when cap is missing, one line with what to do when the process may not capture, and Ctrl-C ending a
 * capture that still reports (and leaves a whole --write file). Captures here listen on loopback only and
 * send nothing.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/diagnose/types.js';
import { parseReport } from '../_schema.js';

const CLI = new URL('../../dist/cli.js', import.meta.url).pathname;
const built = existsSync(CLI);
if (!built) process.stderr.write('SKIPPED: capture command tests (dist/cli.js not built: npx tsup)\n');
const root = process.getuid?.() === 0;
let tools = true;
try {
  execFileSync('sh', ['-c', 'command -v tcpdump && command -v setpriv'], { stdio: 'ignore' });
} catch {
  tools = false;
}
const canCapture = built && root && tools;
if (built && !canCapture) process.stderr.write(`SKIPPED: capture command tests that capture on lo (${root ? 'tcpdump or setpriv not installed' : 'not root'})\n`);
let capBuilt = true;
try {
  createRequire(import.meta.url)('cap');
} catch {
  capBuilt = false;
}
if (canCapture && !capBuilt) process.stderr.write('SKIPPED: Ctrl-C through the cap backend (the optional module cap is not built)\n');

const dir = mkdtempSync(join(tmpdir(), 'ndliv-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI, without the right to set the clock; `onStderr` may act (send SIGINT) when a line appears. */
function cli(args: string[], options: { prefix?: string[]; cli?: string; onStderr?: (text: string, pid: number) => void } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const argv = [...(options.prefix ?? ['setpriv', '--bounding-set', '-sys_time', '--inh-caps', '-sys_time', '--']), 'node', options.cli ?? CLI, ...args];
    const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
      options.onStderr?.(stderr, child.pid as number);
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ status: code ?? -1, stdout, stderr });
    });
  });
}

describe.skipIf(!built)('ntpdoctor capture: usage', () => {
  it('refuses a host name or an expression for --filter-host, in one line, exit 2', async () => {
    const r = await cli(['capture', '--filter-host', '198.51.100.1 or tcp', '--duration', '1']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('ntpdoctor: --filter-host: not an IPv4 or IPv6 address: 198.51.100.1 or tcp\n');
    expect(r.stdout).toBe('');
  });

  it('refuses a bad duration and an unknown backend', async () => {
    // Checked by the parser, from the definition (src/cli/definition.ts).
    expect((await cli(['capture', '--duration', '0'])).stderr).toMatch(/^ntpdoctor: option '--duration S' argument '0' is invalid\. Want in \(0, 86400\]\. \(see ntpdoctor capture --help\)\n$/);
    expect((await cli(['capture', '--backend', 'wireshark'])).stderr).toMatch(/^ntpdoctor: option '--backend B' argument 'wireshark' is invalid\. Allowed choices are auto, cap, tcpdump\. \(see ntpdoctor capture --help\)\n$/);
  });
});

describe.skipIf(!canCapture)('ntpdoctor capture: backends and privileges', () => {
  it('names an interface that does not exist, in one line, exit 2', async () => {
    for (const backend of capBuilt ? ['cap', 'tcpdump'] : ['tcpdump']) {
      const r = await cli(['capture', '-i', 'ndliv-none0', '--duration', '1', '--backend', backend]);
      expect(r.status, backend).toBe(2);
      expect(r.stderr, backend).toMatch(/^ntpdoctor: -i ndliv-none0: no such interface[^\n]*\n$/);
    }
  });

  it('without CAP_NET_RAW: one line saying to run it as root (never setcap on node), and that tcpdump cannot either', async () => {
    const drop = ['setpriv', '--bounding-set', '-sys_time,-net_raw,-net_admin', '--inh-caps', '-all', '--'];
    const r = await cli(['capture', '-i', 'lo', '--duration', '1'], { prefix: drop });
    expect(r.status).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    if (capBuilt) {
      expect(lines[0]).toBe(
        'ntpdoctor: capturing needs CAP_NET_RAW (libpcap on lo: socket: Operation not permitted): run it as root (sudo ntpdoctor capture …); ' +
          'the fallback, tcpdump, may not capture either',
      );
    } else {
      expect(lines[0]).toMatch(/capturing needs CAP_NET_RAW \(tcpdump: lo: You don't have permission.*\): run it as root \(sudo ntpdoctor capture …\)$/);
    }
    expect(r.stdout).toBe('');
  });

  it('without cap built: says how to build it, falls back to tcpdump, and still reports', async () => {
    // dist/ copied where no node_modules can be found: `import('cap')` fails as on a machine without libpcap-dev.
    const isolated = join(dir, 'nocap');
    cpSync(new URL('../../dist', import.meta.url).pathname, join(isolated, 'dist'), { recursive: true });
    // The CLI's parser (commander) is a dependency like any other: only 'cap' is to be missing.
    cpSync(new URL('../../node_modules/commander', import.meta.url).pathname, join(isolated, 'node_modules', 'commander'), { recursive: true });
    const r = await cli(['capture', '-i', 'lo', '--duration', '1', '--json'], { cli: join(isolated, 'dist', 'cli.js') });
    // A second of an idle lo holds no NTP: no-ntp-seen (a warning, so exit 1), never a clean bill of health.
    expect(r.status, r.stderr).toBe(1);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ntpdoctor: live capture through libpcap is not available: the optional module 'cap' is not installed or not built \(.*\); to build it: apt-get install libpcap-dev && npm rebuild cap; capturing with tcpdump instead$/);
    const report = parseReport<Report>(r.stdout);
    expect(report.inputs[0]).toMatchObject({ kind: 'capture', backend: 'tcpdump', timestampSource: 'kernel', stoppedBy: 'duration', interface: 'lo' });
    expect(report.findings.map((f) => f.rule)).toContain('no-ntp-seen');
  });

  for (const backend of ['cap', 'tcpdump'] as const) {
    it.skipIf(backend === 'cap' && !capBuilt)(`stops cleanly on Ctrl-C and still reports, --write file whole (${backend})`, async () => {
      const file = join(dir, `sigint-${backend}.pcap`);
      let sent = false;
      const t0 = Date.now();
      const r = await cli(['capture', '-i', 'lo', '--json', '--backend', backend, '--write', file], {
        onStderr: (text, pid) => {
          if (!sent && text.includes('until Ctrl-C')) {
            sent = true;
            process.kill(pid, 'SIGINT');
          }
        },
      });
      expect(sent).toBe(true);
      // Nothing but this test's own quiet lo: no-ntp-seen, exit 1 (the report is still whole).
      expect(r.status, r.stderr).toBe(1);
      expect(Date.now() - t0).toBeLessThan(10_000);
      const report = parseReport<Report>(r.stdout);
      expect(report.inputs[0]).toMatchObject({ backend, stoppedBy: 'signal', written: { path: file } });
      expect(report.findings.map((f) => f.rule)).toContain('no-ntp-seen');
      // tcpdump reads the file without complaint ("truncated dump file" would exit non-zero).
      execFileSync('tcpdump', ['-n', '-r', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    });
  }
});
