/**
 * probe against real daemons and real firewall rules, in namespaces this test makes (198.51.100.0/24,
 * 2001:db8:3::/64): chronyd `local stratum 10`, ntpsec ntpd in orphan mode and told to follow itself, nftables
 * REJECT (host-prohibited, admin-prohibited, IPv6 admin-prohibited), DROP, and no daemon at all. Each must get
 * the right verdict, and the offset must agree with ntpdig and chronyd -Q against the same server within 100 µs.
 *
 * Measured (2 cores, 198.51.100.0/24 veths, after T1 was stamped after encoding the request): our best-of-4
 * offset minus chronyd -Q's was −7…+16 µs against chronyd and ntpsec, idle or beside `vitest run test/capture
 * test/decode`; minus ntpdig's (best of 5 runs by distance) −36…+5 µs (ntpdig is Python: its own stamps wander
 * by tens of µs). Before that change the probe read +20 µs high: encoding took ~40 µs between T1 and the send.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import type { Report } from '../../src/diagnose/types.js';
import { Lab, labUnavailable, skipLine, waitFor } from './lab.js';
import { chronyQuery, chronyQueryOffset, CHRONYD, CLI, NTPDIG, NTPSEC_NTPD, ntpdigBest, startChronyServer, startNtpsec } from './daemons.js';
import { parseReport } from '../_schema.js';

const why = labUnavailable([CHRONYD, NTPSEC_NTPD, NTPDIG, '/usr/sbin/nft']) ?? (existsSync(CLI) ? undefined : 'dist/cli.js not built (npx tsup)');
if (why) skipLine('probe against real chronyd/ntpsec/nftables in namespaces', why);

const S4 = '198.51.100.1';
const S6 = '2001:db8:3::1';

/** One nftables input rule for UDP 123 in its own table (`nft -f` wants newlines between statements). */
function ruleset(rule: string): string {
  return `table inet ndprb {\n  chain input {\n    type filter hook input priority 0\n    ${rule}\n  }\n}\n`;
}

interface Run {
  status: number;
  report: Report;
  /** The whole command, node's start included (seconds of wall time, loose under load). */
  seconds: number;
}

/** Default per-sample timeout of probe (PROBE_DEFAULTS.timeout), seconds. */
const SAMPLE_TIMEOUT = 1;

/**
 * How long the probe itself took to reach its verdict, from its first request to its last answer, ICMP error
 * or timeout: what "a dead server gets its verdict in ≤ 3 s" is about. Node's own start (0.2 s idle, a second
 * or more on a starved 2-core machine) is not part of it and is bounded separately.
 */
function verdictSeconds(r: Run): number {
  const xs = r.report.exchanges;
  const first = xs[0];
  const last = xs[xs.length - 1];
  if (!first || !last) return Number.NaN;
  const end = last.replyTime ?? last.requestTime + (last.outcome === 'none' ? SAMPLE_TIMEOUT : 0);
  return end - first.requestTime;
}

/** Loose bound on a whole probe command (start included), to catch a hang without failing on a slow start. */
const COMMAND_BOUND_S = 10;

describe.skipIf(why !== undefined)('probe in the lab', () => {
  let lab: Lab;
  const probe = (target: string, extra: string[] = []): Run => {
    const t0 = Date.now();
    const r = lab.execStatus('c', ['node', CLI, 'probe', target, '--json', ...extra]);
    const seconds = (Date.now() - t0) / 1000;
    let report: Report;
    try {
      report = parseReport<Report>(r.stdout);
    } catch {
      throw new Error(`probe ${target} did not print a report: ${r.out}`);
    }
    return { status: r.status, report, seconds };
  };
  const rulesOf = (r: Run) => r.report.findings.map((f) => f.rule);
  /** The bound (item 8): our offset agrees with ntpdig's and chronyd -Q's within 100 µs. */
const AGREE = 100e-6;

/** Our best-sample offset (the lowest-delay exchange), seconds. */
  const bestOffset = (r: Run): number => {
    const xs = r.report.exchanges.filter((x) => x.delay !== undefined && x.offset !== undefined);
    xs.sort((a, b) => (a.delay as number) - (b.delay as number));
    return xs[0]?.offset as number;
  };
  const waitServing = (target: string, ...strata: number[]) =>
    waitFor(
      () => {
        const r = lab.execStatus('c', ['node', CLI, 'probe', target, '--json', '-c', '1']);
        let rep: Report;
        try {
          rep = parseReport<Report>(r.stdout);
        } catch {
          return undefined;
        }
        return rep.exchanges.some((x) => x.reply && strata.includes(x.reply.stratum)) ? true : undefined;
      },
      30_000,
      `${target} to serve stratum ${strata.join(' or ')}`,
    );

  beforeAll(() => {
    lab = new Lab('ndprb-p', [
      { name: 'c', ipv4: '198.51.100.2', ipv6: '2001:db8:3::2' },
      { name: 's', ipv4: S4, ipv6: S6 },
    ]).create();
  });
  afterAll(async () => {
    await lab?.stopAll();
    lab?.destroy();
  });

  /**
   * ntpdig (lowest distance of 5 or more runs) and chronyd -Q measured right after our probe, against the same
   * server. chronyd -Q (kernel timestamps) is always held to 100 µs. ntpdig is too, whenever one of its runs
   * measured with a distance under 150 µs; when the machine is so starved that none did, its own answer is only
   * known to ± its distance (RFC 5905 §8: θ lies within δ/2 of the truth), and we are held to that, said on stderr.
   */
  const agreesWithPeers = (label: string, ours: Run): void => {
    const dig = ntpdigBest(lab, 'c', S4);
    expect(dig?.stratum).toBe(10);
    const q = chronyQueryOffset(chronyQuery(lab, 'c', S4).out);
    expect(q).toBeDefined();
    const mine = bestOffset(ours);
    const us = (x: number): string => `${(x * 1e6).toFixed(1)} µs`;
    process.stderr.write(
      `probe-vs-peers ${label}: probe ${us(mine)}, ntpdig ${us(dig?.offset as number)} ± ${us(dig?.distance as number)} ` +
        `(runs ${dig?.all.map((a) => us(a.offset)).join(' ')}), chronyd -Q ${us(q as number)}; ` +
        `differences ${us(mine - (dig?.offset as number))}, ${us(mine - (q as number))}\n`,
    );
    expect(Math.abs(mine - (q as number))).toBeLessThan(AGREE);
    if (dig?.trusted) {
      expect(Math.abs(mine - dig.offset)).toBeLessThan(AGREE);
    } else {
      process.stderr.write(`probe-vs-peers ${label}: no ntpdig run under 150 µs distance (CPU starved): compared within its ± instead\n`);
      expect(Math.abs(mine - (dig?.offset as number))).toBeLessThan(AGREE + (dig?.distance as number));
    }
  };

  describe('chronyd local stratum 10', () => {
    let chronyd: ChildProcess;
    beforeAll(async () => {
      chronyd = startChronyServer(lab, 's');
      await waitServing(S4, 10);
    });
    afterAll(async () => {
      await lab.stop(chronyd);
    });

    it('a healthy server: no findings, exit 0, offset agrees with ntpdig and chronyd -Q within 100 µs', () => {
      // 8 samples: we compare the lowest-delay one, and under load more samples find a quiet moment.
      const ours = probe(S4, ['--interval', '0.25', '-c', '8']);
      expect(ours.status).toBe(0);
      expect(ours.report.findings.filter((f) => f.severity !== 'info')).toEqual([]);
      expect(ours.report.exchanges.every((x) => x.reply?.stratum === 10)).toBe(true);
      agreesWithPeers('chronyd', ours);
    }, 60_000);

    it('IPv6: the same server over 2001:db8:3::1', () => {
      const r = probe(`[${S6}]`, ['--interval', '0.3', '-c', '2']);
      expect(r.status).toBe(0);
      expect(r.report.exchanges.every((x) => x.outcome === 'reply')).toBe(true);
    });

    it('nftables reject with icmp host-prohibited (firewalld style): firewall-reject within 3 s', () => {
      lab.nft('s', ruleset('udp dport 123 reject with icmp type host-prohibited'));
      try {
        const r = probe(S4);
        expect(r.status).toBe(1);
        expect(rulesOf(r)[0]).toBe('firewall-reject');
        expect(r.report.exchanges[0]?.icmp).toMatchObject({ type: 3, code: 10, errno: 'EHOSTUNREACH' });
        expect(verdictSeconds(r)).toBeLessThanOrEqual(3);
        expect(r.seconds).toBeLessThan(COMMAND_BOUND_S);
      } finally {
        lab.nft('s', 'delete table inet ndprb');
      }
    });

    it('nftables reject with icmpx admin-prohibited, IPv4 and IPv6: firewall-reject', () => {
      lab.nft('s', ruleset('udp dport 123 reject with icmpx type admin-prohibited'));
      try {
        const v4 = probe(S4);
        expect(rulesOf(v4)[0]).toBe('firewall-reject');
        const v6 = probe(`[${S6}]`);
        expect(rulesOf(v6)[0]).toBe('firewall-reject');
        expect(v6.report.exchanges[0]?.icmp).toMatchObject({ version: 6, type: 1, code: 1, errno: 'EACCES' });
      } finally {
        lab.nft('s', 'delete table inet ndprb');
      }
    });

    it('nftables drop: no-response, judged within 3 s by default', () => {
      lab.nft('s', ruleset('udp dport 123 drop'));
      try {
        const r = probe(S4);
        expect(r.status).toBe(1);
        expect(rulesOf(r)).toContain('no-response');
        expect(r.report.exchanges.every((x) => x.outcome === 'none')).toBe(true);
        // Three silent samples, 1 s each, sent back to back, then it gives up: the verdict at 3 s (measured
        // 3.004–3.005 s, also beside two busy loops at load 6 on 2 cores), plus room for timers that fire late.
        process.stderr.write(`probe-timing drop: verdict after ${verdictSeconds(r).toFixed(3)} s, command ${r.seconds.toFixed(2)} s\n`);
        expect(r.report.exchanges).toHaveLength(3);
        expect(verdictSeconds(r)).toBeGreaterThanOrEqual(2.9);
        expect(verdictSeconds(r)).toBeLessThanOrEqual(3.25);
        expect(r.seconds).toBeLessThan(COMMAND_BOUND_S);
      } finally {
        lab.nft('s', 'delete table inet ndprb');
      }
    });
  });

  it('no daemon: port-unreachable, judged within 3 s', () => {
    const r = probe(S4);
    expect(r.status).toBe(1);
    expect(rulesOf(r)[0]).toBe('port-unreachable');
    expect(r.report.exchanges[0]?.icmp).toMatchObject({ type: 3, code: 3, errno: 'ECONNREFUSED' });
    expect(verdictSeconds(r)).toBeLessThanOrEqual(3);
    expect(r.seconds).toBeLessThan(COMMAND_BOUND_S);
  });

  describe('ntpsec ntpd', () => {
    it('orphan mode (standalone, stratum 10): no findings; offset agrees with ntpdig and chronyd -Q within 100 µs', async () => {
      const d = startNtpsec(lab, 's', ['tos orphan 10 orphanwait 1']);
      try {
        await waitServing(S4, 10);
        const ours = probe(S4, ['--interval', '0.25', '-c', '8']);
        expect(ours.status).toBe(0);
        agreesWithPeers('ntpsec', ours);
      } finally {
        await lab.stop(d);
      }
    }, 60_000);

    it('told to follow its own address (the seed): stratum 16, server-unsynchronized or self-sync', async () => {
      const d = startNtpsec(lab, 's', [`server ${S4} iburst`]);
      try {
        // ntpsec says "unsynchronized" as stratum 0 + kiss code INIT + leap 3 (ntpdate shows it as stratum 16).
        await waitServing(S4, 0, 16);
        const r = probe(S4, ['--interval', '0.5']);
        expect(r.status).toBe(1);
        expect(['server-unsynchronized', 'self-sync']).toContain(rulesOf(r)[0]);
      } finally {
        await lab.stop(d);
      }
    });
  });
});
