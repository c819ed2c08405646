/** The real frames the decoder shortcut tests (prefilter, time-frame, icmp-frame) check against decodeFrame, and the check. */
import { readdirSync } from 'node:fs';
import { readCapture } from '../../src/capture/read.js';
import { expect } from 'vitest';
import type { CaptureRecord } from '../../src/capture/types.js';
import { decodeFrame } from '../../src/decode/frame.js';
import type { DecodedFrame } from '../../src/decode/types.js';

/** Every capture of fixtures/ and of the given subfolders of it. */
export function fixtureCaptures(subfolders: readonly string[] = ['decode', 'capture']): string[] {
  const list = (dir: string) => readdirSync(dir).filter((f) => /\.pcap(ng)?$/.test(f)).map((f) => `${dir}/${f}`);
  return [...list('fixtures'), ...subfolders.flatMap((d) => list(`fixtures/${d}`))];
}

/**
 * Copies of the records of `files` that `keep` wants (it sees each record in order; true keeps it): enough
 * variety without every frame of every file.
 */
export async function fixtureFrames(files: readonly string[], keep: (r: CaptureRecord, file: string) => boolean): Promise<CaptureRecord[]> {
  const out: CaptureRecord[] = [];
  for (const file of files) {
    await readCapture(file, (r) => {
      if (!keep(r, file)) return;
      const { frame, tsSec, tsNsec, linkType, interfaceId, capturedLength, originalLength } = r;
      out.push({ frame, tsSec, tsNsec, linkType, interfaceId, capturedLength, originalLength, data: r.data.slice() });
    });
  }
  return out;
}

/** A `keep` for fixtureFrames: the first `n` records of each file. */
export function firstOfEach(n: number): (r: CaptureRecord, file: string) => boolean {
  const seen = new Map<string, number>();
  return (_r, file) => {
    const k = seen.get(file) ?? 0;
    seen.set(file, k + 1);
    return k < n;
  };
}

/** `data` at offset 5 of a larger buffer with junk around it: how the capture reader offers a frame (zero-copy). */
export function inLargerBuffer(data: Uint8Array): Uint8Array {
  const buffer = new Uint8Array(data.length + 13).fill(0xa5);
  buffer.set(data, 5);
  return buffer;
}

/**
 * The variants of a frame's bytes the shortcut tests put to the decoders: every prefix (snaplen cuts; the whole
 * frame too when `whole`), then each of the first `span` octets set to each of `values` it does not already hold.
 * `label` names the case, built only when asked (tens of thousands of cases).
 */
export function forEachVariant(
  r: CaptureRecord,
  span: number,
  values: readonly number[],
  whole: boolean,
  visit: (data: Uint8Array, label: () => string) => void,
): void {
  const name = `frame ${r.frame} (link ${r.linkType})`;
  const data = r.data;
  for (let n = 0; n < data.length + (whole ? 1 : 0); n++) visit(data.subarray(0, n), () => `${name}, prefix ${n}`);
  for (let at = 0; at < Math.min(data.length, span); at++) {
    for (const value of values) {
      if (data[at] === value) continue;
      const mutated = data.slice();
      mutated[at] = value;
      visit(mutated, () => `${name}, octet ${at} = 0x${value.toString(16)}`);
    }
  }
}

/** A decoder shortcut (src/decode/time-frame.ts, icmp-frame.ts): bytes → record, and decoded frame → record. */
export interface Shortcut<T extends { frame: number; sec: number; nsec: number }> {
  /** What decodeFrame must find for an accepted frame, for the message: 'a mode 3/4 message'. */
  what: string;
  make(): T;
  decode(b: Uint8Array, start: number, end: number, linkType: number, out: T): boolean;
  of(f: DecodedFrame, out: T): boolean;
}

/**
 * The shortcut's promise on `data` as r's bytes: the same answer at any offset; when it accepts, decodeFrame finds
 * no issue and the same record. True when accepted (`fast` then holds the record). expect() only on a mismatch:
 * this runs for tens of thousands of cases.
 */
export function checkShortcut<T extends { frame: number; sec: number; nsec: number }>(
  s: Shortcut<T>,
  r: CaptureRecord,
  data: Uint8Array,
  label: () => string,
  fast: T,
  slow: T,
): boolean {
  const accepted = s.decode(inLargerBuffer(data), 5, 5 + data.length, r.linkType, fast);
  if (s.decode(data, 0, data.length, r.linkType, s.make()) !== accepted) throw new Error(`${label()}: depends on the offset`);
  if (!accepted) return false;
  const f = decodeFrame({ ...r, capturedLength: data.length, data });
  if (f.issues.length > 0) expect(f.issues, label()).toEqual([]);
  if (!s.of(f, slow)) throw new Error(`${label()}: decodeFrame found no ${s.what}`);
  fast.frame = slow.frame;
  fast.sec = slow.sec;
  fast.nsec = slow.nsec;
  for (const k of Object.keys(slow) as (keyof T)[]) {
    if (!Object.is(fast[k], slow[k])) expect({ ...fast }, label()).toEqual({ ...slow });
  }
  return true;
}
