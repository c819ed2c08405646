/**
 * trace against real daemons in namespaces this test makes: a chronyd chain (refid → address; chronyd never
 * answers mode 6), an ntpsec chain, ntpsec told to follow its own address (the seed), and loops A → A and
 * A → B → A made with `serve --refid` (a synchronized loop never lasts between real daemons: ntpd and chronyd
 * both drop a source whose refid is their own address, RFC 5905 §11.2.1).
 * Measured here: the unpacked ntpsec 1.2.2 ntpd answers no mode 6 query, not even its own ntpq on 127.0.0.1, so
 * these chains are followed by refid.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import type { Report } from '../../src/diagnose/types.js';
import { Lab, labUnavailable, skipLine, waitFor } from './lab.js';
import { CHRONYD, CLI, NTPSEC_NTPD, startChronyServer, startNtpsec } from './daemons.js';

const why = labUnavailable([CHRONYD, NTPSEC_NTPD]) ?? (existsSync(CLI) ? undefined : 'dist/cli.js not built (npx tsup)');
if (why) skipLine('trace against real chronyd/ntpsec chains in namespaces', why);

const IP = {
  a: '198.51.100.11',
  b: '198.51.100.12',
  self: '198.51.100.13',
  k: '198.51.100.16',
  m: '198.51.100.17',
  loop1: '198.51.100.21',
  loop2: '198.51.100.22',
  selfref: '198.51.100.23',
};

interface TraceInput {
  end: string;
  summary: string;
  loop?: string[];
  chain: Array<{ address: string; stratum?: number; via: string; upstream?: string; mode6: boolean }>;
}

describe.skipIf(why !== undefined)('trace in the lab', () => {
  let lab: Lab;
  const trace = (host: string): { status: number; t: TraceInput; text: string } => {
    const r = lab.execStatus('c', ['node', CLI, 'trace', host, '--json'], 60_000);
    const report = JSON.parse(r.stdout) as Report;
    const t = report.inputs.find((i) => String(i.name).startsWith('trace')) as unknown as TraceInput;
    return { status: r.status, t, text: r.out };
  };
  const stratumOf = (ip: string): number | undefined => {
    const r = lab.execStatus('c', ['node', CLI, 'probe', ip, '--json', '-n', '1']);
    try {
      return (JSON.parse(r.stdout) as Report).exchanges[0]?.reply?.stratum;
    } catch {
      return undefined;
    }
  };

  beforeAll(async () => {
    lab = new Lab('ndprb-t', [
      { name: 'c', ipv4: '198.51.100.2', ipv6: '2001:db8:3::2' },
      ...Object.entries(IP).map(([name, ipv4], i) => ({ name, ipv4, ipv6: `2001:db8:3::${(i + 11).toString(16)}` })),
    ]).create();
    startNtpsec(lab, 'a', ['tos orphan 10 orphanwait 1']);
    startNtpsec(lab, 'b', [`server ${IP.a} iburst minpoll 1 maxpoll 2`]);
    startNtpsec(lab, 'self', [`server ${IP.self} iburst`]);
    const serve = (host: string, refid: string) =>
      lab.spawn(host, ['node', CLI, 'serve', '--listen', `${lab.host(host).ipv4}:123`, '--stratum', '3', '--refid', refid]);
    serve('loop1', IP.loop2);
    serve('loop2', IP.loop1);
    serve('selfref', IP.selfref);
    startChronyServer(lab, 'k');
    startChronyServer(lab, 'm', [`server ${IP.k} iburst minpoll 0 maxpoll 1`]);
    // Bounded polls: b synchronizes to a (stratum 11), m to k (stratum 11).
    await waitFor(() => (stratumOf(IP.b) === 11 ? true : undefined), 90_000, 'ntpsec b to synchronize to a');
    await waitFor(() => (stratumOf(IP.m) === 11 ? true : undefined), 60_000, 'chronyd m to synchronize to k');
  }, 180_000);
  afterAll(async () => {
    await lab?.stopAll();
    lab?.destroy();
  });

  it('chronyd chain m → k: refid to address, ends at the local clock 127.127.1.1', () => {
    const { status, t } = trace(IP.m);
    expect(t.chain.map((h) => h.address)).toEqual([IP.m, IP.k]);
    expect(t.chain[0]).toMatchObject({ via: 'refid', mode6: false, stratum: 11 });
    expect(t.end).toBe('local-clock');
    expect(status).toBe(0);
  });

  it('ntpsec chain b → a (mode 6 when answered, else refid): ends at orphan mode', () => {
    const { t } = trace(IP.b);
    expect(t.chain.map((h) => h.address)).toEqual([IP.b, IP.a]);
    expect(t.chain[0]).toMatchObject({ upstream: IP.a, stratum: 11 });
    expect(['mode6', 'refid']).toContain(t.chain[0]?.via);
    expect(t.end).toBe('orphan');
  });

  it('the seed: ntpsec told to follow its own address never synchronizes: the chain ends unsynchronized, exit 1', async () => {
    await waitFor(() => (stratumOf(IP.self) !== undefined ? true : undefined), 20_000, 'ntpsec self to answer');
    const { status, t } = trace(IP.self);
    expect(t.end).toBe('unsynchronized');
    expect(status).toBe(1);
  });

  it('a server whose refid is its own address: loop A → A', () => {
    const { status, t } = trace(IP.selfref);
    expect(t.end).toBe('loop');
    expect(t.loop).toEqual([IP.selfref, IP.selfref]);
    expect(status).toBe(1);
  });

  it('two servers naming each other: loop A → B → A', () => {
    const { status, t, text } = trace(IP.loop1);
    expect(t.end).toBe('loop');
    expect(t.loop).toEqual([IP.loop1, IP.loop2, IP.loop1]);
    expect(status).toBe(1);
    expect(text).not.toContain('internal error');
  });
});
