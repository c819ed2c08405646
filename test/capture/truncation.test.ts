/**
 * Truncation matrix: every prefix of small real captures (pcap both byte orders, pcapng with DSB/ISB, two
 * sections of different byte order) never throws past the first bytes, delivers exactly the whole records
 * before the cut, and reports where and at which frame the file was cut. Prefixes go through the stream
 * path in odd chunk sizes (records straddle chunks) and, for a sample, through the file path.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { CAPTURE_FIXTURES, readAll, readBytes } from './helpers.js';

/** A unit of the file: the pcap header, a record, a pcapng block; `packet` if it yields a frame. */
interface Unit {
  start: number;
  end: number;
  packet: boolean;
}

/** Walks a well-formed file independently of the reader (draft-ietf-opsawg-pcap §4–5, pcapng §3.1, §4.1). */
function units(bytes: Buffer): Unit[] {
  const out: Unit[] = [];
  if (bytes.readUInt32BE(0) === 0x0a0d0d0a) {
    let le = true;
    for (let p = 0; p < bytes.length; ) {
      if (bytes.readUInt32BE(p) === 0x0a0d0d0a) le = bytes.readUInt32LE(p + 8) === 0x1a2b3c4d;
      const type = le ? bytes.readUInt32LE(p) : bytes.readUInt32BE(p);
      const length = le ? bytes.readUInt32LE(p + 4) : bytes.readUInt32BE(p + 4);
      out.push({ start: p, end: p + length, packet: type === 2 || type === 3 || type === 6 });
      p += length;
    }
  } else {
    const le = bytes.readUInt32LE(0) === 0xa1b2c3d4 || bytes.readUInt32LE(0) === 0xa1b23c4d;
    out.push({ start: 0, end: 24, packet: false });
    for (let p = 24; p < bytes.length; ) {
      const captured = le ? bytes.readUInt32LE(p + 8) : bytes.readUInt32BE(p + 8);
      out.push({ start: p, end: p + 16 + captured, packet: true });
      p += 16 + captured;
    }
  }
  expect(out.at(-1)?.end).toBe(bytes.length);
  return out;
}

const CHUNK_SIZES = [1, 3, 7, 16, 61, 4096, 1 << 20];
const tmp = mkdtempSync(join(tmpdir(), 'ndcap-trunc-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.each(['lo-udp-us.pcap', 'lo-udp-ns-be.pcap', 'lo-udp-dsb.pcapng', 'sections-le-be.pcapng'])('every prefix of %s', (name) => {
  const path = join(CAPTURE_FIXTURES, name);
  const bytes = readFileSync(path);
  const layout = units(bytes);

  it('the whole file: all frames, no stop, whatever the chunk size', async () => {
    const whole = await readAll(path);
    expect(whole.result.stop).toBeUndefined();
    expect(whole.result.bytes).toBe(bytes.length);
    expect(whole.records.length).toBe(layout.filter((u) => u.packet).length);
    for (const size of CHUNK_SIZES) expect((await readBytes(bytes, size)).records).toEqual(whole.records);
  });

  it('never throws once the magic is there, and stops exactly at the cut', async () => {
    const whole = await readAll(path);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const prefix = bytes.subarray(0, cut);
      // Tiny chunks cost a read each: use them on the short prefixes only (the whole-file test has them all).
      const sizes = cut < 600 ? CHUNK_SIZES : CHUNK_SIZES.slice(4);
      const chunk = sizes[cut % sizes.length]!;
      if (cut < 4) {
        await expect(readBytes(prefix, chunk)).rejects.toThrow(InputError);
        continue;
      }
      const { records, result } = await readBytes(prefix, chunk);
      const complete = layout.filter((u) => u.end <= cut);
      const delivered = complete.filter((u) => u.packet).length;
      const understood = complete.at(-1)?.end ?? 0;
      expect(records, `cut at ${cut}`).toEqual(whole.records.slice(0, delivered));
      expect(result.frames).toBe(delivered);
      expect(result.bytes).toBe(understood);
      if (understood === cut) {
        expect(result.stop, `cut at ${cut} is a unit boundary`).toBeUndefined();
      } else {
        expect(result.stop, `cut at ${cut}`).toMatchObject({ kind: 'truncated', offset: understood, frame: delivered + 1 });
        expect(result.stop?.reason).toMatch(/^file ends inside .* \(\d+ of \d+ bytes\)$/);
      }
    }
  });

  it('the file path agrees with the stream path on a sample of prefixes', async () => {
    for (let cut = 4; cut <= bytes.length; cut += 97) {
      const file = join(tmp, `${name}.${cut}`);
      writeFileSync(file, bytes.subarray(0, cut));
      const [fromFile, fromStream] = await Promise.all([readAll(file), readBytes(bytes.subarray(0, cut))]);
      expect(fromFile).toEqual(fromStream);
    }
  });
});

it('empty and 1–3 byte inputs are input errors with one line', async () => {
  await expect(readBytes(new Uint8Array(0))).rejects.toThrow(/^test: empty \(0 bytes\), not a capture$/);
  await expect(readBytes(Uint8Array.of(0xd4, 0xc3, 0xb2))).rejects.toThrow(/^test: only 3 byte\(s\), too short for a pcap or pcapng file$/);
});
