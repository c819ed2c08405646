/**
 * Classic libpcap files (draft-ietf-opsawg-pcap; pcap-savefile(5)).
 *
 *  File header, 24 octets:                    Packet record header, 16 octets, then captured bytes:
 *   0  magic       a1b2c3d4 µs / a1b23c4d ns   0  timestamp seconds
 *   4  major 2, minor 4 (16 bits each)         4  timestamp µs or ns (per the magic)
 *   8  reserved (was thiszone)                 8  captured length
 *  12  reserved (was sigfigs)                 12  original length
 *  16  snaplen
 *  20  link type (low 16 bits) + FCS info: bit 26 "P" says bits 28..31 give the FCS length in 16-bit words.
 *
 * The magic is written in the writer's byte order: read as big-endian, a1b2c3d4 means a big-endian file and
 * d4c3b2a1 a little-endian one.
 */
import { MAX_RECORD_BYTES, ReusedRecord, type ChunkParser } from './record.js';
import type { CaptureInterface, CaptureSink, CaptureStop } from './types.js';

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
const FILE_HEADER = 24;
const RECORD_HEADER = 16;
/**
 * Wireshark's own largest snaplen (WTAP_MAX_PACKET_SIZE_STANDARD): writers sometimes store records a little past
 * their snaplen (or write snaplen 0), so a record is impossible only past max(snaplen, this).
 */
const GENEROUS_SNAPLEN = 262_144;

/** The pcap magic, as the first 4 octets read big-endian, to byte order and resolution; undefined if not pcap. */
export function pcapMagic(firstWordBE: number): { littleEndian: boolean; nanosecond: boolean } | undefined {
  switch (firstWordBE >>> 0) {
    case 0xa1b2c3d4: return { littleEndian: false, nanosecond: false };
    case 0xd4c3b2a1: return { littleEndian: true, nanosecond: false };
    case 0xa1b23c4d: return { littleEndian: false, nanosecond: true };
    case 0x4d3cb2a1: return { littleEndian: true, nanosecond: true };
    default: return undefined;
  }
}

export class PcapParser implements ChunkParser {
  need = FILE_HEADER;
  stop: CaptureStop | undefined;
  frame = 1;
  readonly littleEndian: boolean;
  readonly interfaces: CaptureInterface[] = [];
  private readonly nsPerTick: number;
  private headerRead = false;
  private linkType = 0;
  private maxCaptured = MAX_RECORD_BYTES;
  private readonly record = new ReusedRecord(new Uint8Array(0));

  constructor(
    firstWordBE: number,
    private readonly sink: CaptureSink,
  ) {
    const magic = pcapMagic(firstWordBE);
    if (!magic) throw new Error('PcapParser: not a pcap magic');
    this.littleEndian = magic.littleEndian;
    this.nsPerTick = magic.nanosecond ? 1 : 1000;
  }

  parse(bytes: Uint8Array, view: DataView, start: number, end: number, base: number): number {
    let p = start;
    if (!this.headerRead) {
      if (end - p < FILE_HEADER) return p;
      this.readFileHeader(view, p);
      p += FILE_HEADER;
    }
    const le = this.littleEndian;
    const rec = this.record;
    rec.buffer = bytes;
    const sink = this.sink;
    const nsPerTick = this.nsPerTick;
    const maxCaptured = this.maxCaptured;
    let frame = this.frame;
    this.need = RECORD_HEADER;
    while (end - p >= RECORD_HEADER) {
      const captured = view.getUint32(p + 8, le);
      if (captured > maxCaptured) {
        this.frame = frame;
        this.stop = {
          kind: 'malformed',
          offset: base + p,
          frame,
          reason: `record header says ${captured} captured bytes, more than the file's snaplen allows (${maxCaptured})`,
        };
        return p;
      }
      const total = RECORD_HEADER + captured;
      if (end - p < total) {
        this.need = total;
        break;
      }
      rec.frame = frame;
      rec.tsSec = view.getUint32(p, le);
      rec.tsNsec = view.getUint32(p + 4, le) * nsPerTick;
      rec.capturedLength = captured;
      rec.originalLength = view.getUint32(p + 12, le);
      rec.dataOffset = p + RECORD_HEADER;
      sink(rec);
      frame++;
      p += total;
    }
    this.frame = frame;
    return p;
  }

  truncatedAt(view: DataView, start: number, end: number, base: number): CaptureStop {
    const have = end - start;
    let reason: string;
    if (!this.headerRead) reason = `file ends inside the pcap file header (${have} of ${FILE_HEADER} bytes)`;
    else if (have < RECORD_HEADER) reason = `file ends inside a record header (${have} of ${RECORD_HEADER} bytes)`;
    else {
      const captured = view.getUint32(start + 8, this.littleEndian);
      reason = `file ends inside a record (${have} of ${RECORD_HEADER + captured} bytes)`;
    }
    return { kind: 'truncated', offset: base + start, frame: this.frame, reason };
  }

  private readFileHeader(view: DataView, p: number): void {
    const le = this.littleEndian;
    const snapLength = view.getUint32(p + 16, le);
    const linkField = view.getUint32(p + 20, le);
    // draft-ietf-opsawg-pcap §4: the link type is the low 16 bits; bit 26 ("P", 0x04000000) says the top 4
    // bits hold the FCS length in 16-bit words. Everything else there must be ignored.
    this.linkType = linkField & 0xffff;
    this.record.linkType = this.linkType;
    this.record.interfaceId = 0;
    this.maxCaptured = Math.min(MAX_RECORD_BYTES, Math.max(snapLength, GENEROUS_SNAPLEN));
    const iface: CaptureInterface = {
      id: 0,
      linkType: this.linkType,
      snapLength,
      tsResolutionDigits: this.nsPerTick === 1 ? 9 : 6,
    };
    if (linkField & 0x04000000) iface.fcsLength = ((linkField >>> 28) & 0xf) * 2;
    this.interfaces.push(iface);
    this.headerRead = true;
  }
}
