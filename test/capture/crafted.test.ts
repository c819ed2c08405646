/**
 * Hand-made pcapng and pcap files for what the real captures do not contain: Simple and obsolete Packet
 * Blocks, if_tsresol as a power of two, if_tsoffset, NRB/custom/unknown blocks to skip, the FCS bits of a
 * pcap link-type field, and every kind of impossible length (malformed: earlier records kept). Expected
 * values are worked out by hand from the fields written; tshark reads the well-formed file as a check.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ascii, block, Bytes, concat, epb, idb, opb, option, pcapHeader, pcapRecord, shb, spb } from './build.js';
import { CAPTURE_FIXTURES, hasTool, readBytes, skipLine, tsharkRecords } from './helpers.js';

const LE = true;
const BE = false;
const pattern = (n: number, seed: number): number[] => Array.from({ length: n }, (_, i) => (seed + i * 7) & 0xff);
const tmp = mkdtempSync(join(tmpdir(), 'ndcap-crafted-'));
const haveTshark = await hasTool('tshark');
if (!haveTshark) skipLine('crafted pcapng vs tshark', 'tshark not installed');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// --- A well-formed little-endian pcapng with one of everything -------------------------------------------
const raw64 = pattern(64, 1); // LINKTYPE_RAW payload (content irrelevant to the reader)
const ether60 = pattern(60, 2);
const crafted = concat(
  shb(LE, [option(LE, 4, ascii('ntpdoctor test'))]), // shb_userappl
  // Interface 0: LINKTYPE_RAW (101), snaplen 64, if_name "craft0", if_tsresol 0x94 = 2^-20 s, if_tsoffset +1e9 s
  idb(LE, 101, 64, [option(LE, 2, ascii('craft0')), option(LE, 9, [0x94]), option(LE, 14, new Bytes(LE).u64(1_000_000_000n).toBytes())]),
  // Interface 1: Ethernet, snaplen 0 (no limit), if_tsresol 9 (ns), if_fcslen 4
  idb(LE, 1, 0, [option(LE, 9, [9]), option(LE, 13, [4])]),
  // Name Resolution Block (§4.5): one IPv4 record 127.0.0.1 → "localhost", then nrb_record_end: skipped
  block(LE, 4, new Bytes(LE).u16(1).u16(14).raw([127, 0, 0, 1]).raw(ascii('localhost\0')).pad().u16(0).u16(0).toBytes()),
  // Frame 2 — Custom Block (§4.8), PEN 32473 (RFC 5612 documentation PEN): skipped, but numbered as tshark does
  block(LE, 0xbad, new Bytes(LE).u32(32473).raw(ascii('hello')).toBytes()),
  // Frame 2 — Simple Packet Block: original 80, stored 64 = min(original, snaplen 64) on interface 0
  spb(LE, 80, raw64),
  // Frame 3 — EPB on interface 1 at 1795305641.574809969 (ns units), 60 of 64 bytes, epb_flags = inbound
  epb(LE, 1, 1_795_305_641_574_809_969n, ether60, 64, [option(LE, 2, new Bytes(LE).u32(1).toBytes())]),
  // Interface Statistics Block (§4.6) for interface 0: skipped
  block(LE, 5, new Bytes(LE).u32(0).u32(0).u32(0).toBytes()),
  // Frame 4 — EPB on interface 0: (1.7e9 s << 20) + 524289 units of 2^-20 s, + if_tsoffset 1e9 s
  //   → 2700000000 s and floor(524289 · 1e9 / 2^20) = 500000953 ns
  epb(LE, 0, (1_700_000_000n << 20n) + 524_289n, raw64.slice(0, 40)),
  // An unknown block type: skipped by its length
  block(LE, 0x123, [1, 2, 3, 4, 5, 6, 7, 8]),
  // Decryption Secrets Block (§4.7): TLS key log, skipped
  block(LE, 0x0a, new Bytes(LE).u32(0x544c534b).u32(4).raw(ascii('keys')).toBytes()),
  // Frame 5 — obsolete Packet Block (Appendix A) on interface 1 at 1795305641.000000001
  opb(LE, 1, 1_795_305_641_000_000_001n, ether60.slice(0, 42)),
  // Frame 6 — EPB on interface 0 with nothing captured
  epb(LE, 0, 0n, [], 1500),
);

const expected = [
  { frame: 2, interfaceId: 0, linkType: 101, tsSec: 0, tsNsec: 0, capturedLength: 64, originalLength: 80, hex: Buffer.from(raw64).toString('hex') },
  { frame: 3, interfaceId: 1, linkType: 1, tsSec: 1795305641, tsNsec: 574809969, capturedLength: 60, originalLength: 64, hex: Buffer.from(ether60).toString('hex') },
  { frame: 4, interfaceId: 0, linkType: 101, tsSec: 2_700_000_000, tsNsec: 500_000_953, capturedLength: 40, originalLength: 40, hex: Buffer.from(raw64.slice(0, 40)).toString('hex') },
  { frame: 5, interfaceId: 1, linkType: 1, tsSec: 1795305641, tsNsec: 1, capturedLength: 42, originalLength: 42, hex: Buffer.from(ether60.slice(0, 42)).toString('hex') },
  { frame: 6, interfaceId: 0, linkType: 101, tsSec: 1_000_000_000, tsNsec: 0, capturedLength: 0, originalLength: 1500, hex: '' },
];

describe('a hand-made pcapng with every block kind', () => {
  it('yields the packets, per-interface link types and times, and skips the rest', async () => {
    const { records, result } = await readBytes(crafted);
    expect(records).toEqual(expected);
    expect(result.stop).toBeUndefined();
    expect(result).toMatchObject({ format: 'pcapng', littleEndian: true, frames: 6, bytes: crafted.length });
    expect(result.interfaces).toEqual([
      { id: 0, section: 0, linkType: 101, snapLength: 64, name: 'craft0', tsResolutionDigits: 7, tsResolutionBits: 20 },
      { id: 1, section: 0, linkType: 1, snapLength: 0, tsResolutionDigits: 9, fcsLength: 4 },
    ]);
  });

  it('reads the same in big-endian', async () => {
    // The same blocks, written big-endian from the start (the builders swap every field).
    const be = concat(
      shb(BE),
      idb(BE, 101, 64, [option(BE, 9, [0x94]), option(BE, 14, new Bytes(BE).u64(1_000_000_000n).toBytes())]),
      idb(BE, 1, 0, [option(BE, 9, [9])]),
      spb(BE, 80, raw64),
      epb(BE, 1, 1_795_305_641_574_809_969n, ether60, 64),
      epb(BE, 0, (1_700_000_000n << 20n) + 524_289n, raw64.slice(0, 40)),
    );
    const { records, result } = await readBytes(be);
    expect(records).toEqual(expected.slice(0, 3).map((r) => ({ ...r, frame: r.frame - 1 })));
    expect(result.littleEndian).toBe(false);
  });

  it.skipIf(!haveTshark)('tshark reads the same frames', async () => {
    const path = join(tmp, 'crafted.pcapng');
    writeFileSync(path, crafted);
    const oracle = await tsharkRecords(path);
    // tshark also shows the custom block as frame 1 (8 bytes: PEN + "hello" + padding, no time).
    expect(oracle[0]).toMatchObject({ frame: 1, capturedLength: 8 });
    expect(oracle.slice(1)).toEqual(expected.map(({ linkType: _, ...r }) => r));
  });
});

describe('classic pcap link-type field', () => {
  it('masks the FCS bits (draft-ietf-opsawg-pcap §4: P bit 26, length in 16-bit words in bits 28–31)', async () => {
    const bytes = new Uint8Array(readFileSync(join(CAPTURE_FIXTURES, 'lo-udp-us.pcap')));
    const plain = await readBytes(bytes);
    // 0x24000001: FCS length 2 words, P set, link type 1.
    new DataView(bytes.buffer).setUint32(20, 0x24000001, true);
    const withFcs = await readBytes(bytes);
    expect(withFcs.records).toEqual(plain.records);
    expect(withFcs.records.every((r) => r.linkType === 1)).toBe(true);
    expect(withFcs.result.interfaces).toEqual([{ id: 0, linkType: 1, snapLength: 262144, tsResolutionDigits: 6, fcsLength: 4 }]);
    expect(plain.result.interfaces[0]?.fcsLength).toBeUndefined();
  });
});

describe('malformed files keep the records before the impossible value', () => {
  const good = (le: boolean) => concat(shb(le), idb(le, 1, 0), epb(le, 0, 1_000_000n, pattern(50, 3)));
  const goodLength = good(LE).length;

  const cases: [string, Uint8Array, number, RegExp][] = [
    ['block length not a multiple of 4', concat(good(LE), new Bytes(LE).u32(6).u32(30).raw(new Array(24).fill(0)).u32(30).toBytes()), goodLength, /impossible length 30/],
    ['block length below 12', concat(good(LE), new Bytes(LE).u32(6).u32(8).u32(8).toBytes()), goodLength, /impossible length 8/],
    ['block length above 256 MiB', concat(good(LE), new Bytes(LE).u32(6).u32(0x7ffffff0).u32(0).toBytes()), goodLength, /Enhanced Packet Block of 2147483632 bytes, more than a capture holds/],
    ['custom block above 16 MiB', concat(good(LE), new Bytes(LE).u32(0xbad).u32(16 * 1024 * 1024 + 4).u32(0).toBytes()), goodLength, /Custom Block of 16777220 bytes/],
    ['EPB captured length above 262144', concat(good(LE), block(LE, 6, new Bytes(LE).u32(0).u32(0).u32(0).u32(262_148).u32(262_148).raw(new Array(262_148).fill(1)).toBytes())), goodLength, /262148 captured bytes, more than the maximum of 262144/],
    ['trailing length differs', concat(good(LE), block(LE, 6, new Array(40).fill(0), { trailing: 48 })), goodLength, /length 52 at its start but 48 at its end/],
    ['EPB captured length beyond the block', concat(good(LE), block(LE, 6, new Bytes(LE).u32(0).u32(0).u32(0).u32(100).u32(100).raw(pattern(20, 0)).toBytes())), goodLength, /says 100 captured bytes but holds only 20/],
    ['EPB for an interface the section lacks', concat(good(LE), epb(LE, 5, 0n, [1, 2, 3])), goodLength, /interface 5, but the section describes 1/],
    ['EPB too short for its header', concat(good(LE), block(LE, 6, [0, 0, 0, 0])), goodLength, /Enhanced Packet Block of 16 bytes/],
    ['second section with a bad byte-order magic', concat(good(LE), block(LE, 0x0a0d0d0a, new Bytes(LE).u32(0x11223344).u32(0).u64(0n).toBytes())), goodLength, /byte-order magic 44 33 22 11 /],
    ['pcapng version 2', concat(good(LE), shb(LE, [], [2, 0])), goodLength, /pcapng version 2\.0/],
    ['Simple Packet Block before any interface', concat(good(LE), shb(LE), spb(LE, 4, [1, 2, 3, 4])), goodLength + shb(LE).length, /before any Interface Description Block/],
  ];
  for (const [what, bytes, offset, reason] of cases) {
    it(`pcapng: ${what}`, async () => {
      const { records, result } = await readBytes(bytes);
      expect(records.map((r) => r.frame)).toEqual([1]);
      expect(records[0]?.hex).toBe(Buffer.from(pattern(50, 3)).toString('hex'));
      expect(result.stop).toMatchObject({ kind: 'malformed', offset, frame: 2 });
      expect(result.stop?.reason).toMatch(reason);
      expect(result.frames).toBe(1);
    });
  }

  it('pcap: a record length past max(snaplen, 262144) is malformed, even when the bytes are there', async () => {
    const bytes = concat(
      pcapHeader(BE, { snapLength: 65535 }),
      pcapRecord(BE, 10, 20, pattern(30, 1)),
      pcapRecord(BE, 11, 0, new Array(262_145).fill(0)),
    );
    const { records, result } = await readBytes(bytes);
    expect(records).toEqual([{ frame: 1, interfaceId: 0, linkType: 1, tsSec: 10, tsNsec: 20_000, capturedLength: 30, originalLength: 30, hex: Buffer.from(pattern(30, 1)).toString('hex') }]);
    expect(result.stop).toMatchObject({ kind: 'malformed', offset: 24 + 16 + 30, frame: 2 });
    expect(result.stop?.reason).toMatch(/invalid packet capture length 262145, bigger than the maximum of 262144/);
  });

  it('pcap: a huge snaplen still caps records at 262144 bytes (libpcap MAXIMUM_SNAPLEN)', async () => {
    const bytes = concat(pcapHeader(LE, { snapLength: 0xffffffff }), pcapRecord(LE, 1, 0, [], 0x10000001));
    const { records, result } = await readBytes(bytes);
    expect(records).toEqual([]);
    expect(result.stop).toMatchObject({ kind: 'malformed', offset: 24, frame: 1 });
  });

  it('pcap: a record past the snaplen but within 262144 is accepted (writers do that)', async () => {
    const bytes = concat(pcapHeader(LE, { nanosecond: true, snapLength: 96 }), pcapRecord(LE, 1, 999_999_999, pattern(200, 9)));
    const { records, result } = await readBytes(bytes);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ tsSec: 1, tsNsec: 999_999_999, capturedLength: 200 });
    expect(result.stop).toBeUndefined();
  });
});
