/**
 * Files larger than the reader's chunks: records straddle chunk borders and outgrow the read-ahead reserve
 * (64 KiB; record 150 is the largest a record may be, 262144 bytes), in pcap and pcapng, from a path and from a
 * stream; and the memory the reader holds stays constant while the file is ten times the chunk size.
 */
import { closeSync, copyFileSync, createReadStream, mkdtempSync, openSync, rmSync, statSync, truncateSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCapture, readCaptureStream } from '../../src/capture/read.js';
import type { CaptureReadResult, CaptureRecord } from '../../src/capture/types.js';
import { Bytes, concat, idb, pcapHeader, pcapRecord, shb } from './build.js';

const tmp = mkdtempSync(join(tmpdir(), 'ndcap-large-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Sizes cycle through small, MTU-sized and bigger-than-reserve records; record 150 is MAXIMUM_SNAPLEN. */
const COUNT = 1500;
const BIG_INDEX = 150;
const SIZES = [60, 1514, 100_000, 9, 0, 70_000, 200, 65_536];
const sizeOf = (i: number): number => (i === BIG_INDEX ? 262_144 : SIZES[i % SIZES.length]!);
const byteOf = (i: number, j: number): number => (i * 131 + j * 7) & 0xff;

function payload(i: number): Uint8Array {
  const n = sizeOf(i);
  const data = new Uint8Array(n);
  for (let j = 0; j < n; j++) data[j] = byteOf(i, j);
  return data;
}

function writeFile(path: string, header: Uint8Array, record: (i: number) => Uint8Array[]): void {
  const fd = openSync(path, 'w');
  writeSync(fd, header);
  for (let i = 0; i < COUNT; i++) for (const part of record(i)) writeSync(fd, part);
  closeSync(fd);
}

const files = { pcap: join(tmp, 'large.pcap'), pcapng: join(tmp, 'large.pcapng') };
beforeAll(() => {
  // pcap, little-endian µs: record i at i s + (i mod 1000) ms. Headers from the builders, payloads written as they are.
  writeFile(files.pcap, pcapHeader(true, { snapLength: 8 * 1024 * 1024 }), (i) => [
    pcapRecord(true, i, (i % 1000) * 1000, [], sizeOf(i), sizeOf(i)),
    payload(i),
  ]);
  // pcapng, big-endian, default resolution (µs): record i at i s + 7 µs. EPB (§4.3) around the payload.
  writeFile(files.pcapng, concat(shb(false), idb(false, 1, 0)), (i) => {
    const size = sizeOf(i);
    const padding = (4 - (size % 4)) % 4;
    const total = 32 + size + padding;
    const units = BigInt(i) * 1_000_000n + 7n;
    const head = new Bytes(false).u32(6).u32(total).u32(0).u32(Number(units >> 32n)).u32(Number(units & 0xffffffffn)).u32(size).u32(size);
    return [head.toBytes(), payload(i), new Uint8Array(padding), new Bytes(false).u32(total).toBytes()];
  });
});

/** Checks each record against the pattern it was written with, inside the sink (data lives only there). */
function verifier(format: 'pcap' | 'pcapng'): { sink: (r: CaptureRecord) => void; seen: () => number } {
  let next = 0;
  return {
    sink: (r) => {
      const i = r.frame - 1;
      expect(i).toBe(next++);
      expect(r.capturedLength).toBe(sizeOf(i));
      expect(r.tsSec).toBe(i);
      expect(r.tsNsec).toBe(format === 'pcap' ? (i % 1000) * 1_000_000 : 7000);
      const data = r.data;
      // Every byte of small records; a stride through the big ones (plus both ends).
      const step = data.length > 100_000 ? 997 : 1;
      for (let j = 0; j < data.length; j += step) if (data[j] !== byteOf(i, j)) expect.fail(`frame ${r.frame} byte ${j}`);
      if (data.length > 0 && data[data.length - 1] !== byteOf(i, data.length - 1)) expect.fail(`frame ${r.frame} last byte`);
      if (data.length > 0) expect(r.buffer?.[r.dataOffset ?? -1]).toBe(data[0]);
    },
    seen: () => next,
  };
}

describe('larger than a chunk', () => {
  for (const format of ['pcap', 'pcapng'] as const) {
    it(`${format} from a path`, async () => {
      const v = verifier(format);
      const result = await readCapture(files[format], v.sink);
      expect(result.stop).toBeUndefined();
      expect(v.seen()).toBe(COUNT);
      expect(result.bytes).toBe(statSync(files[format]).size);
    });

    it(`${format} from a stream in 1 MiB chunks`, async () => {
      const v = verifier(format);
      const result = await readCaptureStream(createReadStream(files[format], { highWaterMark: 1024 * 1024 }), v.sink);
      expect(result.stop).toBeUndefined();
      expect(v.seen()).toBe(COUNT);
    });

    it(`${format} cut inside the largest record`, async () => {
      const cut = join(tmp, `cut.${format}`);
      copyFileSync(files[format], cut);
      const bigStart = startOf(format, BIG_INDEX);
      truncateSync(cut, bigStart + 100_000);
      const v = verifier(format);
      const result: CaptureReadResult = await readCapture(cut, v.sink);
      expect(v.seen()).toBe(BIG_INDEX);
      expect(result.stop).toMatchObject({ kind: 'truncated', offset: bigStart, frame: BIG_INDEX + 1 });
      expect(result.bytes).toBe(bigStart);
    });
  }
});

/** File offset where record `index` (0-based) starts, from the layout the files were written with. */
function startOf(format: 'pcap' | 'pcapng', index: number): number {
  // pcap: 24-byte file header, records of 16 + size. pcapng: SHB + IDB, EPBs of 32 + size padded to 4.
  let offset = format === 'pcapng' ? concat(shb(false), idb(false, 1, 0)).length : 24;
  for (let i = 0; i < index; i++) offset += format === 'pcapng' ? 32 + ((sizeOf(i) + 3) & ~3) : 16 + sizeOf(i);
  return offset;
}

describe('memory', () => {
  it('stays constant over a file ten times the chunk size', async () => {
    const path = join(tmp, 'long.pcap');
    const record = pcapRecord(true, 1, 2, new Uint8Array(1000).fill(0x5a));
    const batch = new Uint8Array(record.length * 1000);
    for (let k = 0; k < 1000; k++) batch.set(record, k * record.length);
    const fd = openSync(path, 'w');
    writeSync(fd, pcapHeader(true));
    for (let k = 0; k < 40; k++) writeSync(fd, batch); // 40 000 records, ~40 MB
    closeSync(fd);
    const baseline = process.memoryUsage().arrayBuffers;
    let peak = 0;
    const result = await readCapture(path, (r) => {
      if (r.frame % 1000 === 0) peak = Math.max(peak, process.memoryUsage().arrayBuffers - baseline);
    });
    expect(result.frames).toBe(40_000);
    // Two 4 MiB chunks (read-ahead) plus the first small ones not yet collected; a whole-file buffer would be 40 MB.
    expect(peak).toBeLessThan(16 * 1024 * 1024);
  });
});
