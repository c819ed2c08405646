/**
 * Rules on real captures: each capture must exist (a missing fixture fails loudly, never skips) and its report must
 * put the expected rule first; healthy captures must have nothing at warning or error.
 * Provenance: fixtures/decode/README.md, test/rules/captures/make-captures.sh (real chronyd 4.3 / NTPsec 1.2.2 and
 * ntpdig in network namespaces, tcpdump on the client's side of a veth pair).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyzeCaptures } from '../../src/analyze.js';
import type { Report } from '../../src/diagnose/types.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const at = (file: string) => join(root, file);

interface CaptureCase {
  file: string;
  /** The rule expected first (the most likely root cause); absent for healthy captures. */
  first?: string;
  scenario: string;
}

const CASES: CaptureCase[] = [
  { file: 'fixtures/decode/veth-ntp-reject.pcap', first: 'firewall-reject', scenario: 'nft reject (icmp host-prohibited, icmpv6 admin-prohibited) after a working exchange' },
  { file: 'test/rules/captures/chrony-no-allow.pcap', first: 'port-unreachable', scenario: 'chronyd without allow never opens UDP 123' },
  { file: 'test/rules/captures/chrony-unsync.pcap', first: 'server-unsynchronized', scenario: 'chronyd serving with no source: leap 3, stratum 0, refid 0' },
  { file: 'test/rules/captures/ntpsec-init.pcap', first: 'server-unsynchronized', scenario: 'NTPsec right after start: stratum 0, refid INIT' },
  { file: 'test/rules/captures/chrony-ratelimit.pcap', first: 'rate-limited', scenario: 'chronyd ratelimit drops silently' },
  { file: 'test/rules/captures/ntpsec-rate.pcap', first: 'rate-limited', scenario: 'NTPsec limited kod answers KoD RATE' },
  { file: 'test/rules/captures/nft-drop.pcap', first: 'no-response', scenario: 'nftables drop on the server: silence' },
  { file: 'test/rules/captures/chrony-healthy.pcap', scenario: 'chronyd local stratum 10, four queries 2 s apart' },
];

const reports = new Map<string, Promise<Report>>();
function analyze(file: string): Promise<Report> {
  let r = reports.get(file);
  if (!r) {
    r = analyzeCaptures([at(file)]);
    reports.set(file, r);
  }
  return r;
}

describe('rules on real captures', () => {
  for (const c of CASES) {
    it(`${c.file}: ${c.scenario} → ${c.first ?? 'nothing at warning or error'}`, async () => {
      expect(existsSync(at(c.file)), `missing capture ${c.file} (regenerate: see the header of this test)`).toBe(true);
      const report = await analyze(c.file);
      const serious = report.findings.filter((f) => f.severity !== 'info');
      if (c.first) {
        expect(report.findings[0]?.rule, report.findings.map((f) => `${f.severity} ${f.rule}`).join(', ')).toBe(c.first);
        // Evidence points at real frames of the file.
        const frames = report.findings[0]!.evidence.flatMap((e) => e.frames ?? []);
        expect(frames.length).toBeGreaterThan(0);
      } else {
        expect(serious.map((f) => `${f.rule}: ${f.title}`)).toEqual([]);
      }
    });
  }

  it('veth-ntp-reject: one finding per server, v4 code 10 and v6 type 1 code 1, frames of the ICMP errors', async () => {
    const report = await analyze('fixtures/decode/veth-ntp-reject.pcap');
    const rejects = report.findings.filter((f) => f.rule === 'firewall-reject');
    expect(rejects.map((f) => f.subject).sort()).toEqual(['198.51.100.2', '2001:db8:0:1::2']);
    const v4 = rejects.find((f) => f.subject === '198.51.100.2')!;
    expect(v4.evidence[0]!.text).toContain('ICMP type 3 code 10 (host administratively prohibited) from 198.51.100.2');
    expect(v4.evidence[0]!.frames).toEqual([6]);
  });

  it('chrony-no-allow: the veth checksum artifact is told apart (info), not reported as corruption', async () => {
    const report = await analyze('test/rules/captures/chrony-no-allow.pcap');
    expect(report.findings.map((f) => f.rule)).not.toContain('bad-checksum');
  });

  it('ntpsec-rate: KoD RATE replies are not mistaken for an unsynchronized server or a DENY', async () => {
    const report = await analyze('test/rules/captures/ntpsec-rate.pcap');
    const rules = report.findings.map((f) => f.rule);
    expect(rules).not.toContain('server-unsynchronized');
    expect(rules).not.toContain('kiss-of-death');
    expect(report.findings[0]!.evidence.some((e) => e.text.includes("Kiss-o'-Death RATE"))).toBe(true);
  });
});
