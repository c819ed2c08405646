/**
 * `--min-severity` and `-q` on lint, probe and trace: the same semantics as analyze's (test/render/text.test.ts).
 * The text hides findings below the level and says how many; `-q` prints the findings alone (lint keeps its
 * suppressed list, never dropped; trace keeps its one-line verdict); --json is the whole report whatever the options.
 * probe and trace ask the built-in server on loopback (an ephemeral port).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReport } from '../_schema.js';
import type { Report } from '../../src/diagnose/types.js';
import { parseFault } from '../../src/serve/faults.js';
import { parseRateLimit, parseRefid } from '../../src/serve/options.js';
import { startServer, type RunningServer } from '../../src/serve/server.js';
import { run } from './_run.js';

const LINT = 'fixtures/configs/seed000-client.ntp.conf'; // one warning (noquery-missing), one info (single-upstream)

describe('lint --min-severity / -q', () => {
  it('--min-severity warning hides the info finding and says so; JSON keeps it', async () => {
    const all = await run(['lint', LINT]);
    expect(all.out).toContain('[info]');
    const r = await run(['lint', '--min-severity', 'warning', LINT]);
    expect(r.code).toBe(all.code);
    expect(r.out).not.toContain('[info]');
    expect(r.out).toContain('1 below warning not shown');
    const json = parseReport<Report>((await run(['lint', '--json', '--min-severity', 'error', LINT])).out);
    expect(json.findings.map((f) => f.severity).sort()).toEqual(['info', 'warning']);
  });

  it('-q: the findings alone (no "config" input line); nothing at all when every finding is hidden', async () => {
    const r = await run(['lint', '-q', LINT]);
    expect(r.out.split('\n')[0]).toMatch(/^1\. \[WARNING\] /);
    expect(r.out).not.toMatch(/^config /m);
    expect(r.out).toContain('[info]');
    expect(await run(['lint', '--quiet', '--min-severity', 'error', LINT])).toEqual({ code: 1, out: '', err: '' });
  });

  it('-q keeps the suppressed findings listed', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'ntpdoctor-q-'));
    try {
      const file = join(dir, 'ntp.conf');
      writeFileSync(file, '# ntpdoctor: ignore single-upstream -- one site server by design\nserver 192.168.1.100 iburst\n');
      const r = await run(['lint', '-q', '--min-severity', 'error', file]);
      expect(r.out).toContain('Suppressed (1):');
      expect(r.out).toContain('single-upstream');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a bad level is a usage error naming the command', async () => {
    const r = await run(['lint', '--min-severity', 'loud', LINT]);
    expect(r.code).toBe(2);
    expect(r.err).toBe("ntpdoctor: option '--min-severity LEVEL' argument 'loud' is invalid. Allowed choices are info, warning, error. (see ntpdoctor lint --help)\n");
  });
});

describe('probe and trace --min-severity / -q (built-in server on loopback)', () => {
  const servers: RunningServer[] = [];
  let target = '';
  let offTarget = '';
  const serve = async (fault: string) => {
    const s = await startServer({ listen: [{ address: '127.0.0.1', port: 0 }], stratum: 3, refid: parseRefid(undefined), faults: [parseFault(fault)], rateLimit: parseRateLimit('off') });
    servers.push(s);
    return `127.0.0.1:${s.addresses[0]!.port}`;
  };
  beforeAll(async () => {
    target = await serve('unsync'); // server-unsynchronized: an error
    offTarget = await serve('offset:3'); // large-offset: a warning
  });
  afterAll(async () => {
    for (const s of servers) await s.close();
  });
  const fast = ['-c', '1', '-t', '1', '--interval', '0'];

  it('probe -q: no transcript, no server table, the findings alone', async () => {
    const all = await run(['probe', ...fast, target]);
    expect(all.out).toMatch(/^transmit\(127\.0\.0\.1\)/);
    expect(all.out).toContain('Servers (');
    const r = await run(['probe', '-q', ...fast, target]);
    expect(r.code).toBe(1);
    expect(r.out.split('\n')[0]).toMatch(/^1\. \[ERROR\] 127\.0\.0\.1 answers but is not synchronized/);
    expect(r.out).not.toContain('transmit(');
    expect(r.out).not.toContain('Servers (');
  });

  it('probe --min-severity: a warning below the level is hidden and counted; an error stays; JSON is whole', async () => {
    const warned = await run(['probe', ...fast, offTarget]);
    expect(warned.out).toContain('[WARNING]');
    const r = await run(['probe', '--min-severity', 'error', ...fast, offTarget]);
    expect(r.code).toBe(warned.code);
    expect(r.out).not.toContain('[WARNING]');
    expect(r.out).toContain('No findings at error or above. 1 below error not shown.');
    expect(r.out).toContain('transmit(');
    expect((await run(['probe', '--min-severity', 'error', ...fast, target])).out).toContain('[ERROR]');
    const json = parseReport<Report>((await run(['probe', '--json', '-q', '--min-severity', 'error', ...fast, offTarget])).out);
    expect(json.findings.map((f) => `${f.rule}:${f.severity}`)).toEqual(['large-offset:warning']);
  });

  it('trace --min-severity hides below the level too', async () => {
    const r = await run(['trace', '--no-mode6', '--min-severity', 'error', offTarget]);
    expect(r.out).not.toContain('[WARNING]');
    expect(r.out).toContain('1 below error not shown');
  });

  it('trace -q: the verdict line, then the findings; no hop lines', async () => {
    const all = await run(['trace', '--no-mode6', target]);
    expect(all.out).toMatch(/^trace 127\.0\.0\.1: 1 hop\n {2}1\. 127\.0\.0\.1:/);
    const r = await run(['trace', '-q', '--no-mode6', target]);
    expect(r.code).toBe(1);
    expect(r.out.split('\n').slice(0, 3)).toEqual(['FAIL: 127.0.0.1 is unsynchronized (stratum 16, leap 3)', '', expect.stringMatching(/^1\. \[ERROR\] /)]);
    expect(r.out).not.toContain('trace 127.0.0.1:');
    expect(r.out).not.toContain('Servers (');
  });
});
