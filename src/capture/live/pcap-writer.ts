/**
 * A small classic-pcap writer (pcap-savefile(5); draft-ietf-opsawg-pcap), for `capture --write FILE`.
 *
 *  File header, 24 octets (written in this host's byte order, as libpcap does; readers swap by the magic):
 *   0  magic a1b23c4d (nanosecond timestamps) or a1b2c3d4 (microseconds)
 *   4  version 2.4       8  reserved 0       12  reserved 0
 *  16  snaplen          20  link type (LINKTYPE_*)
 *  Per packet, 16 octets then the captured bytes:
 *   0  seconds   4  ns or µs within the second   8  captured length   12  original (wire) length
 *
 * Nanoseconds by default: that is what the capture clocks give (ArrivalClock, tcpdump
 * --time-stamp-precision nano); tcpdump ≥ 4.6, tshark and Wireshark read it.
 * Writes are synchronous, one packet at a time: a capture stopped by Ctrl-C leaves a whole file behind.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { InputError } from '../../errors.js';
import type { CaptureRecord } from '../types.js';

export const PCAP_FILE_HEADER_BYTES = 24;
export const PCAP_RECORD_HEADER_BYTES = 16;
const MAGIC_NS = 0xa1b23c4d;
const MAGIC_US = 0xa1b2c3d4;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export interface PcapFormat {
  linkType: number;
  snapLength: number;
  /** Nanosecond timestamps (magic a1b23c4d); false writes microseconds (a1b2c3d4), truncating. */
  nanosecond?: boolean;
}

export function encodePcapFileHeader(format: PcapFormat): Uint8Array {
  const out = new Uint8Array(PCAP_FILE_HEADER_BYTES);
  const v = new DataView(out.buffer);
  v.setUint32(0, format.nanosecond === false ? MAGIC_US : MAGIC_NS, LITTLE_ENDIAN);
  v.setUint16(4, 2, LITTLE_ENDIAN);
  v.setUint16(6, 4, LITTLE_ENDIAN);
  v.setUint32(16, format.snapLength, LITTLE_ENDIAN);
  v.setUint32(20, format.linkType & 0xffff, LITTLE_ENDIAN);
  return out;
}

/** Writes one record header for `record` into `out` (16 octets). */
export function encodePcapRecordHeader(record: CaptureRecord, nanosecond: boolean, out = new Uint8Array(PCAP_RECORD_HEADER_BYTES)): Uint8Array {
  const v = new DataView(out.buffer, out.byteOffset, PCAP_RECORD_HEADER_BYTES);
  v.setUint32(0, record.tsSec >>> 0, LITTLE_ENDIAN);
  v.setUint32(4, nanosecond ? record.tsNsec : Math.floor(record.tsNsec / 1000), LITTLE_ENDIAN);
  v.setUint32(8, record.capturedLength, LITTLE_ENDIAN);
  v.setUint32(12, Math.max(record.originalLength, record.capturedLength), LITTLE_ENDIAN);
  return out;
}

/**
 * A pcap file being written. The file header goes out when the first packet comes (its link type decides the
 * header's), or at close() with `format.linkType` when none came, so even an empty capture is a valid file.
 */
export class PcapFileWriter {
  private fd: number | undefined;
  private headerWritten = false;
  private readonly recordHeader = new Uint8Array(PCAP_RECORD_HEADER_BYTES);
  private readonly nanosecond: boolean;
  private linkType: number | undefined;
  packets = 0;
  bytes = 0;

  constructor(
    readonly path: string,
    private readonly format: PcapFormat,
  ) {
    this.nanosecond = format.nanosecond !== false;
    try {
      this.fd = openSync(path, 'w', 0o644);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new InputError(`--write ${path}: cannot create (${code})`);
    }
  }

  /** Appends a packet (the record's bytes are copied out during this call, per the reused-record contract). */
  write(record: CaptureRecord): void {
    if (this.fd === undefined) return;
    if (!this.headerWritten) this.writeHeader(record.linkType);
    else if (record.linkType !== this.linkType) return; // one link type per classic pcap file; never happens live
    encodePcapRecordHeader(record, this.nanosecond, this.recordHeader);
    this.put(this.recordHeader);
    this.put(record.data);
    this.packets++;
  }

  close(): void {
    if (this.fd === undefined) return;
    if (!this.headerWritten) this.writeHeader(this.format.linkType);
    closeSync(this.fd);
    this.fd = undefined;
  }

  private writeHeader(linkType: number): void {
    this.linkType = linkType;
    this.put(encodePcapFileHeader({ ...this.format, linkType }));
    this.headerWritten = true;
  }

  private put(bytes: Uint8Array): void {
    let off = 0;
    while (off < bytes.length) off += writeSync(this.fd as number, bytes, off, bytes.length - off);
    this.bytes += bytes.length;
  }
}
