/**
 * The probe client against a hostile responder (test/probe/hostile-ntp.mjs) on loopback, in process: each
 * datagram is tested on arrival; strays are discarded and recorded without losing the valid reply behind them.
 * Loopback only (127.0.0.0/8), a free port per case; the responder is stopped by pid after each case.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { probeAddress, type AddressProbe } from '../../src/probe/client.js';
import { sharedClock } from '../../src/net/clock.js';
import { judgeProbes } from '../../src/run/probe.js';
import { MAX_STRAYS } from '../../src/probe/socket.js';
import { strayLines } from '../../src/probe/strays.js';
import { waitFor } from './lab.js';

const RESPONDER = new URL('./hostile-ntp.mjs', import.meta.url).pathname;
const ADDRESS = '127.0.0.1';
let child: ChildProcess | undefined;

async function responder(mode: string): Promise<number> {
  const c = spawn(process.execPath, [RESPONDER, ADDRESS, '0', mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  child = c;
  let out = '';
  c.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  c.stderr?.resume();
  const port = await waitFor(() => {
    const m = /listening \S+ (\d+)/.exec(out);
    return m ? Number(m[1]) : undefined;
  }, 10_000, `hostile responder (${mode})`);
  return port;
}

afterEach(async () => {
  const c = child;
  child = undefined;
  if (c && c.exitCode === null && c.signalCode === null) {
    const gone = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGTERM');
    await gone;
  }
});

const probe = (port: number, samples = 2): Promise<AddressProbe> =>
  probeAddress(ADDRESS, 4, port, { samples, timeout: 1, interval: 0.3, clock: sharedClock() });

describe('probe client, one datagram at a time (hostile responder on loopback)', () => {
  it('a bogus-origin datagram first: discarded and recorded, the valid reply 50 ms later is the sample', async () => {
    const p = await probe(await responder('bogus-first'));
    for (const s of p.samples) {
      expect(s.outcome).toBe('reply');
      expect(s.offset).toBeTypeOf('number');
      expect(s.bogus).toEqual([]);
      expect(s.strays?.[0]).toMatchObject({ when: 'before', length: 48, failed: ['origin-mismatch'], mode: 4 });
      expect(strayLines(p, s)[0]).toBe(`discard(127.0.0.1)   sample ${s.index}: 48 octets, mode 4, stratum 2: origin-mismatch (RFC 5905 §8; waited on for the real answer)`);
    }
    expect(judgeProbes('h', 123, [p]).report.findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('50 replies per request: the first is the answer, the rest are logged as late (bounded) and change nothing', async () => {
    const p = await probe(await responder('flood'));
    for (const s of p.samples) {
      expect(s.offset).toBeTypeOf('number');
      const late = s.strays?.filter((x) => x.when === 'after') ?? [];
      expect(late.length).toBeGreaterThan(0);
      expect(late.length).toBeLessThanOrEqual(MAX_STRAYS);
      // A second answer to one request fails test 1 (duplicate) and test 2 (chrony: one response per request).
      expect(late[0]!.failed).toEqual(['duplicate', 'already-answered']);
      expect(late.length + (s.straysDropped ?? 0)).toBeLessThanOrEqual(49);
      const lines = strayLines(p, s);
      expect(lines[0]).toContain('after the answer: 48 octets, mode 4, stratum 2: duplicate, already-answered');
      expect(lines.length).toBeLessThanOrEqual(4);
    }
  });

  it('a junk trailer: every reply fails the format test, none feeds an offset', async () => {
    const p = await probe(await responder('junk'));
    for (const s of p.samples) {
      expect(s).toMatchObject({ outcome: 'reply', replyLength: 56, bogus: ['format'] });
      expect(s.offset).toBeUndefined();
    }
  });

  it('unsynchronised and 5000 s ahead: an answer, but no offset and no step advice', async () => {
    const p = await probe(await responder('unsync'));
    for (const s of p.samples) {
      expect(s.outcome).toBe('reply');
      expect(s.offset).toBeUndefined();
      expect(s.rejected).toEqual(['unsynchronized']);
      expect(s.tests! & 0b0000100000).toBe(0); // test6 bit
      expect(strayLines(p, s)).toEqual(['  no sample from this answer: unsynchronized (RFC 5905 §8 tests 6, 7, A–D)']);
    }
    const { findings } = judgeProbes('h', 123, [p]).report;
    expect(findings.map((f) => f.rule)).toContain('server-unsynchronized');
    expect(findings.map((f) => f.rule)).not.toContain('large-offset');
    expect(findings.flatMap((f) => f.fixes.flatMap((x) => x.commands)).join('\n')).not.toMatch(/ntpd -gq|makestep/);
  });

  it('a reply from another port of the server is never taken (a connected socket, as chrony\'s)', async () => {
    const p = await probe(await responder('other-port'));
    for (const s of p.samples) expect(s).toMatchObject({ outcome: 'none' });
    expect(p.samples.every((s) => s.strays === undefined)).toBe(true);
  });
});
