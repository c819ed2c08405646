import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import rule from '../../rules/no-ntp-seen.js';
import { analyzeCaptures, observeCapture } from '../../src/run/capture-file.js';
import type { InputObservation } from '../../src/model/observation.js';
import { control, hitsOf, path, silentPath } from './_build.js';
import { ruleTester } from './_tester.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
// Made in a hook, not at import: test/rules/meta.test.ts imports this file for its rule-tester cases.
let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ntpdoctor-noseen-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function input(over: Partial<InputObservation> = {}): InputObservation {
  return { kind: 'input', source: 'capture', file: 'x.pcap', frames: 3, ntpFrames: 0, decodeIssues: { count: 0, frames: [] }, ...over };
}

/** A classic pcap (µs, little-endian) of `frames` with link type `link`. */
function pcap(link: number, frames: Uint8Array[]): Uint8Array {
  const parts: Buffer[] = [];
  const h = Buffer.alloc(24);
  h.writeUInt32LE(0xa1b2c3d4, 0);
  h.writeUInt16LE(2, 4);
  h.writeUInt16LE(4, 6);
  h.writeUInt32LE(65535, 16);
  h.writeUInt32LE(link, 20);
  parts.push(h);
  frames.forEach((f, i) => {
    const r = Buffer.alloc(16);
    r.writeUInt32LE(1_700_000_000 + i, 0);
    r.writeUInt32LE(f.length, 8);
    r.writeUInt32LE(f.length, 12);
    parts.push(r, Buffer.from(f));
  });
  return Buffer.concat(parts);
}

const ether = (type: number, payload: number[]) => Uint8Array.from([...Array(12).fill(2), type >> 8, type & 0xff, ...payload]);
function ipv4(protocol: number, src: number[], dst: number[], l4: number[]): number[] {
  const total = 20 + l4.length;
  return [0x45, 0, total >> 8, total & 0xff, 0, 0, 0x40, 0, 64, protocol, 0, 0, ...src, ...dst, ...l4];
}
const udp = (sport: number, dport: number) => [sport >> 8, sport & 0xff, dport >> 8, dport & 0xff, 0, 12, 0, 0, 1, 2, 3, 4];
const ipv6 = (next: number, l4: number[]) => [0x60, 0, 0, 0, 0, l4.length, next, 64, ...Array(15).fill(0), 1, ...Array(15).fill(0), 1, ...l4];

describe('no-ntp-seen', () => {
  it('on a real capture of pings, a DNS-port datagram and a TCP SYN: says what was there', async () => {
    const report = await analyzeCaptures([join(root, 'test/rules/captures/no-ntp-pings.pcap')]);
    expect(report.findings.map((f) => f.rule)).toEqual(['no-ntp-seen']);
    const f = report.findings[0]!;
    expect(f.title).toMatch(/: 14 frames, no NTP frame: nothing to judge NTP by$/);
    expect(f.evidence.map((e) => e.text)).toEqual([
      '14 frames read, 0 NTP/ICMP frames among them',
      'Protocols: IPv4 12, ARP 2, TCP 2, UDP other ports 1, ICMP 9',
      '1 UDP datagram on ports other than 123: NTP on another port is not decoded',
      'Busiest IPv4 addresses (port 123 aside): 198.51.100.1 (12 frames), 198.51.100.2 (12 frames)',
      'Link type: Ethernet',
    ]);
    expect(f.fixes[0]!.commands).toEqual(["tcpdump -i any -w ntp.pcap 'udp port 123 or icmp or icmp6 or tcp port 4460'"]);
  });

  it('on a real loopback capture of NTP on port 11923 (not decoded): counts both families and the other-port UDP', async () => {
    const report = await analyzeCaptures([join(root, 'fixtures/decode/lo-ntp-icmp.pcap')]);
    const f = report.findings.find((x) => x.rule === 'no-ntp-seen')!;
    expect(f.evidence.map((e) => e.text)).toContain('Protocols: IPv4 5, IPv6 3, UDP other ports 6, ICMP 1, ICMPv6 1');
  });

  it('counts crafted frames of every kind, the same on one thread and on several', async () => {
    const a = [198, 51, 100, 7];
    const b = [198, 51, 100, 9];
    const frames = [
      ether(0x0806, Array(28).fill(0)), // ARP
      ether(0x0800, ipv4(17, a, b, udp(40000, 53))),
      ether(0x0800, ipv4(17, a, b, udp(40001, 53))),
      ether(0x0800, ipv4(6, b, a, Array(20).fill(0))),
      ether(0x86dd, ipv6(6, Array(20).fill(0))),
      ether(0x86dd, ipv6(58, [128, 0, 0, 0, 0, 1, 0, 1])),
      ether(0x8100, Array(30).fill(0)), // a VLAN tag: other
      Uint8Array.from([1, 2, 3]), // cut before the EtherType: other
      ether(0x0800, ipv4(47, a, b, [])), // GRE: other
    ];
    const file = join(dir, 'crafted.pcap');
    writeFileSync(file, pcap(1, frames));
    const want = { ipv4: 4, ipv6: 2, arp: 1, tcp: 2, udpOther: 2, udp123: 0, icmp: 0, icmp6: 1, other: 3 };
    for (const threads of [1, 2]) {
      const a1 = await observeCapture(file, { threads });
      const obs = a1.observations.find((o): o is InputObservation => o.kind === 'input')!;
      expect(obs.traffic).toMatchObject(want);
      expect(obs.traffic!.topAddresses).toEqual([
        { address: '198.51.100.7', frames: 4 },
        { address: '198.51.100.9', frames: 4 },
      ]);
      expect(obs.linkTypes).toEqual([1]);
    }
  });

  it('counts raw IP and an empty capture (0 frames) still fires', async () => {
    const file = join(dir, 'empty.pcap');
    writeFileSync(file, pcap(1, []));
    const report = await analyzeCaptures([file]);
    expect(report.findings.map((f) => `${f.rule}: ${f.title}`)).toEqual([`no-ntp-seen: ${file}: 0 frames, no NTP frame: nothing to judge NTP by`]);
    const raw = join(dir, 'raw.pcap');
    writeFileSync(raw, pcap(101, [Uint8Array.from(ipv4(17, [10, 0, 0, 1], [10, 0, 0, 2], udp(123, 123)))]));
    const obs = (await observeCapture(raw)).observations.find((o): o is InputObservation => o.kind === 'input')!;
    expect(obs.traffic).toMatchObject({ ipv4: 1, udp123: 1, other: 0, topAddresses: [] });
  });

  it('fires on ntpq traffic alone, as info when it was answered (judged by mode6-exposed), and ranks after mode6-exposed', async () => {
    const hit = hitsOf(rule, [control(), input({ ntpFrames: 2 })])[0]!;
    expect(hit.title).toBe('x.pcap: 3 frames, only ntpq (mode 6/7) traffic: nothing to judge NTP by');
    expect(hit.severity).toBe('info');
    expect(hitsOf(rule, [control({ responses: { count: 0, frames: [] } }), input({ ntpFrames: 1 })])[0]!.severity).toBeUndefined();
    const report = await analyzeCaptures([join(root, 'fixtures/mode6-exposed.pcap')]);
    expect(report.findings.map((f) => `${f.severity} ${f.rule}`)).toEqual(['info mode6-exposed', 'info no-ntp-seen']);
  });

  it('fires on replies without any request', () => {
    const hit = hitsOf(rule, [path({ requests: { count: 0, frames: [] }, replies: { count: 0, frames: [] } }), input({ ntpFrames: 2 })])[0]!;
    expect(hit.title).toBe('x.pcap: 3 frames, NTP without any client request: nothing to judge NTP by');
  });

  it('stays quiet on a healthy capture', async () => {
    const report = await analyzeCaptures([join(root, 'fixtures/healthy-chrony.pcap')]);
    expect(report.findings.map((f) => f.rule)).not.toContain('no-ntp-seen');
  });
});

ruleTester.run('no-ntp-seen', rule, {
  valid: [
    { name: 'a capture with NTP in it', observations: () => [path(), input({ ntpFrames: 4 })] },
    { name: 'unanswered NTP is still NTP', observations: () => [silentPath(), input({ ntpFrames: 4 })] },
    { name: 'an unreadable capture (capture-damaged says so)', observations: () => [input({ frames: 0, stop: { kind: 'malformed', offset: 24, frame: 1, reason: 'bad' } })] },
  ],
  invalid: [
    {
      name: 'pings and ARP, no NTP',
      observations: () => [
        {
          kind: 'input', source: 'capture', file: 'pings.pcap', frames: 6, ntpFrames: 0, decodeIssues: { count: 0, frames: [] }, linkTypes: [1], interfaceNames: ['eth0'],
          traffic: { ipv4: 4, ipv6: 0, arp: 2, tcp: 0, udpOther: 0, udp123: 0, icmp: 4, icmp6: 0, other: 0, topAddresses: [{ address: '198.51.100.1', frames: 4 }] },
        },
      ],
      findings: [
        {
          subject: 'pings.pcap',
          severity: 'warning',
          title: 'pings.pcap: 6 frames, no NTP frame',
          evidence: ['6 frames read, 0 NTP/ICMP frames among them', 'Protocols: IPv4 4, ARP 2, ICMP 4', 'Captured on: eth0'],
        },
      ],
    },
  ],
});

describe('no-ntp-seen and NTS key establishment on TCP 4460 (issue 13 item 7)', () => {
  it('a failed KE explains the absence of NTP: no-ntp-seen stays silent (nts-ke-failure judges it)', async () => {
    for (const f of ['nts-ke-rejected', 'nts-untrusted']) {
      const { observations } = await observeCapture(join(root, `fixtures/wire/${f}.pcap`));
      expect(observations.filter((o) => o.kind === 'nts-ke-session').length, f).toBe(1);
      expect(hitsOf(rule, observations), f).toEqual([]);
    }
  });

  it('a KE the capture cut short (nothing decided) is said in the evidence, and the warning stays', async () => {
    const { observations } = await observeCapture(join(root, 'fixtures/wire/nts-untrusted.pcap'));
    const open = observations.map((o) => (o.kind === 'nts-ke-session' ? { ...o, outcome: 'open' as const } : o));
    const [hit, ...rest] = hitsOf(rule, open);
    expect(rest).toEqual([]);
    expect(hit!.severity ?? 'warning').toBe('warning');
    expect(hit!.evidence.at(-1)!.text).toBe('NTS-KE (TCP 4460) seen: 198.51.100.130 → 198.51.100.100:4460 (1 connection, open). NTP with NTS follows a completed key establishment on UDP 123');
  });
});
