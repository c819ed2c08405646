/**
 * Randomised client transmit timestamps (issue 13 item 7): chrony's NTS and data-minimised requests, OpenNTPD's
 * cookie. Never a large offset: T1/T4 come from the capture clock and offsetMethod says 'capture-times'
 * (src/correlate/measure.ts RANDOM_T1). A real clock far off still shows, from its second request on.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ethernet, ntpHeader, pcapFile, udpPacket } from '../../bench/frames.mjs';
import { RANDOM_T1 } from '../../src/correlate/measure.js';
import { analyzeCaptures } from '../../src/run/capture-file.js';
import { readPcap } from '../decode/pcap.js';

const dir = mkdtempSync(join(tmpdir(), 'ndrandt1-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('random T1', () => {
  it('nts-healthy.pcap (chronyd 4.3 NTS: T1 random, precision 32): capture-times on every exchange, µs offsets, no finding', async () => {
    const r = await analyzeCaptures(['fixtures/wire/nts-healthy.pcap'], {});
    expect(r.exchanges).toHaveLength(6);
    for (const x of r.exchanges) {
      expect(x.offsetMethod, `frame ${x.requestFrame}`).toBe('capture-times');
      expect(Math.abs(x.offset!)).toBeLessThan(0.001);
      expect(x.delay!).toBeGreaterThan(0);
    }
    expect(r.servers?.[0]?.offsetMethod).toBe('capture-times');
    expect(r.findings.map((f) => f.rule)).toEqual([]);
  });

  it('the same requests without data minimisation (precision −20, as OpenNTPD or an NTS client that keeps its fields): still capture-times, never large-offset', async () => {
    const records = readPcap('fixtures/wire/nts-healthy.pcap');
    const frames: Array<[number, Uint8Array]> = records.map((rec) => {
      const d = rec.data.slice();
      // Ethernet 14 + IPv4 20 + UDP 8: the NTP header at 42; a mode 3 request gets a real precision, UDP checksum 0 (none).
      if (d[23] === 17 && d.length > 45 && ((d[42]! & 7) === 3)) {
        d[45] = 0xec;
        d[40] = 0;
        d[41] = 0;
      }
      return [rec.tsSec + rec.tsNsec / 1e9, d];
    });
    const file = join(dir, 'nts-not-minimised.pcap');
    writeFileSync(file, pcapFile(frames));
    const r = await analyzeCaptures([file], {});
    // The first far T1 of the path cannot be told from a clock that far off: not measured; then capture times.
    expect(r.exchanges.map((x) => x.offsetMethod)).toEqual([undefined, ...Array(5).fill('capture-times')]);
    expect(r.exchanges[0]!.offset).toBeUndefined();
    for (const x of r.exchanges.slice(1)) expect(Math.abs(x.offset!)).toBeLessThan(0.001);
    expect(r.findings.filter((f) => f.severity !== 'info').map((f) => f.rule)).toEqual([]);
  });

  it('a clock really a year off (the same skew request after request) is measured as such from its second request: large-offset', async () => {
    const t0 = 1_796_581_000;
    const year = 365 * 86400;
    const frames: Array<[number, Uint8Array]> = [];
    for (let i = 0; i < 4; i++) {
      const t = t0 + i * 16;
      const req = ntpHeader({ mode: 3, precision: -20, transmit: t + year });
      const rep = ntpHeader({ mode: 4, stratum: 2, refid: 0x7f7f0101, reference: t - 10, origin: t + year, receive: t + 0.0002, transmit: t + 0.0003 });
      frames.push([t, ethernet(udpPacket('198.51.100.130', '198.51.100.100', 40000 + i, 123, req))]);
      frames.push([t + 0.0005, ethernet(udpPacket('198.51.100.100', '198.51.100.130', 123, 40000 + i, rep))]);
    }
    const file = join(dir, 'year-off.pcap');
    writeFileSync(file, pcapFile(frames));
    const r = await analyzeCaptures([file], {});
    // The first is not measured (undecided), the rest are one-way: the capture clock agrees with the server's.
    expect(r.exchanges.map((x) => x.offsetMethod)).toEqual([undefined, 'one-way', 'one-way', 'one-way']);
    for (const x of r.exchanges.slice(1)) expect(x.offset!).toBeCloseTo(-year, 2);
    expect(r.findings[0]!.rule).toBe('large-offset');
  });

  it('random T1s on one path that happen to lie far apart are never taken for a steady clock', async () => {
    const t0 = 1_796_581_000;
    const frames: Array<[number, Uint8Array]> = [];
    const cookies = [t0 - 20 * 365 * 86400, t0 + 31 * 365 * 86400, t0 - 3 * 365 * 86400 + 7, t0 + 2 * RANDOM_T1];
    cookies.forEach((c, i) => {
      const t = t0 + i * 64;
      frames.push([t, ethernet(udpPacket('198.51.100.130', '198.51.100.100', 41000 + i, 123, ntpHeader({ mode: 3, precision: -20, transmit: c })))]);
      frames.push([t + 0.001, ethernet(udpPacket('198.51.100.100', '198.51.100.130', 123, 41000 + i, ntpHeader({ mode: 4, stratum: 2, refid: 1, reference: t - 5, origin: c, receive: t + 0.0004, transmit: t + 0.0006 })))]);
    });
    const file = join(dir, 'cookies.pcap');
    writeFileSync(file, pcapFile(frames));
    const r = await analyzeCaptures([file], {});
    expect(r.exchanges.map((x) => x.offsetMethod)).toEqual([undefined, ...Array(3).fill('capture-times')]);
    for (const x of r.exchanges.slice(1)) expect(Math.abs(x.offset!)).toBeLessThan(0.001);
    expect(r.findings.map((f) => f.rule)).not.toContain('large-offset');
  });
});
