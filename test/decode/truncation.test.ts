/**
 * Truncation matrix (gopacket; docs/architecture.md, "Hostile input"): every prefix of a real frame decodes without throwing, is marked
 * truncated, and keeps the layers that fitted. Frames: fixtures/decode/veth-ntp-reject.pcap frames 1 (IPv4 NTP
 * request), 3 (IPv6 request), 6 (ICMP 3/10 quoting a request) and 8 (ICMPv6 1/1).
 */
import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../../src/decode/frame.js';
import type { DecodedFrame } from '../../src/decode/types.js';
import { fixturePath, prefix, readPcap } from './pcap.js';

const records = readPcap(fixturePath('veth-ntp-reject.pcap'));

function truncatedSomewhere(f: DecodedFrame): boolean {
  return f.issues.some((i) => i.kind === 'truncated') || f.ntp?.truncated === true;
}

describe('truncation matrix', () => {
  it('IPv4/UDP/NTP: every prefix', () => {
    const full = records[0]!;
    const whole = decodeFrame(full);
    for (let n = 0; n < full.capturedLength; n++) {
      const f = decodeFrame(prefix(full, n));
      expect(truncatedSomewhere(f), `prefix ${n}`).toBe(true);
      expect(f.issues.every((i) => i.kind === 'truncated'), `prefix ${n}: ${JSON.stringify(f.issues)}`).toBe(true);
      if (n >= 14 + 20) expect(f.ip).toEqual(whole.ip);
      else expect(f.ip).toBeUndefined();
      if (n >= 14 + 20 + 8) {
        expect(f.udp).toEqual({ ...whole.udp, checksumStatus: 'unverifiable' });
        expect(f.ntp?.truncated).toBe(true);
      } else {
        expect(f.udp).toBeUndefined();
      }
      if (n >= 14 + 28 + 48) expect(f.ntp?.message).toEqual(whole.ntp?.message);
      if (n > 14 + 28 && n < 14 + 28 + 48) expect(f.ntp?.partial?.available).toBe(n - 42);
    }
  });

  it('IPv6/UDP/NTP: every prefix', () => {
    const full = records[2]!;
    const whole = decodeFrame(full);
    for (let n = 0; n < full.capturedLength; n++) {
      const f = decodeFrame(prefix(full, n));
      expect(truncatedSomewhere(f), `prefix ${n}`).toBe(true);
      if (n >= 14 + 40) expect(f.ip).toEqual(whole.ip);
      if (n >= 14 + 48) expect(f.udp?.srcPort).toBe(whole.udp?.srcPort);
    }
  });

  for (const [name, index] of [
    ['ICMP 3/10', 5],
    ['ICMPv6 1/1', 7],
  ] as const) {
    it(`${name} quoting an NTP request: every prefix`, () => {
      const full = records[index]!;
      const whole = decodeFrame(full);
      const ipLength = whole.ip?.version === 4 ? 20 : 40;
      for (let n = 0; n < full.capturedLength; n++) {
        const f = decodeFrame(prefix(full, n));
        expect(truncatedSomewhere(f) || f.icmp?.quoted?.ntp?.truncated === true, `prefix ${n}`).toBe(true);
        if (n >= 14 + ipLength) expect(f.ip).toEqual(whole.ip);
        if (n >= 14 + ipLength + 2) expect([f.icmp?.type, f.icmp?.code]).toEqual([whole.icmp?.type, whole.icmp?.code]);
        const quotedAt = 14 + ipLength + 8;
        if (n >= quotedAt + ipLength + 4) {
          expect(f.icmp?.quoted).toMatchObject({ src: whole.icmp?.quoted?.src, dstPort: 123 });
        }
        if (n >= quotedAt + ipLength + 8) expect(f.icmp?.quoted?.ntp?.truncated).toBe(true);
        if (n >= quotedAt + ipLength + 8 + 48) {
          expect(f.icmp?.quoted?.ntp?.message).toEqual(whole.icmp?.quoted?.ntp?.message);
        }
      }
    });
  }
});

describe('robustness', () => {
  it('never throws on mutated real frames, under every link type', () => {
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const linkTypes = [0, 1, 12, 101, 108, 113, 228, 229, 276, 999];
    for (let i = 0; i < 30000; i++) {
      const base = records[i % records.length]!;
      const data = base.data.slice(0, Math.floor(rand() * (base.data.length + 1)));
      const flips = 1 + Math.floor(rand() * 4);
      for (let k = 0; k < flips && data.length > 0; k++) data[Math.floor(rand() * data.length)] = Math.floor(rand() * 256);
      const record = { ...base, linkType: linkTypes[i % linkTypes.length]!, capturedLength: data.length, data };
      const f = decodeFrame(record, { ntpPorts: [11923] });
      expect(Array.isArray(f.issues)).toBe(true);
      expect(f.issues.some((x) => x.layer === 'frame')).toBe(false); // no internal exception was caught either
    }
  });
});
