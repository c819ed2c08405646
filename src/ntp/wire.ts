/**
 * Big-endian reads and writes on a Uint8Array, for the codec's hot path: plain shifts (V8 inlines these), no
 * DataView allocation per packet, no BigInt. Callers check bounds first; these never check.
 */
import type { NtpDecodeIssue, NtpTimestamp } from './types.js';

let viewBytes: Uint8Array | undefined;
let view: DataView = new DataView(new ArrayBuffer(0));

/**
 * A DataView over `b` (indexes as in `b`), the same one while the same array comes back: a capture reader hands
 * thousands of frames in one buffer. For the hottest reads: V8 compiles a DataView get to a load and a byte swap
 * wherever it occurs, while readU32 & co. stay calls once the inliner's budget is spent — and a call returns
 * every value of 2^31 or more as a boxed number. The last array stays referenced until another one comes.
 */
export function viewOf(b: Uint8Array): DataView {
  if (b !== viewBytes) {
    viewBytes = b;
    view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  return view;
}

export function readU8(b: Uint8Array, p: number): number {
  return b[p] as number;
}

export function readU16(b: Uint8Array, p: number): number {
  return ((b[p] as number) << 8) | (b[p + 1] as number);
}

export function readU32(b: Uint8Array, p: number): number {
  return (
    (((b[p] as number) << 24) | ((b[p + 1] as number) << 16) | ((b[p + 2] as number) << 8) | (b[p + 3] as number)) >>>
    0
  );
}

/** Signed 8-bit (poll, precision: log2 seconds, RFC 5905 §7.3). */
export function readI8(b: Uint8Array, p: number): number {
  return ((b[p] as number) << 24) >> 24;
}

export function readTimestamp(b: Uint8Array, p: number): NtpTimestamp {
  return { seconds: readU32(b, p), fraction: readU32(b, p + 4) };
}

export function writeU16(b: Uint8Array, p: number, v: number): void {
  b[p] = (v >>> 8) & 0xff;
  b[p + 1] = v & 0xff;
}

export function writeU32(b: Uint8Array, p: number, v: number): void {
  b[p] = (v >>> 24) & 0xff;
  b[p + 1] = (v >>> 16) & 0xff;
  b[p + 2] = (v >>> 8) & 0xff;
  b[p + 3] = v & 0xff;
}

export function writeTimestamp(b: Uint8Array, p: number, ts: NtpTimestamp): void {
  writeU32(b, p, ts.seconds >>> 0);
  writeU32(b, p + 4, ts.fraction >>> 0);
}

/** RFC 5905 §6 NTP short format (16.16, unsigned): exact in a double. */
export function readShortFormat(b: Uint8Array, p: number): number {
  return readU32(b, p) / 65536;
}

/** Seconds → 16.16 unsigned, rounded to the nearest 2^-16 s and clamped to the field's range. */
export function toShortFormat(seconds: number): number {
  if (!(seconds > 0)) return 0; // also NaN
  const v = Math.round(seconds * 65536);
  return v >= 0xffffffff ? 0xffffffff : v;
}

export function issue(
  kind: NtpDecodeIssue['kind'],
  layer: string,
  offset: number,
  message: string,
  need?: number,
  have?: number,
): NtpDecodeIssue {
  const out: NtpDecodeIssue = { kind, layer, offset, message };
  if (need !== undefined) out.need = need;
  if (have !== undefined) out.have = have;
  return out;
}

/**
 * A copy of b[start, end) as a plain Uint8Array. Not `b.slice()`: on a Node Buffer that is a view, and the
 * decoder's results must never alias a capture reader's (reused) buffer.
 */
export function copyBytes(b: Uint8Array, start: number, end: number): Uint8Array {
  const out = new Uint8Array(end > start ? end - start : 0);
  if (end > start) out.set(b.subarray(start, end));
  return out;
}
