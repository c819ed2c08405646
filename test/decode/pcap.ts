/**
 * A minimal classic-pcap reader for these tests only (the real reader lives in src/capture/, owned elsewhere):
 * 24-octet global header (magic a1b2c3d4 µs / a1b23c4d ns, either byte order), 16-octet record headers.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CaptureRecord } from '../../src/capture/types.js';

export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../../fixtures/decode/${name}`, import.meta.url));
}

export function readPcap(path: string): CaptureRecord[] {
  const buf = readFileSync(path);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magicBe = view.getUint32(0, false);
  const le = magicBe === 0xd4c3b2a1 || magicBe === 0x4d3cb2a1;
  const magic = view.getUint32(0, le);
  if (magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d) throw new Error(`${path}: not a classic pcap`);
  const nanos = magic === 0xa1b23c4d;
  const linkType = view.getUint32(20, le) & 0x0fffffff;
  const records: CaptureRecord[] = [];
  let p = 24;
  while (p + 16 <= buf.length) {
    const capturedLength = view.getUint32(p + 8, le);
    const data = new Uint8Array(buf.subarray(p + 16, p + 16 + capturedLength));
    records.push({
      frame: records.length + 1,
      tsSec: view.getUint32(p, le),
      tsNsec: view.getUint32(p + 4, le) * (nanos ? 1 : 1000),
      linkType,
      interfaceId: 0,
      capturedLength,
      originalLength: view.getUint32(p + 12, le),
      data,
    });
    p += 16 + capturedLength;
  }
  return records;
}

/** The record cut to its first n octets, as a snaplen would leave it. */
export function prefix(record: CaptureRecord, n: number): CaptureRecord {
  return { ...record, capturedLength: n, data: record.data.slice(0, n) };
}
