/**
 * trace against hostile mode 6 responders (test/probe/hostile-responder.mjs) on the loopback of a namespace this
 * test makes (port 123 there is ours alone):
 * - loops written in text variants of one host: `::1` naming `0::1`, and 127.0.0.1 → ::ffff:127.0.0.2 →
 *   0:0:0:0:0:FFFF:7F00:1 (IPv4-mapped, upper case, no compression). Compared as text, neither loop closes and
 *   the trace runs to --max-hops.
 * - responders that never finish their READVAR answers (a fragment flood with More always set, the same fragment
 *   for ever, one fragment every 300 ms): the trace ends by its deadline, with the partial chain, complete: false,
 *   and exit 1. Before the bounds, 8 such hops cost 8 × 16 × 0.7 s ≈ 90 s.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import type { Report } from '../../src/diagnose/types.js';
import { Lab, labUnavailable, skipLine, waitFor } from './lab.js';
import { CLI } from './daemons.js';
import { parseReport } from '../_schema.js';

const RESPONDER = new URL('./hostile-responder.mjs', import.meta.url).pathname;
const why = labUnavailable() ?? (existsSync(CLI) ? undefined : 'dist/cli.js not built (npx tsup)');
if (why) skipLine('trace bounds against hostile mode 6 responders in a namespace', why);

interface TraceInput {
  end: string;
  summary: string;
  complete: boolean;
  reason?: string;
  seconds: number;
  loop?: string[];
  chain: Array<{ address: string; via: string; upstream?: string; mode6: boolean; partial?: string }>;
}

interface Server {
  address: string;
  port?: number;
  stratum: number;
  refid: string;
  srcadr?: string[];
  stall?: 'flood' | 'dup' | 'slow';
  stallSys?: boolean;
}

describe.skipIf(why !== undefined)('trace bounds and loops in a namespace', () => {
  let lab: Lab;
  const responders: ChildProcess[] = [];

  /** Starts the responders and waits (bounded) until each says it listens. */
  const respond = async (servers: Server[]): Promise<ChildProcess> => {
    const child = lab.spawn('h', ['node', RESPONDER, JSON.stringify({ lifetime: 120, servers: servers.map((s) => ({ port: 123, ...s })) })]);
    responders.push(child);
    let out = '';
    child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
    await waitFor(() => ((out.match(/listening/g) ?? []).length === servers.length ? true : undefined), 20_000, 'the responders to listen');
    return child;
  };
  const stopAll = async (): Promise<void> => {
    for (const c of responders.splice(0)) await lab.stop(c);
  };
  /** Runs trace in the namespace; returns its exit status, wall time and the trace input of its JSON report. */
  const trace = (host: string, extra: string[], boundMs: number): { status: number; seconds: number; t: TraceInput; out: string } => {
    const r = lab.execStatus('h', ['node', CLI, 'trace', host, '--json', ...extra], boundMs);
    let report: Report;
    try {
      report = parseReport<Report>(r.stdout);
    } catch {
      throw new Error(`trace ${host} printed no report (${r.how}): ${r.out.slice(0, 400)}`);
    }
    const t = report.inputs.find((i) => String(i.name).startsWith('trace')) as unknown as TraceInput;
    return { status: r.status, seconds: r.seconds, t, out: r.out };
  };

  beforeAll(() => {
    lab = new Lab(`ndnet-tb${process.pid}`, [{ name: 'h', ipv4: '198.51.100.41', ipv6: '2001:db8:41::1' }]).create();
  });
  afterAll(async () => {
    await stopAll();
    await lab?.stopAll();
    lab?.destroy();
  });

  it('::1 whose system peer is 0::1, then ::0:1: one host, a loop of one at the first hop', async () => {
    await respond([{ address: '::1', stratum: 3, refid: '198.51.100.99', srcadr: ['0::1', '::0:1', '0:0:0:0:0:0:0:1'] }]);
    try {
      const { status, t } = trace('::1', ['--max-hops', '8'], 30_000);
      expect(t.end).toBe('loop');
      expect(t.chain.map((h) => h.address)).toEqual(['::1']);
      expect(t.loop).toEqual(['::1', '::1']);
      expect(t.summary).toContain('self-sync');
      expect(t.complete).toBe(true);
      expect(status).toBe(1);
    } finally {
      await stopAll();
    }
  });

  it('127.0.0.1 → ::ffff:127.0.0.2 → 0:0:0:0:0:FFFF:7F00:1 is the loop A → B → A', async () => {
    await respond([
      { address: '127.0.0.1', stratum: 3, refid: '198.51.100.99', srcadr: ['::ffff:127.0.0.2', '::FFFF:7f00:2'] },
      { address: '127.0.0.2', stratum: 4, refid: '198.51.100.98', srcadr: ['0:0:0:0:0:FFFF:7F00:1', '::ffff:127.000.0.1'] },
    ]);
    try {
      const { status, t } = trace('127.0.0.1', ['--max-hops', '8'], 30_000);
      expect(t.end).toBe('loop');
      expect(t.chain.map((h) => [h.address, h.via])).toEqual([
        ['127.0.0.1', 'mode6'],
        ['::ffff:127.0.0.2', 'mode6'],
      ]);
      expect(t.loop).toEqual(['127.0.0.1', '::ffff:127.0.0.2', '0:0:0:0:0:FFFF:7F00:1']);
      expect(status).toBe(1);
    } finally {
      await stopAll();
    }
  });

  it('8 hops whose READVARs never finish (flood, duplicate, slow): ends by --deadline with the partial chain, exit 1', async () => {
    const stalls = ['flood', 'dup', 'slow'] as const;
    const chain: Server[] = Array.from({ length: 8 }, (_, i) => ({
      address: `127.0.0.${i + 1}`,
      stratum: 3 + i,
      refid: '198.51.100.99',
      srcadr: [`127.0.0.${i + 2}`],
      stall: stalls[i % 3] ?? 'flood',
    }));
    await respond(chain);
    try {
      const deadline = 5;
      const { status, seconds, t } = trace('127.0.0.1', ['--deadline', String(deadline)], 60_000);
      // Node's own start (~0.3–1 s on a loaded 2-core machine) is on top of the trace's deadline.
      expect(t.seconds).toBeLessThanOrEqual(deadline + 0.3);
      expect(seconds).toBeLessThan(deadline + 5);
      expect(t.end).toBe('deadline');
      expect(t.complete).toBe(false);
      expect(t.reason).toMatch(/the 5 s deadline passed/);
      // What was read before the deadline is kept: the chain as far as it got, each hop saying what was cut.
      expect(t.chain.length).toBeGreaterThanOrEqual(1);
      expect(t.chain.length).toBeLessThan(8);
      t.chain.forEach((h, i) => expect(h.address).toBe(`127.0.0.${i + 1}`));
      expect(t.chain[0]).toMatchObject({ via: 'mode6', upstream: '127.0.0.2' });
      expect(t.chain.some((h) => /mode 6/.test(h.partial ?? ''))).toBe(true);
      expect(status).toBe(1);
    } finally {
      await stopAll();
    }
  });

  it('system variables that never finish: no mode 6 view, the hop decided by its time reply, within the hop budget', async () => {
    await respond([{ address: '127.0.0.9', stratum: 1, refid: 'GPS', stall: 'flood', stallSys: true }]);
    try {
      const { status, t, out } = trace('127.0.0.9', ['--deadline', '4'], 30_000);
      expect(t.end, out).toBe('primary');
      expect(t.complete).toBe(true);
      expect(t.chain[0]).toMatchObject({ mode6: false });
      expect(t.chain[0]?.partial).toMatch(/mode 6: system variables: more than 32 fragments/);
      expect(t.seconds).toBeLessThan(2);
      expect(status).toBe(0);
    } finally {
      await stopAll();
    }
  });

  it('text output says INCOMPLETE and why', async () => {
    await respond([{ address: '127.0.0.1', stratum: 3, refid: '198.51.100.99', srcadr: ['127.0.0.2'], stall: 'slow' }]);
    try {
      // 1.2 s: one time sample fits, then the slow READVARs eat the rest; the next hop is never asked.
      const r = lab.execStatus('h', ['node', CLI, 'trace', '127.0.0.1', '--deadline', '1.2'], 30_000);
      expect(r.status, r.out).toBe(1);
      expect(r.stdout).toMatch(/^INCOMPLETE: the 1.2 s deadline passed after 1 hop; the next, 127.0.0.2, was not asked/m);
      expect(r.stdout).toMatch(/partial: .*mode 6: time budget spent/);
    } finally {
      await stopAll();
    }
  });
});
