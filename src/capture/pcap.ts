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
 * d4c3b2a1 a little-endian one. Versions 2.0–2.2 store len before caplen (pcap-savefile(5); see LengthOrder).
 */
import { MAXIMUM_SNAPLEN, ReusedRecord, type ChunkParser } from './record.js';
import type { CaptureInterface, CaptureSink } from './types.js';
import type { CaptureStop } from '../model/report-input.js';

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
const FILE_HEADER = 24;
const RECORD_HEADER = 16;

/**
 * How a file's record headers order caplen and len (libpcap sf-pcap.c, `lengths_swapped`): the two fields were
 * interchanged at version 2.3 to match the bpf header, so 2.0–2.2 files (and DG/UX tcpdump's 543.0) have len first;
 * some 2.3 files were written either way, and libpcap swaps a 2.3 record only when its caplen exceeds its len.
 */
export const enum LengthOrder {
  NotSwapped = 0,
  Swapped = 1,
  MaybeSwapped = 2,
}

/**
 * The versions libpcap's pcap_check_header accepts (2.0–2.4, and 543.0 for DG/UX tcpdump), with the length order of
 * each; a one-line refusal, worded as libpcap's, for the rest.
 */
export function pcapVersion(major: number, minor: number): LengthOrder | string {
  if (major < 2) return 'archaic pcap savefile format (version below 2.0)';
  if (major === 2 && minor <= 4) return minor < 3 ? LengthOrder.Swapped : minor === 3 ? LengthOrder.MaybeSwapped : LengthOrder.NotSwapped;
  if (major === 543 && minor === 0) return LengthOrder.Swapped;
  return `unsupported pcap savefile version ${major}.${minor} (libpcap reads 2.0–2.4 and 543.0)`;
}

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
  refused: string | undefined;
  frame = 1;
  readonly littleEndian: boolean;
  readonly interfaces: CaptureInterface[] = [];
  private readonly nsPerTick: number;
  /** Capture time of the first and of the last record delivered (file order), once `timed`. */
  timed = false;
  firstSec = 0;
  firstNsec = 0;
  lastSec = 0;
  lastNsec = 0;
  private headerRead = false;
  private linkType = 0;
  private lengthOrder: LengthOrder = LengthOrder.NotSwapped;
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
      if (this.refused !== undefined) return p;
      p += FILE_HEADER;
    }
    const le = this.littleEndian;
    const rec = this.record;
    rec.buffer = bytes;
    this.need = RECORD_HEADER;
    const p0 = p;
    if (this.lengthOrder !== LengthOrder.NotSwapped) {
      // Versions before 2.4 may store len before caplen: a loop of their own keeps the common one free of the test.
      p = this.swappedRecords(view, p, end, base, le, rec);
    } else {
      const sink = this.sink;
      const nsPerTick = this.nsPerTick;
      let frame = this.frame;
      while (end - p >= RECORD_HEADER) {
        const captured = view.getUint32(p + 8, le);
        if (captured > MAXIMUM_SNAPLEN) {
          this.refuse(base + p, frame, captured);
          break;
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
    }
    if (p > p0) this.noteTimes(view, p0, le, rec);
    return p;
  }

  /**
   * The capture's time span, kept per call rather than per record: the first record's time is read back from its
   * header, the last one's is what the record object holds after the loop.
   */
  private noteTimes(view: DataView, p0: number, le: boolean, rec: ReusedRecord): void {
    if (!this.timed) {
      this.timed = true;
      this.firstSec = view.getUint32(p0, le);
      this.firstNsec = view.getUint32(p0 + 4, le) * this.nsPerTick;
    }
    this.lastSec = rec.tsSec;
    this.lastNsec = rec.tsNsec;
  }

  /** Versions 2.0–2.3 and 543.0: the two lengths swapped (always, or for 2.3 when caplen > len), as libpcap does. */
  private swappedRecords(view: DataView, p: number, end: number, base: number, le: boolean, rec: ReusedRecord): number {
    const maybe = this.lengthOrder === LengthOrder.MaybeSwapped;
    let frame = this.frame;
    while (end - p >= RECORD_HEADER) {
      let captured = view.getUint32(p + 8, le);
      let original = view.getUint32(p + 12, le);
      if (!maybe || captured > original) {
        const t = captured;
        captured = original;
        original = t;
      }
      if (captured > MAXIMUM_SNAPLEN) {
        this.frame = frame;
        this.refuse(base + p, frame, captured);
        return p;
      }
      const total = RECORD_HEADER + captured;
      if (end - p < total) {
        this.need = total;
        break;
      }
      rec.frame = frame;
      rec.tsSec = view.getUint32(p, le);
      rec.tsNsec = view.getUint32(p + 4, le) * this.nsPerTick;
      rec.capturedLength = captured;
      rec.originalLength = original;
      rec.dataOffset = p + RECORD_HEADER;
      this.sink(rec);
      frame++;
      p += total;
    }
    this.frame = frame;
    return p;
  }

  /**
   * A captured length past MAXIMUM_SNAPLEN. libpcap's pcap_next_packet fails the read there ("invalid packet capture
   * length"), and so does wiretap: nothing after a length that cannot be true says where the next record starts, so
   * the file is read up to it and no further. Nothing is allocated for the claim.
   */
  private refuse(offset: number, frame: number, captured: number): void {
    this.stop = {
      kind: 'malformed',
      offset,
      frame,
      reason: `invalid packet capture length ${captured}, bigger than the maximum of ${MAXIMUM_SNAPLEN} (libpcap and Wireshark stop reading here too)`,
    };
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
    const order = pcapVersion(view.getUint16(p + 4, le), view.getUint16(p + 6, le));
    // Like libpcap's pcap_open_offline, a version it cannot read is refused before any record (one line, exit 2).
    if (typeof order === 'string') {
      this.refused = order;
      return;
    }
    this.lengthOrder = order;
    const snapLength = view.getUint32(p + 16, le);
    const linkField = view.getUint32(p + 20, le);
    // draft-ietf-opsawg-pcap §4: the link type is the low 16 bits; bit 26 ("P", 0x04000000) says the top 4
    // bits hold the FCS length in 16-bit words. Everything else there must be ignored.
    this.linkType = linkField & 0xffff;
    this.record.linkType = this.linkType;
    this.record.interfaceId = 0;
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
