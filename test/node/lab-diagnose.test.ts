/**
 * Proof in the lab (issue 4 item 6): the seed's node0 as a network namespace with the real daemon (NTPsec ntpd,
 * `disable kernel`), the real config and real iptables rules (CentOS 7's trailing REJECT icmp-host-prohibited),
 * and the seed's chrony client in a second namespace. `ntpdoctor diagnose --json --config CONF` run inside each
 * must name the right root cause first:
 *   node0, firewall closed  → firewall-blocks-ntp, then self-sync;
 *   client                   → node0's firewall reject (the probe's ICMP 3/10), with chronyc's ^? explained;
 *   node0, firewall opened   → self-sync;
 *   node0, the final config  → local-clock-mismatch (fudge 127.127.1.0 vs server 127.127.1.1).
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/diagnose/types.js';
import { CLI, ensureCli, Lab, labUnavailable, NODE0, NTPSEC_NTPD, ROOT } from './_lab.js';
import { parseReport } from '../_schema.js';

const why = labUnavailable([NTPSEC_NTPD, 'chronyd', 'chronyc', 'iptables-restore', 'setpriv', 'ss']);
if (why) process.stderr.write(`SKIPPED: node lab diagnose (${why})\n`);

/** Diagnosis time limit on a failing node (issue 4 item 5). */
const LIMIT_MS = 10_000;

describe.skipIf(why !== undefined)('diagnose in the lab (seed 000: node0 + chrony client)', () => {
  const lab = new Lab('dg');
  let node0Conf = '';
  let clientConf = '';
  let ntpd: ChildProcess | undefined;

  const diagnose = (ns: string, conf: string): { report: Report; ms: number; status: number | null } => {
    const r = lab.run(ns, ['node', CLI, 'diagnose', '--json', '--config', conf]);
    expect(r.stderr, 'diagnose wrote to stderr').toBe('');
    return { report: parseReport<Report>(r.stdout), ms: r.ms, status: r.status };
  };

  beforeAll(async () => {
    ensureCli();
    lab.up();
    lab.exec(lab.srv, ['iptables-restore'], readFileSync(`${ROOT}fixtures/firewall/centos7-iptables.rules`, 'utf8'));
    node0Conf = lab.config('lab/node0-first.ntp.conf', 'ntp.conf');
    clientConf = lab.config('lab/client-chrony.conf', 'chrony.conf');
    const daemon = lab.spawn('ntpd', lab.srv, [NTPSEC_NTPD, '-n', '-c', node0Conf, '-p', `${lab.dir}/ntpd.pid`]);
    ntpd = daemon;
    await lab.until(10, 'ntpd on UDP 123 in node0', () => {
      if (daemon.exitCode !== null) throw new Error(`ntpd exited: ${lab.log('ntpd')}`);
      return lab.udpBound(lab.srv, 123);
    });
    lab.spawn('chronyd', lab.cli, ['chronyd', '-x', '-d', '-f', clientConf]);
    // chronyd lists its source as soon as it runs; with iburst its first requests go out within ~2 s.
    await lab.until(10, 'chronyd answering chronyc in the client', () => lab.run(lab.cli, ['chronyc', '-h', '127.0.0.1', '-c', '-n', 'sources']).stdout.includes(NODE0));
  }, 60_000);

  afterAll(async () => {
    await lab.down();
  });

  it('node0 behind CentOS\'s REJECT: the firewall first, then self-sync, within 10 s', () => {
    const { report, ms, status } = diagnose(lab.srv, node0Conf);
    const rules = report.findings.map((f) => f.rule);
    expect(rules.slice(0, 2)).toEqual(['firewall-blocks-ntp', 'self-sync']);
    const fw = report.findings[0]!;
    expect(fw.subject).toBe(NODE0);
    expect(fw.evidence[0]!.text).toContain('-A INPUT -j REJECT --reject-with icmp-host-prohibited');
    expect(fw.fixes[0]!.commands[0]).toBe('iptables -I INPUT 5 -p udp --dport 123 -j ACCEPT');
    // The daemon's own view (mode 6 to its loopback) backs the self-sync finding.
    const self = report.findings[1]!;
    expect(self.evidence.map((e) => e.text).join('\n')).toMatch(/reports 198\.51\.100\.100 at stratum 16, reach 0/);
    expect(report.inputs[0]).toMatchObject({ kind: 'node', daemons: [expect.stringMatching(/^ntpd\[\d+\]$/)], firewall: ['iptables'] });
    expect(status).toBe(1);
    expect(ms).toBeLessThan(LIMIT_MS);
  });

  it("the client: node0's reject is the root cause; chronyc's ^? is explained by the probe's ICMP", () => {
    const { report, ms } = diagnose(lab.cli, clientConf);
    const top = report.findings[0]!;
    expect(top.subject).toBe(NODE0);
    expect(top.rule).toBe('firewall-reject');
    const source = report.findings.find((f) => f.rule === 'source-unreachable');
    expect(source, 'source-unreachable').toBeDefined();
    expect(source!.title).toContain('(^?): its firewall rejects NTP (ICMP type 3 code 10');
    expect(source!.evidence[0]!.text).toMatch(/^chronyc: 198\.51\.100\.100 \^\?, reach 0/);
    expect(ms).toBeLessThan(LIMIT_MS);
  });

  it('node0 once the firewall accepts NTP: self-sync leads', () => {
    lab.exec(lab.srv, ['iptables', '-I', 'INPUT', '5', '-p', 'udp', '--dport', '123', '-j', 'ACCEPT']);
    const { report } = diagnose(lab.srv, node0Conf);
    expect(report.findings[0]!.rule).toBe('self-sync');
    expect(report.findings.some((f) => f.rule === 'firewall-blocks-ntp')).toBe(false);
    // The client now gets replies, unsynchronized ones: the packets say so.
    const client = diagnose(lab.cli, clientConf).report;
    expect(client.findings[0]!.subject).toBe(NODE0);
    expect(client.findings.map((f) => f.rule)).toContain('server-unsynchronized');
    expect(client.findings.some((f) => f.rule === 'firewall-reject')).toBe(false);
  });

  it("node0 with the seed's final config: local-clock-mismatch", async () => {
    const conf = lab.config('lab/node0-final.ntp.conf', 'ntp-final.conf');
    if (ntpd) await lab.stop(ntpd);
    await lab.until(10, 'old ntpd gone', () => !lab.udpBound(lab.srv, 123));
    lab.spawn('ntpd-final', lab.srv, [NTPSEC_NTPD, '-n', '-c', conf, '-p', `${lab.dir}/ntpd-final.pid`]);
    await lab.until(10, 'ntpd (final config) on UDP 123', () => lab.udpBound(lab.srv, 123));
    const { report } = diagnose(lab.srv, conf);
    expect(report.findings[0]!.rule).toBe('local-clock-mismatch');
    expect(report.findings[0]!.title).toContain('clients see 6');
  });
});
