/**
 * Issue 13 item 8: captures of the wire as real deployments speak it, made by real software in network namespaces
 * (test/rules/captures/make-wire.sh; fixtures/README.md "fixtures/wire" says how each was made and what it shows).
 *
 * RIGHT_TODAY: the report's first finding is already the root cause (or, for a healthy capture, nothing above info).
 * KNOWN_WRONG: none left (items 4–7 — interleaved, symmetric, broadcast, source port 123, NTS on the wire — are in
 * RIGHT_TODAY). Should a capture come that today's code misreads, it goes there with two tests: `it.fails` asserting
 * what it SHOULD say, and a baseline pinning what it says today, so any change in the wrong answer is seen.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeCaptures } from '../../src/run/capture-file.js';
import type { CaptureRecord } from '../../src/capture/types.js';
import type { Finding, Report } from '../../src/diagnose/types.js';
import { encodeNtp } from '../../src/ntp/codec.js';
import { readPcap } from '../decode/pcap.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const HEALTHY = 'healthy';

interface WireCase {
  file: string;
  /** The rule the report must put first, or HEALTHY (nothing at warning or error). */
  expect: string;
}

const RIGHT_TODAY: WireCase[] = [
  { file: 'fixtures/wire/nts-healthy.pcap', expect: HEALTHY },
  { file: 'fixtures/wire/ntpd-self-lo.pcap', expect: 'self-sync' },
  { file: 'fixtures/wire/mode7-monlist.pcap', expect: 'mode6-exposed' },
  { file: 'fixtures/wire/mode6-remote.pcap', expect: 'mode6-exposed' },
  // classic ntpd 4.2.8 with mode 7 off (its default): ntpdc's monlist is never answered, nothing is judged.
  { file: 'fixtures/wire/mode7-default.pcap', expect: 'no-ntp-seen' },
  // classic ntpd broadcasting; the client's volley (mode 3 from port 123) is answered, and the mode 5 packets are
  // judged as replies nobody asked for (stratum 11, leap 0, zero origin and receive as broadcast has them): item 4.
  { file: 'fixtures/wire/broadcast.pcap', expect: HEALTHY },
  { file: 'fixtures/mode6-exposed.pcap', expect: 'mode6-exposed' },
  // ntpd's requests from port 123 dropped by the server's `udp sport 123` rule; ntpdig's and ntpdate's answered (item 6).
  { file: 'fixtures/wire/sport123-blocked.pcap', expect: 'source-port-blocked' },
  // classic ntpd's `peer` (mode 1 from port 123) against ntpsec's nopeer: never answered; ntpdig's mode 3 answered (item 5).
  { file: 'fixtures/wire/peer-nopeer.pcap', expect: 'symmetric-unanswered' },
  // chrony xleave: every reply after the second is interleaved (origin = the request's receive field), item 4.
  { file: 'fixtures/wire/xleave.pcap', expect: HEALTHY },
  { file: 'test/rules/captures/no-ntp-pings.pcap', expect: 'no-ntp-seen' },
  // NTS-KE on TCP 4460 refused by the server's `reject with tcp reset`, and aborted by a client without the lab CA (item 7).
  { file: 'fixtures/wire/nts-ke-rejected.pcap', expect: 'nts-ke-failure' },
  { file: 'fixtures/wire/nts-untrusted.pcap', expect: 'nts-ke-failure' },
  // TCP 4460 dropped (SYN retransmitted, nothing back) and rejected with ICMP admin-prohibited by node0's nftables.
  { file: 'fixtures/wire/nts-ke-dropped.pcap', expect: 'nts-ke-failure' },
  { file: 'fixtures/wire/nts-ke-icmp.pcap', expect: 'nts-ke-failure' },
  // openssl s_client offering ALPN h2 to chronyd's NTS-KE: the server closes after the handshake, then resets.
  { file: 'fixtures/wire/nts-ke-alpn.pcap', expect: 'nts-ke-failure' },
  // openssl s_client -tls1_2: chronyd closes after the ClientHello; the client's decode_error alert answers the close.
  { file: 'fixtures/wire/nts-ke-tls12.pcap', expect: 'nts-ke-failure' },
];

const reports = new Map<string, Promise<Report>>();
function analyze(file: string): Promise<Report> {
  let r = reports.get(file);
  if (!r) {
    expect(existsSync(join(root, file)), `missing capture ${file}`).toBe(true);
    r = analyzeCaptures([join(root, file)], {});
    reports.set(file, r);
  }
  return r;
}

const summary = (findings: readonly Finding[]) => findings.map((f) => `${f.severity} ${f.rule}`);

function assertVerdict(report: Report, c: WireCase): void {
  const all = summary(report.findings).join(', ');
  if (c.expect === HEALTHY) {
    expect(report.findings.filter((f) => f.severity !== 'info').map((f) => `${f.rule}: ${f.title}`)).toEqual([]);
  } else if (c.expect === 'no-ntp-seen') {
    expect(report.findings[0]?.rule, all).toBe(c.expect); // its evidence is notes about the input, not frames
  } else {
    expect(report.findings[0]?.rule, all).toBe(c.expect);
    expect(report.findings[0]!.evidence.flatMap((e) => e.frames ?? []).length, 'evidence frames').toBeGreaterThan(0);
  }
}

describe('wire captures: right today', () => {
  for (const c of RIGHT_TODAY) {
    it(`${c.file} → ${c.expect}`, async () => {
      assertVerdict(await analyze(c.file), c);
    });
  }

  it('mode7-monlist: classic ntpd 4.2.8 answering ntpdc is an error (mode7-answered), even to its own /24', async () => {
    const f = (await analyze('fixtures/wire/mode7-monlist.pcap')).findings[0]!;
    expect(f).toMatchObject({ rule: 'mode6-exposed', severity: 'error', reason: 'mode7-answered', subject: '198.51.100.100' });
    // 4.2.8's monlist answers "data not found" (8 bytes): no amplification, but mode 7 is on (sysinfo has data).
    expect(f.title).toBe('198.51.100.100 answers ntpdc (mode 7) requests from the network: mode 7 is on (the CVE-2013-5211 monlist attack surface)');
    expect(f.evidence[0]!.text).toMatch(/^198\.51\.100\.100 answered 2 requests from 198\.51\.100\.130 in mode 7 \(ntpdc, monlist\) with 2 responses: 96 bytes out for 384 in/);
  });

  it('mode7-default: unanswered mode 7 is not mode6-exposed, and no-ntp-seen stays a warning (nothing answered)', async () => {
    expect(summary((await analyze('fixtures/wire/mode7-default.pcap')).findings)).toEqual(['warning no-ntp-seen']);
  });

  it('mode6-remote: ntpq answered to a client outside the server /64 is a warning (mode6-other-network)', async () => {
    const f = (await analyze('fixtures/wire/mode6-remote.pcap')).findings[0]!;
    expect(f).toMatchObject({ rule: 'mode6-exposed', severity: 'warning', reason: 'mode6-other-network', subject: '2001:db8:1::100' });
    expect(f.evidence.at(-1)!.text).toContain("2001:db8:2::130 is not in 2001:db8:1::100's /64 (a heuristic");
  });

  it("mode6-exposed.pcap: the seed's LAN restrict line answering ntpq in its own /24 is info (mode6-same-subnet)", async () => {
    const report = await analyze('fixtures/mode6-exposed.pcap');
    expect(summary(report.findings)).toEqual(['info mode6-exposed', 'info no-ntp-seen']);
    expect(report.findings[0]!.reason).toBe('mode6-same-subnet');
  });

  it('xleave: interleaved replies recognised (chrony ntpdata "Interleaved : Yes"), measured on the previous exchange, none bogus', async () => {
    const report = await analyze('fixtures/wire/xleave.pcap');
    const xs = report.exchanges;
    expect(xs.every((x) => x.outcome === 'reply' && x.bogus === undefined)).toBe(true);
    // The first reply answers a request with origin 0, the second one naming the first T2 still comes basic (the
    // server had no saved receive timestamp to match yet): every later one is interleaved.
    expect(xs.slice(0, 2).map((x) => x.interleaved)).toEqual([undefined, undefined]);
    expect(xs.length).toBeGreaterThanOrEqual(6);
    for (const x of xs.slice(2)) {
      expect(x.interleaved, `frame ${x.replyFrame}`).toBe(true);
      // A reply's origin is its request's receive field, and its transmit is before its receive (the previous reply's T3).
      expect(x.reply!.originTime).not.toEqual(x.requestTransmit);
      // One veth hop, one host clock: microseconds, never the seconds a cookie T1 or the stale T3 would give.
      expect(Math.abs(x.offset!)).toBeLessThan(0.001);
      expect(x.delay!).toBeGreaterThan(0);
      expect(x.delay!).toBeLessThan(0.005);
    }
  });

  it('broadcast: the mode 5 packets are on their own path (sender → 198.51.100.255), as replies, none bogus', async () => {
    const xs = (await analyze('fixtures/wire/broadcast.pcap')).exchanges.filter((x) => x.requestMode === 5);
    expect(xs.length).toBeGreaterThanOrEqual(2);
    for (const x of xs) expect(x).toMatchObject({ client: { ip: '198.51.100.255' }, server: { ip: '198.51.100.100' }, outcome: 'reply', reply: { mode: 5, stratum: 11, leap: 0 } });
    expect(xs.every((x) => x.bogus === undefined)).toBe(true);
  });

  it('ntpd-self-lo: classic ntpd polling its own address on lo never answers itself: self-sync first, with the frames', async () => {
    const f = (await analyze('fixtures/wire/ntpd-self-lo.pcap')).findings[0]!;
    expect(f.title).toContain('198.51.100.100 sends NTP requests to itself');
    expect(f.severity).toBe('error');
  });
});

describe('wire captures: NTS on the wire (item 7)', () => {
  it('nts-ke-rejected: the only finding is nts-ke-failure (refused), citing both SYN → RST pairs; no no-ntp-seen', async () => {
    const r = await analyze('fixtures/wire/nts-ke-rejected.pcap');
    expect(summary(r.findings)).toEqual(['error nts-ke-failure']);
    const f = r.findings[0]!;
    expect(f.subject).toBe('198.51.100.100');
    expect(f.title).toContain('refused or rejected');
    expect(f.evidence[0]).toMatchObject({ frames: [1, 2, 3, 4], unit: 'frame' });
    expect(f.evidence[0]!.text).toContain('2 connections (client ports 48754, 53094) answered by RST from 198.51.100.100');
    expect(f.fixes[0]!.commands).toEqual(["ss -ltnp 'sport = :4460'"]);
    expect(f.fixes.map((x) => x.platform)).toEqual(['generic', 'firewalld', 'nftables', 'iptables']);
  });

  it('nts-untrusted: nts-ke-failure (certificate not trusted), the CLIENT reset after the server flight, ntstrustedcerts fix', async () => {
    const r = await analyze('fixtures/wire/nts-untrusted.pcap');
    expect(summary(r.findings)).toEqual(['error nts-ke-failure']);
    const f = r.findings[0]!;
    expect(f.title).toContain('certificate is not trusted');
    expect(f.evidence[0]).toMatchObject({ frames: [1, 10] });
    expect(f.evidence[0]!.text).toContain('then the CLIENT reset the connection (client port 51986) without sending an encrypted record');
    expect(f.evidence[0]!.text).toContain('the certificate and any alert are encrypted');
    expect(f.fixes.flatMap((x) => x.commands)).toContain("echo 'ntstrustedcerts /etc/chrony/nts-ca.crt' >> /etc/chrony/chrony.conf");
  });

  it('nts-ke-dropped: three SYNs of one connection, nothing back: no answer, the firewall path on TCP 4460', async () => {
    const r = await analyze('fixtures/wire/nts-ke-dropped.pcap');
    expect(summary(r.findings)).toEqual(['error nts-ke-failure']);
    const f = r.findings[0]!;
    expect(f.title).toContain('no answer on the TCP port');
    expect(f.evidence[0]!.text).toContain('3 SYNs (client port 46400) with no answer at all');
    expect(f.evidence[0]!.frames).toEqual([1, 3]);
  });

  it('nts-ke-icmp: each SYN answered by ICMP 3/13 from node0 (chronyd: "No route to host")', async () => {
    const f = (await analyze('fixtures/wire/nts-ke-icmp.pcap')).findings[0]!;
    expect(f.rule).toBe('nts-ke-failure');
    expect(f.evidence[0]!.text).toContain('2 connections (client ports 47022, 58288) each answered by ICMP type 3 code 13 from 198.51.100.100');
    expect(f.evidence[0]!.frames).toEqual([1, 2, 3, 4]);
  });

  it('nts-ke-alpn: the SERVER closes after the handshake and resets: server-side refusal, its log first', async () => {
    const f = (await analyze('fixtures/wire/nts-ke-alpn.pcap')).findings[0]!;
    expect(f.rule).toBe('nts-ke-failure');
    expect(f.title).toContain('the server refuses the NTS-KE request');
    expect(f.evidence[0]!.text).toContain('the SERVER closed the connection (FIN) once the TLS handshake was done (the client had sent its Finished)');
    expect(f.fixes[0]!.commands).toEqual(['journalctl -u chronyd -u chrony -u ntpsec --since -1h']);
  });

  it('nts-ke-tls12: the server closes after the ClientHello (no ServerHello): the TLS handshake refused, not the client\'s alert', async () => {
    const f = (await analyze('fixtures/wire/nts-ke-tls12.pcap')).findings[0]!;
    expect(f.rule).toBe('nts-ke-failure');
    expect(f.title).toContain('the TLS handshake fails');
    expect(f.evidence[0]!.text).toContain('the SERVER closed (FIN) the connection right after the client\'s ClientHello, without a ServerHello');
    expect(f.evidence[0]!.text).toContain("the client's decode_error (50) alert after that answers the close");
    expect(f.evidence[0]!.frames).toEqual([1, 6]);
  });

  it('nts-healthy: no finding at all (KE then NTP: ok)', async () => {
    expect(summary((await analyze('fixtures/wire/nts-healthy.pcap')).findings)).toEqual([]);
  });
});

/**
 * ntp ≥ 4.2.7p26 never returns a monlist (fixtures/wire/mode7-monlist.pcap: "data not found"), and no older ntpd can be
 * run here. The amplifier case is therefore made by hand FROM that real capture: its request frames stay as recorded,
 * and the 8-byte INFO_ERR_NODATA answer to the monlist (request code 42) is replaced by what ntp ≤ 4.2.7p25 sent:
 * 6 × (8-byte header + 6 × 72-byte entries), the M ("more") bit on all but the last (ntp_request.h, CVE-2013-5211).
 */
describe('hand-made from the real mode 7 capture: an old ntpd that still answers monlist with data', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ndwir-monlist-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function ipv4Checksum(h: Uint8Array): number {
    let sum = 0;
    for (let i = 0; i < h.length; i += 2) sum += (h[i]! << 8) | h[i + 1]!;
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    return ~sum & 0xffff;
  }

  /** The template frame (Ethernet + IPv4 + UDP) with a new NTP payload: lengths and the IPv4 header checksum redone, UDP checksum 0 (none). */
  function withPayload(template: Uint8Array, payload: Uint8Array): Uint8Array {
    const ipStart = 14;
    const ihl = (template[ipStart]! & 0x0f) * 4;
    const udpStart = ipStart + ihl;
    const out = new Uint8Array(udpStart + 8 + payload.length);
    out.set(template.subarray(0, udpStart + 8));
    out.set(payload, udpStart + 8);
    const view = new DataView(out.buffer);
    view.setUint16(ipStart + 2, ihl + 8 + payload.length);
    view.setUint16(ipStart + 10, 0);
    view.setUint16(ipStart + 10, ipv4Checksum(out.subarray(ipStart, ipStart + ihl)));
    view.setUint16(udpStart + 4, 8 + payload.length);
    view.setUint16(udpStart + 6, 0);
    return out;
  }

  function pcapOf(records: CaptureRecord[]): Uint8Array {
    const parts: Buffer[] = [];
    const h = Buffer.alloc(24);
    h.writeUInt32LE(0xa1b2c3d4, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeUInt32LE(65535, 16);
    h.writeUInt32LE(1, 20);
    parts.push(h);
    for (const r of records) {
      const rh = Buffer.alloc(16);
      rh.writeUInt32LE(r.tsSec, 0);
      rh.writeUInt32LE(Math.floor(r.tsNsec / 1000), 4);
      rh.writeUInt32LE(r.data.length, 8);
      rh.writeUInt32LE(r.data.length, 12);
      parts.push(rh, Buffer.from(r.data));
    }
    return Buffer.concat(parts);
  }

  it('→ mode6-exposed error, titled as the CVE-2013-5211 amplifier, with the amplification factor', async () => {
    const records = readPcap(join(root, 'fixtures/wire/mode7-monlist.pcap'));
    // The monlist answer: the first mode 7 response (byte 0 has R set, mode 7) right after a 192-byte request with code 42.
    const udpPayload = (r: CaptureRecord) => r.data.subarray(14 + (r.data[14]! & 0x0f) * 4 + 8);
    const answer = records.findIndex((r, i) => {
      const p = udpPayload(r);
      const q = i > 0 ? udpPayload(records[i - 1]!) : undefined;
      return r.data[23] === 17 && (p[0]! & 0x87) === 0x87 && p[3] === 42 && q !== undefined && q[3] === 42;
    });
    expect(answer, 'the real INFO_ERR_NODATA answer to monlist').toBeGreaterThan(0);
    const template = records[answer]!;
    expect(udpPayload(template).length).toBe(8);
    const forged: CaptureRecord[] = [];
    for (let i = 0; i < 6; i++) {
      const entries = new Uint8Array(6 * 72).map((_, j) => (j * 7 + i) & 0xff);
      const payload = encodeNtp({
        kind: 'private', leap: 0, version: 2, mode: 7, response: true, more: i < 5, authenticated: false, sequence: i,
        implementation: 3, requestCode: 42, errorCode: 0, itemCount: 6, itemSize: 72, data: entries,
      });
      forged.push({ ...template, tsNsec: template.tsNsec + i * 1000, data: withPayload(template.data, payload) });
    }
    const file = join(dir, 'monlist-amplifier.pcap');
    writeFileSync(file, pcapOf([...records.slice(0, answer), ...forged, ...records.slice(answer + 1)]));
    const f = (await analyzeCaptures([file], {})).findings[0]!;
    expect(f).toMatchObject({ rule: 'mode6-exposed', severity: 'error', reason: 'mode7-answered' });
    expect(f.title).toBe('198.51.100.100 answers monlist (mode 7) — a CVE-2013-5211 amplifier — to the network');
    // 6 × 440 monlist octets + sysinfo's 88 for the two 192-octet requests.
    expect(f.evidence[0]!.text).toContain('with 7 responses: 2728 bytes out for 384 in (×7.1)');
    expect(f.evidence.at(-1)!.text).toContain('CVE-2013-5211');
  });
});
