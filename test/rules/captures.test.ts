/**
 * Rules on real captures: every capture must exist (a missing one fails loudly, never skips) and its report must put the
 * expected rule first; healthy captures must have nothing at warning or error.
 * The lab fixtures and their verdicts come from test/lab/expected.ts (how each was made: fixtures/README.md); the
 * others are described in fixtures/decode/README.md and test/rules/captures/README.md.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyzeCaptures } from '../../src/run/capture-file.js';
import type { Report } from '../../src/diagnose/types.js';
import { HEALTHY, LAB_FIXTURES } from '../lab/expected.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const at = (file: string) => join(root, file);

interface CaptureCase {
  file: string;
  /** Rule id expected first, or HEALTHY. */
  expect: string;
  localIp?: string;
}

const CASES: CaptureCase[] = [
  ...LAB_FIXTURES.map((f) => {
    const c: CaptureCase = { file: `fixtures/${f.file}`, expect: f.expect };
    if (f.localIp) c.localIp = f.localIp;
    return c;
  }),
  { file: 'fixtures/decode/veth-ntp-reject.pcap', expect: 'firewall-reject' },
  { file: 'test/rules/captures/chrony-unsync.pcap', expect: 'server-unsynchronized' },
];

const reports = new Map<string, Promise<Report>>();
function analyze(c: CaptureCase): Promise<Report> {
  const key = `${c.file}|${c.localIp ?? ''}`;
  let r = reports.get(key);
  if (!r) {
    r = analyzeCaptures([at(c.file)], c.localIp ? { localIps: [c.localIp] } : {});
    reports.set(key, r);
  }
  return r;
}
const byFile = (file: string) => CASES.find((c) => c.file === file)!;

describe('rules on real captures', () => {
  it('has the captures it lists', () => {
    expect(LAB_FIXTURES.length).toBeGreaterThanOrEqual(20);
  });

  for (const c of CASES) {
    it(`${c.file}${c.localIp ? ` (--local-ip ${c.localIp})` : ''} → ${c.expect}`, async () => {
      expect(existsSync(at(c.file)), `missing capture ${c.file}`).toBe(true);
      const report = await analyze(c);
      const all = report.findings.map((f) => `${f.severity} ${f.rule}`).join(', ');
      if (c.expect === HEALTHY) {
        expect(report.findings.filter((f) => f.severity !== 'info').map((f) => `${f.rule}: ${f.title}`)).toEqual([]);
      } else {
        expect(report.findings[0]?.rule, all).toBe(c.expect);
        expect(report.findings[0]!.evidence.flatMap((e) => e.frames ?? []).length, 'evidence frames').toBeGreaterThan(0);
      }
    });
  }

  it('veth-ntp-reject: one finding per server, v4 code 10 and v6 type 1 code 1, frames of the ICMP errors', async () => {
    const report = await analyze(byFile('fixtures/decode/veth-ntp-reject.pcap'));
    const rejects = report.findings.filter((f) => f.rule === 'firewall-reject');
    expect(rejects.map((f) => f.subject).sort()).toEqual(['198.51.100.2', '2001:db8:0:1::2']);
    const v4 = rejects.find((f) => f.subject === '198.51.100.2')!;
    expect(v4.evidence[0]!.text).toContain('ICMP type 3 code 10 (host administratively prohibited) from 198.51.100.2');
    expect(v4.evidence[0]!.frames).toEqual([6]);
  });

  it("self-sync.pcap: ntpd's stratum 0 + INIT is read as unsynchronized, not as a kiss of death", async () => {
    const report = await analyze(byFile('fixtures/self-sync.pcap'));
    expect(report.findings.map((f) => f.rule)).not.toContain('kiss-of-death');
    expect(report.findings[0]!.evidence.some((e) => e.text.includes('refid INIT'))).toBe(true);
  });

  it('rate-limit-kod.pcap: KoD RATE folds the kiss of death, and its leap 3 is not an unsynchronized server', async () => {
    const report = await analyze(byFile('fixtures/rate-limit-kod.pcap'));
    const rules = report.findings.map((f) => f.rule);
    expect(rules).not.toContain('kiss-of-death');
    expect(rules).not.toContain('server-unsynchronized');
    expect(report.findings[0]!.evidence.some((e) => e.text.includes("Kiss-o'-Death RATE"))).toBe(true);
  });

  it('client-year-off.pcap: the seed\'s year-off client is past the panic threshold (error)', async () => {
    const f = (await analyze(byFile('fixtures/client-year-off.pcap'))).findings[0]!;
    expect(f.severity).toBe('error');
    expect(f.title).toMatch(/behind 198\.51\.100\.100: past the 1000 s panic threshold/);
  });

  it('checksum-offload-veth.pcap: bad both ways on a veth is an artifact, never corruption', async () => {
    const report = await analyze(byFile('fixtures/checksum-offload-veth.pcap'));
    expect(report.findings.map((f) => f.rule)).not.toContain('bad-checksum');
    expect(report.findings.every((f) => f.severity === 'info')).toBe(true);
  });

  it("chrony-unsync.pcap: chronyd's form (stratum 0, empty refid) offers the chrony fix first", async () => {
    const f = (await analyze(byFile('test/rules/captures/chrony-unsync.pcap'))).findings[0]!;
    expect(f.evidence[0]!.text).toContain('stratum 0 with refid empty');
    expect(f.fixes[0]!.platform).toBe('chrony');
  });
});
