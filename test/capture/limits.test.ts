/**
 * What the reader believes of a header, and what it refuses (issue 11 item 8): pcap versions as libpcap reads them
 * (sf-pcap.c: 2.0–2.2 store len before caplen, 2.3 maybe, 543.0 swapped; other versions refused), records over
 * libpcap's MAXIMUM_SNAPLEN (262144) refused without allocating for the claim, pcapng interface blocks bounded in
 * number and memory, and the capture's time span (first and last record).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { readCapture, readCaptureStream } from '../../src/capture/read.js';
import { MAX_INTERFACES, DESCRIBED_INTERFACES } from '../../src/capture/pcapng.js';
import { Bytes, concat, epb, idb, pcapRecord, shb } from './build.js';
import { hasTool, readBytes } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'ndcap-limits-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A pcap file header of any version (the builders write 2.4). */
function header(le: boolean, major: number, minor: number, snapLength = 65535): Uint8Array {
  return new Bytes(le).u32(0xa1b2c3d4).u16(major).u16(minor).u32(0).u32(0).u32(snapLength).u32(1).toBytes();
}

/** An Ethernet frame of `size` bytes with a local experimental EtherType (tcpdump prints its length and nothing else). */
function ether(size: number, seed: number): number[] {
  const f = new Array<number>(size).fill(seed & 0xff);
  f.splice(0, 14, 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x88, 0xb5);
  return f;
}

/** A record header in the pre-2.3 order: len first, then caplen. */
function oldRecord(le: boolean, sec: number, usec: number, data: number[], originalLength: number): Uint8Array {
  return new Bytes(le).u32(sec).u32(usec).u32(originalLength).u32(data.length).raw(data).toBytes();
}

describe('pcap versions, as libpcap reads them', () => {
  // Frames cut by a snaplen: captured < original, so swapped and unswapped orders differ.
  const frames = [ether(60, 1), ether(80, 2), ether(64, 3)];
  const originals = [1514, 80, 300];

  for (const [major, minor] of [[2, 0], [2, 1], [2, 2], [543, 0]] as const) {
    it(`${major}.${minor}: len before caplen, read like libpcap (and tcpdump) read it`, async () => {
      const bytes = concat(header(true, major, minor), ...frames.map((f, i) => oldRecord(true, 1_700_000_000 + i, 250_000, f, originals[i]!)));
      const { records, result } = await readBytes(bytes);
      expect(result.stop).toBeUndefined();
      expect(records.map((r) => [r.capturedLength, r.originalLength])).toEqual(frames.map((f, i) => [f.length, originals[i]]));
      expect(records[2]!.hex).toBe(Buffer.from(frames[2]!).toString('hex'));
      if (!(await hasTool('tcpdump'))) return;
      // The oracle: tcpdump (libpcap) prints each frame's original length.
      const file = join(tmp, `v${major}.${minor}.pcap`);
      writeFileSync(file, bytes);
      const out = execFileSync('tcpdump', ['-r', file, '-n', '-e'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      const lengths = [...out.matchAll(/length (\d+):?/g)].map((m) => Number(m[1]));
      expect(lengths).toEqual(originals);
    });
  }

  it('2.3: swapped only where caplen > len (some 2.3 writers used either order)', async () => {
    const bytes = concat(
      header(false, 2, 3),
      pcapRecord(false, 1, 0, ether(60, 1), 60, 1514), // caplen ≤ len: as written
      new Bytes(false).u32(2).u32(0).u32(1514).u32(60).raw(ether(60, 2)).toBytes(), // caplen > len: swapped
    );
    const { records, result } = await readBytes(bytes);
    expect(result.stop).toBeUndefined();
    expect(records.map((r) => [r.capturedLength, r.originalLength])).toEqual([[60, 1514], [60, 1514]]);
  });

  it('2.4 is never swapped, even when caplen > len', async () => {
    const bytes = concat(header(true, 2, 4), pcapRecord(true, 1, 0, ether(60, 1), 60, 40));
    const { records } = await readBytes(bytes);
    expect(records.map((r) => [r.capturedLength, r.originalLength])).toEqual([[60, 40]]);
  });

  it('refuses the versions libpcap refuses, in one line naming the file', async () => {
    for (const [major, minor, message] of [
      [1, 0, 'test: archaic pcap savefile format (version below 2.0)'],
      [2, 5, 'test: unsupported pcap savefile version 2.5 (libpcap reads 2.0–2.4 and 543.0)'],
      [3, 0, 'test: unsupported pcap savefile version 3.0 (libpcap reads 2.0–2.4 and 543.0)'],
    ] as const) {
      await expect(readBytes(concat(header(true, major, minor), pcapRecord(true, 1, 0, ether(60, 1))))).rejects.toThrow(message);
    }
  });
});

describe('records over 262144 bytes', () => {
  it('stop the file at that record, like libpcap, with nothing allocated for the claim', async () => {
    // 256 MiB claimed, and 32 MiB of bytes there to be read: the reader must not buffer them.
    const claim = 256 * 1024 * 1024;
    const head = concat(header(true, 2, 4, 0xffffffff), pcapRecord(true, 5, 0, ether(60, 1)), new Bytes(true).u32(6).u32(0).u32(claim).u32(claim).toBytes());
    const filler = Buffer.alloc(1024 * 1024, 0x41);
    const chunks = [Buffer.from(head), ...Array.from({ length: 32 }, () => filler)];
    const before = process.memoryUsage().arrayBuffers;
    let records = 0;
    const result = await readCaptureStream(Readable.from(chunks), () => records++, { name: 'big' });
    const grew = process.memoryUsage().arrayBuffers - before;
    expect(records).toBe(1);
    expect(result.stop).toEqual({
      kind: 'malformed',
      offset: 24 + 16 + 60,
      frame: 2,
      reason: `invalid packet capture length ${claim}, bigger than the maximum of 262144 (libpcap and Wireshark stop reading here too)`,
    });
    expect(grew).toBeLessThan(16 * 1024 * 1024);
  });

  it('a record of exactly 262144 bytes is read', async () => {
    const { records, result } = await readBytes(concat(header(true, 2, 4, 262_144), pcapRecord(true, 1, 0, new Array(262_144).fill(7))));
    expect(result.stop).toBeUndefined();
    expect(records[0]!.capturedLength).toBe(262_144);
  });
});

describe('pcapng interface blocks', () => {
  it(`are kept at most ${MAX_INTERFACES}, the first ${DESCRIBED_INTERFACES} described, in bounded memory`, async () => {
    const LE = true;
    const one = idb(LE, 1, 262_144, [new Bytes(LE).u16(2).u16(300).raw(new Array(300).fill(0x61)).pad().toBytes(), new Bytes(LE).u16(0).u16(0).toBytes()]);
    const count = MAX_INTERFACES + 10;
    const file = join(tmp, 'many-idb.pcapng');
    const body = new Uint8Array(one.length * count);
    for (let i = 0; i < count; i++) body.set(one, i * one.length);
    writeFileSync(file, concat(shb(LE), body, epb(LE, 3, 1_000_000n, [1, 2, 3])));
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    const result = await readCapture(file, () => undefined);
    const grew = process.memoryUsage().heapUsed - before;
    expect(result.stop).toMatchObject({ kind: 'malformed', offset: shb(LE).length + MAX_INTERFACES * one.length, frame: 1 });
    expect(result.stop?.reason).toMatch(/more than 65536 Interface Description Blocks/);
    expect(result.interfaces).toHaveLength(DESCRIBED_INTERFACES);
    expect(result.interfaces[0]!.name).toHaveLength(256);
    expect(result.interfaceCount).toBe(MAX_INTERFACES);
    expect(result.linkTypes).toEqual([1]);
    // ~65 k small section entries sharing one timestamp scale: a few MiB, not the 30+ MiB full descriptions took.
    expect(grew).toBeLessThan(24 * 1024 * 1024);
  });
});

describe('time span', () => {
  it('is the first and the last record in file order, µs or ns, and absent with no record', async () => {
    const bytes = concat(header(true, 2, 4), pcapRecord(true, 1_764_979_200, 123_456, ether(60, 1)), pcapRecord(true, 1_764_979_260, 999_999, ether(60, 2)));
    const { result } = await readBytes(bytes, 50); // the records straddle reads
    expect(result.firstTime).toEqual({ sec: 1_764_979_200, nsec: 123_456_000 });
    expect(result.lastTime).toEqual({ sec: 1_764_979_260, nsec: 999_999_000 });
    const empty = await readBytes(header(true, 2, 4));
    expect(empty.result.firstTime).toBeUndefined();
    const LE = true;
    const ng = await readBytes(concat(shb(LE), idb(LE, 1, 0), epb(LE, 0, 1_764_979_200_000_001n, [1]), epb(LE, 0, 1_764_979_201_500_000n, [2])));
    expect(ng.result.firstTime).toEqual({ sec: 1_764_979_200, nsec: 1000 });
    expect(ng.result.lastTime).toEqual({ sec: 1_764_979_201, nsec: 500_000_000 });
  });
});
