import type { CaptureRecord } from './types.js';
import type { CaptureStop } from '../model/report-input.js';

/**
 * The one record object a reader hands to its sink, over and over (no allocation per record).
 *
 * Lifetime: every field, and the bytes behind `data` / `buffer`, are valid only during the sink call; the
 * reader overwrites them for the next record. Keep what must outlive the call by copying it
 * (`{ ...fields }`, `record.data.slice()`).
 *
 * `data` is a getter: it allocates a fresh view only when asked, so a sink that filters on `buffer` +
 * `dataOffset` (or on `linkType`/lengths alone) pays nothing for frames it drops. A view costs ~40 ns,
 * about half the whole per-record budget at 10 M records/s. Being a getter, `data` is not an own property:
 * spreading the record (`{ ...record }`) leaves it out.
 */
export class ReusedRecord implements CaptureRecord {
  frame = 0;
  tsSec = 0;
  tsNsec = 0;
  linkType = 0;
  interfaceId = 0;
  capturedLength = 0;
  originalLength = 0;
  buffer: Uint8Array;
  dataOffset = 0;

  constructor(buffer: Uint8Array) {
    this.buffer = buffer;
  }

  get data(): Uint8Array {
    return this.buffer.subarray(this.dataOffset, this.dataOffset + this.capturedLength);
  }
}

/** What every format parser offers the chunk driver in read.ts. */
export interface ChunkParser {
  /**
   * Delivers every whole record in `bytes[start, end)` to the sink and returns the offset of the first byte
   * it did not consume (the start of a record or block that is not complete yet). `base` is the input offset
   * of `bytes[0]`. Sets `stop` (kind 'malformed') and returns when a length field is impossible.
   */
  parse(bytes: Uint8Array, view: DataView, start: number, end: number, base: number): number;
  /** Total bytes the unit at the returned offset needs to be whole (so the driver can grow its buffer). */
  need: number;
  stop: CaptureStop | undefined;
  /** Set when the file's header says it is a version the parser cannot read: the reader throws it as an InputError. */
  refused?: string | undefined;
  /** Next frame number (1-based): frames delivered = frame - 1. */
  frame: number;
  /** The input ended with `bytes[start, end)` left over: describe what was cut. */
  truncatedAt(view: DataView, start: number, end: number, base: number): CaptureStop;
}

/**
 * The largest captured length a packet record may claim: libpcap's MAXIMUM_SNAPLEN (pcap-int.h) and Wireshark's
 * WTAP_MAX_PACKET_SIZE_STANDARD. A record past it is a damaged length field (libpcap: "invalid packet capture
 * length"), whatever the file's snaplen says.
 */
export const MAXIMUM_SNAPLEN = 262_144;

/**
 * The largest pcapng block of any other kind (options, name resolution, secrets, custom data) the reader holds in
 * memory. Real ones are kilobytes; past this the length field is taken as damaged, so a lying header costs at most
 * this much buffer (plus the chunks), never the 4 GiB a 32-bit length can claim.
 */
export const MAX_BLOCK_BYTES = 16 * 1024 * 1024;

/**
 * Where a record's bytes are, without the view `data` makes: zero-copy from `buffer` at `dataOffset` when the
 * reader offers it (src/capture/types.ts), else `data` whole. Three small functions rather than one result object,
 * so the per-frame loops that call them allocate nothing.
 */
function zeroCopy(r: CaptureRecord): boolean {
  return r.buffer !== undefined && r.dataOffset !== undefined;
}

/** The array that holds the record's bytes. */
export function recordBytes(r: CaptureRecord): Uint8Array {
  return zeroCopy(r) ? r.buffer! : r.data;
}

/** Where the record's bytes start in recordBytes(r). */
export function recordStart(r: CaptureRecord): number {
  return zeroCopy(r) ? r.dataOffset! : 0;
}

/** Where they end (the captured length, within what the buffer holds). */
export function recordEnd(r: CaptureRecord): number {
  return zeroCopy(r) ? Math.min(r.dataOffset! + r.capturedLength, r.buffer!.length) : r.data.length;
}
