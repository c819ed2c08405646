/**
 * Provenance of the derived fixtures (fixtures/capture/README.md): the big-endian files are exactly the
 * byte swap of their real little-endian captures, the two-section file is the concatenation it claims, and
 * every capture fixture stays small.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CAPTURE_FIXTURES, readAll } from './helpers.js';
import { pcapngToBigEndian, pcapToBigEndian } from './swap-endian.js';

const fixture = (name: string): Buffer => readFileSync(join(CAPTURE_FIXTURES, name));

describe('derived fixtures', () => {
  it.each([
    ['lo-udp-us-be.pcap', 'lo-udp-us.pcap', pcapToBigEndian],
    ['lo-udp-ns-be.pcap', 'lo-udp-ns.pcap', pcapToBigEndian],
    ['lo-any-be.pcapng', 'lo-any.pcapng', pcapngToBigEndian],
  ])('%s is the byte swap of %s', (be, le, swap) => {
    expect(Buffer.from(swap(fixture(le))).equals(fixture(be))).toBe(true);
  });

  it('big-endian twins read as the same records', async () => {
    for (const [be, le] of [['lo-udp-us-be.pcap', 'lo-udp-us.pcap'], ['lo-any-be.pcapng', 'lo-any.pcapng']] as const) {
      const [a, b] = await Promise.all([readAll(join(CAPTURE_FIXTURES, be)), readAll(join(CAPTURE_FIXTURES, le))]);
      expect(a.records).toEqual(b.records);
      expect([a.result.littleEndian, b.result.littleEndian]).toEqual([false, true]);
    }
  });

  it('sections-le-be.pcapng is lo-udp.pcapng followed by lo-any-be.pcapng', () => {
    expect(fixture('sections-le-be.pcapng').equals(Buffer.concat([fixture('lo-udp.pcapng'), fixture('lo-any-be.pcapng')]))).toBe(true);
  });

  it('two sections: interface ids restart, byte order changes, link types per interface', async () => {
    const { records, result } = await readAll(join(CAPTURE_FIXTURES, 'sections-le-be.pcapng'));
    expect(result.interfaces.map((i) => [i.section, i.id, i.linkType, i.name])).toEqual([
      [0, 0, 1, 'lo'],
      [1, 0, 1, 'lo'],
      [1, 1, 113, 'any'],
    ]);
    expect(result.littleEndian).toBe(false);
    expect(records.map((r) => r.frame)).toEqual(Array.from({ length: 18 }, (_, i) => i + 1));
    expect(new Set(records.slice(6).map((r) => `${r.interfaceId}:${r.linkType}`))).toEqual(new Set(['0:1', '1:113']));
  });

  it('merged capture: SLL2 in µs and Ethernet in ns', async () => {
    const { records, result } = await readAll(join(CAPTURE_FIXTURES, 'merged-sll2-us-ether-ns.pcapng'));
    expect(result.interfaces.map((i) => [i.linkType, i.tsResolutionDigits])).toEqual([[276, 6], [1, 9]]);
    expect(records.filter((r) => r.linkType === 276).every((r) => r.tsNsec % 1000 === 0)).toBe(true);
    expect(records.filter((r) => r.linkType === 1).some((r) => r.tsNsec % 1000 !== 0)).toBe(true);
  });

  it('every capture fixture is under 20 KB', () => {
    for (const name of readdirSync(CAPTURE_FIXTURES)) {
      if (/\.pcap(ng)?$/.test(name)) expect(statSync(join(CAPTURE_FIXTURES, name)).size, name).toBeLessThan(20_000);
    }
  });
});
