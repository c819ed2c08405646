/**
 * pcapng files (draft-ietf-opsawg-pcapng; the sections cited below are of that draft).
 *
 * Every block (§3.1):  0 type | 4 total length | body ... | total length again. Lengths are multiples of 4.
 * A Section Header Block (§4.1, type 0a0d0d0a, a palindrome) starts each section and fixes its byte order by
 * its byte-order magic 1a2b3c4d at offset 8; a file may hold several sections, each in its own byte order.
 * Interface ids count the Interface Description Blocks (§4.2) of the current section from 0.
 *
 * Packets come in Enhanced Packet Blocks (§4.3), Simple Packet Blocks (§4.4, interface 0, no timestamp) and
 * the obsolete Packet Block (Appendix A). Everything else (name resolution, statistics, decryption secrets,
 * custom, unknown) is skipped by its length; the few of those that Wireshark numbers as frames still use up
 * a frame number (NUMBERED_NON_PACKETS), so frame numbers match tshark's.
 */
import { MAX_BLOCK_BYTES, MAXIMUM_SNAPLEN, ReusedRecord, type ChunkParser } from './record.js';
import { resolutionDigits, setTimestamp, timestampScale, type TimestampScale } from './timestamp.js';
import type { CaptureInterface, CaptureSink } from './types.js';
import type { CaptureStop } from '../model/report-input.js';

export const PCAPNG_SHB = 0x0a0d0d0a;
const IDB = 1;
const OPB = 2;
const SPB = 3;
const EPB = 6;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const BLOCK_HEADER = 12;
/** Room in a packet block beyond the packet: its header (28), padding and options (comments, flags, hashes). */
const PACKET_BLOCK_SLACK = 65_536;

const BLOCK_NAMES: Record<number, string> = {
  [PCAPNG_SHB]: 'Section Header Block',
  [IDB]: 'Interface Description Block',
  [OPB]: 'Packet Block',
  [SPB]: 'Simple Packet Block',
  4: 'Name Resolution Block',
  5: 'Interface Statistics Block',
  [EPB]: 'Enhanced Packet Block',
  0x0a: 'Decryption Secrets Block',
  0xbad: 'Custom Block',
  0x40000bad: 'Custom Block',
};

/**
 * Blocks that are no packets but that Wireshark shows as frames (measured with tshark 4.0: custom blocks
 * 0xbad/0x40000bad, systemd journal export 9, sysdig events 0x204/0x216). The reader skips them but
 * counts them, so `frame` matches tshark's frame.number.
 */
const NUMBERED_NON_PACKETS = new Set([0xbad, 0x40000bad, 9, 0x204, 0x216]);

function blockName(type: number): string {
  return BLOCK_NAMES[type] ?? `block of type 0x${type.toString(16)}`;
}

/** An interface of the current section, with what the packet loop needs at hand. */
interface SectionInterface {
  id: number;
  linkType: number;
  snapLength: number;
  scale: TimestampScale;
}

/**
 * Interface Description Blocks kept in a file at most. An IDB costs a few hundred bytes here, and nothing in the
 * format bounds their number (499 k of them took 225 MB): past this the file is read as damaged from that block on.
 * Real captures have a handful; Wireshark's editcap merges of thousands stay far below.
 */
export const MAX_INTERFACES = 65_536;
/** Interfaces described in full in the read result (name, resolution...): the first ones; the rest are counted. */
export const DESCRIBED_INTERFACES = 256;
/** Characters of an if_name kept (the option may carry 64 KiB). */
const NAME_CHARS = 256;

const utf8 = new TextDecoder('utf-8');

export class PcapngParser implements ChunkParser {
  need = BLOCK_HEADER;
  stop: CaptureStop | undefined;
  /** pcapng has no version this reader refuses outright: a section of another major version is damage (malformed). */
  readonly refused: string | undefined = undefined;
  frame = 1;
  /** Byte order of the current (finally: the last) section. */
  littleEndian = true;
  /**
   * Every interface of the file, in IDB order. Ids are per section, as the format (§4.2) and tshark's
   * frame.interface_id count them; `section` tells sections apart.
   */
  readonly interfaces: CaptureInterface[] = [];
  /** Interface Description Blocks read in the whole file (interfaces lists the first DESCRIBED_INTERFACES). */
  interfaceCount = 0;
  /** The distinct link types of all of them. */
  readonly linkTypes = new Set<number>();
  /** Capture time of the first and of the last timed record delivered (EPB, PB; an SPB has none), once `timed`. */
  timed = false;
  firstSec = 0;
  firstNsec = 0;
  lastSec = 0;
  lastNsec = 0;
  private section: SectionInterface[] = [];
  private sectionIndex = -1;
  /** One scale per distinct (if_tsresol, if_tsoffset): IDBs share them (a scale holds a BigInt). */
  private readonly scales = new Map<string, TimestampScale>();
  private readonly record = new ReusedRecord(new Uint8Array(0));

  constructor(private readonly sink: CaptureSink) {}

  parse(bytes: Uint8Array, view: DataView, start: number, end: number, base: number): number {
    const rec = this.record;
    rec.buffer = bytes;
    const sink = this.sink;
    let le = this.littleEndian;
    let p = start;
    this.need = BLOCK_HEADER;
    while (end - p >= BLOCK_HEADER) {
      const type = view.getUint32(p, le);
      let blockLe = le;
      if (type === PCAPNG_SHB) {
        // §4.1: the byte-order magic, not the block length, says how to read this section (length included).
        const magic = view.getUint32(p + 8, true);
        if (magic === BYTE_ORDER_MAGIC) blockLe = true;
        else if (magic === 0x4d3c2b1a) blockLe = false;
        else return this.malformed(base + p, `Section Header Block with byte-order magic ${hexBytes(view, p + 8)} (want 1a 2b 3c 4d or 4d 3c 2b 1a)`, p);
      }
      const length = view.getUint32(p + 4, blockLe);
      if (length < BLOCK_HEADER || (length & 3) !== 0) {
        return this.malformed(base + p, `${blockName(type)} with impossible length ${length} (§3.1: a multiple of 4, at least 12)`, p);
      }
      // A packet block holds at most MAXIMUM_SNAPLEN bytes of packet plus its header and options; any other block
      // MAX_BLOCK_BYTES. Checked before the block is buffered, so a lying length allocates nothing.
      const packet = type === EPB || type === SPB || type === OPB;
      if (length > (packet ? MAXIMUM_SNAPLEN + PACKET_BLOCK_SLACK : MAX_BLOCK_BYTES)) {
        return this.malformed(base + p, `${blockName(type)} of ${length} bytes, more than a capture holds (packets up to ${MAXIMUM_SNAPLEN} bytes, as libpcap and Wireshark read them)`, p);
      }
      if (end - p < length) {
        this.need = length;
        break;
      }
      const trailing = view.getUint32(p + length - 4, blockLe);
      if (trailing !== length) {
        return this.malformed(base + p, `${blockName(type)} says length ${length} at its start but ${trailing} at its end`, p);
      }
      if (type === EPB) {
        // §4.3: 8 interface id | 12 timestamp high | 16 low | 20 captured length | 24 original length | 28 data
        const ifaceId = view.getUint32(p + 8, le);
        const iface = this.section[ifaceId];
        const captured = view.getUint32(p + 20, le);
        if (length < 32 || iface === undefined || captured > length - 32 || captured > MAXIMUM_SNAPLEN) {
          return this.malformed(base + p, this.packetProblem('Enhanced Packet Block', length, 32, ifaceId, captured), p);
        }
        this.deliver(rec, iface, view, p, le, captured, sink);
      } else if (type === SPB) {
        // §4.4: 8 original length | 12 data. Interface 0; captured = min(original, snaplen), bounded by the block.
        const iface = this.section[0];
        if (iface === undefined) return this.malformed(base + p, 'Simple Packet Block before any Interface Description Block', p);
        const original = view.getUint32(p + 8, le);
        let captured = Math.min(original, length - 16);
        if (iface.snapLength > 0 && iface.snapLength < captured) captured = iface.snapLength;
        rec.frame = this.frame++;
        rec.interfaceId = iface.id;
        rec.linkType = iface.linkType;
        rec.tsSec = 0;
        rec.tsNsec = 0;
        rec.capturedLength = captured;
        rec.originalLength = original;
        rec.dataOffset = p + 12;
        sink(rec);
      } else if (type === OPB) {
        // Appendix A (obsolete Packet Block): 8 interface id (16 bits) | 10 drops | 12 ts high | 16 low | 20 captured | 24 original | 28 data
        const ifaceId = view.getUint16(p + 8, le);
        const iface = this.section[ifaceId];
        const captured = view.getUint32(p + 20, le);
        if (length < 32 || iface === undefined || captured > length - 32 || captured > MAXIMUM_SNAPLEN) {
          return this.malformed(base + p, this.packetProblem('Packet Block', length, 32, ifaceId, captured), p);
        }
        this.deliver(rec, iface, view, p, le, captured, sink);
      } else if (type === PCAPNG_SHB) {
        // §4.1: 8 byte-order magic | 12 major | 14 minor | 16 section length (64 bits) | 24 options
        if (length < 28) return this.malformed(base + p, `Section Header Block of ${length} bytes (minimum 28)`, p);
        const major = view.getUint16(p + 12, blockLe);
        if (major !== 1) {
          return this.malformed(base + p, `pcapng version ${major}.${view.getUint16(p + 14, blockLe)} (only 1.x exists)`, p);
        }
        le = blockLe;
        this.littleEndian = le;
        this.section = [];
        this.sectionIndex++;
      } else if (type === IDB) {
        if (length < 20) return this.malformed(base + p, `Interface Description Block of ${length} bytes (minimum 20)`, p);
        if (this.interfaceCount >= MAX_INTERFACES) {
          return this.malformed(base + p, `more than ${MAX_INTERFACES} Interface Description Blocks (real captures have a few; read up to here)`, p);
        }
        this.addInterface(bytes, view, p, length, le);
      } else if (NUMBERED_NON_PACKETS.has(type)) {
        // Not a packet, but Wireshark lists it as a frame: keep the frame numbers the same as tshark's.
        this.frame++;
      }
      p += length;
    }
    return p;
  }

  truncatedAt(view: DataView, start: number, end: number, base: number): CaptureStop {
    const have = end - start;
    let reason: string;
    if (have < 8) reason = `file ends inside a block header (${have} of ${BLOCK_HEADER} bytes)`;
    else {
      const type = view.getUint32(start, this.littleEndian);
      let le = this.littleEndian;
      if (type === PCAPNG_SHB && have >= 12) le = view.getUint32(start + 8, true) === BYTE_ORDER_MAGIC;
      reason = `file ends inside ${blockName(type)} (${have} of ${view.getUint32(start + 4, le)} bytes)`;
    }
    return { kind: 'truncated', offset: base + start, frame: this.frame, reason };
  }

  /** §4.2: 8 link type (16 bits) | 10 reserved | 12 snaplen | 16 options. */
  private addInterface(bytes: Uint8Array, view: DataView, p: number, length: number, le: boolean): void {
    const linkType = view.getUint16(p + 8, le);
    const snapLength = view.getUint32(p + 12, le);
    const iface: CaptureInterface = {
      id: this.section.length,
      section: this.sectionIndex,
      linkType,
      snapLength,
      tsResolutionDigits: 6,
    };
    let tsresol = 6;
    let offsetSeconds = 0;
    // Options (§3.5): 16-bit code, 16-bit length, value padded to 32 bits; code 0 ends the list. A broken
    // option list loses only the options: the block's own length was checked above.
    let o = p + 16;
    const optionsEnd = p + length - 4;
    const described = this.interfaceCount < DESCRIBED_INTERFACES;
    while (optionsEnd - o >= 4) {
      const code = view.getUint16(o, le);
      const valueLength = view.getUint16(o + 2, le);
      const value = o + 4;
      if (code === 0 || value + valueLength > optionsEnd) break;
      if (code === 2 && described) {
        // if_name: UTF-8, not zero-terminated by the spec, but some writers add a NUL.
        iface.name = utf8.decode(bytes.subarray(value, value + Math.min(valueLength, NAME_CHARS * 4))).replace(/\0+$/, '').slice(0, NAME_CHARS);
      } else if (code === 9 && valueLength >= 1) {
        tsresol = bytes[value] ?? 6;
      } else if (code === 13 && valueLength >= 1) {
        iface.fcsLength = bytes[value] ?? 0;
      } else if (code === 14 && valueLength >= 8) {
        offsetSeconds = Number(view.getBigInt64(value, le));
      }
      o = value + ((valueLength + 3) & ~3);
    }
    iface.tsResolutionDigits = resolutionDigits(tsresol);
    if (tsresol & 0x80) iface.tsResolutionBits = tsresol & 0x7f;
    if (described) this.interfaces.push(iface);
    this.interfaceCount++;
    this.linkTypes.add(linkType);
    const key = `${tsresol}:${offsetSeconds}`;
    let scale = this.scales.get(key);
    if (scale === undefined) {
      scale = timestampScale(tsresol, offsetSeconds);
      this.scales.set(key, scale);
    }
    this.section.push({ id: iface.id, linkType, snapLength, scale });
  }

  /** EPB and the obsolete PB share the layout from offset 12: ts high | ts low | captured | original | data. */
  private deliver(rec: ReusedRecord, iface: SectionInterface, view: DataView, p: number, le: boolean, captured: number, sink: CaptureSink): void {
    rec.frame = this.frame++;
    rec.interfaceId = iface.id;
    rec.linkType = iface.linkType;
    setTimestamp(rec, view.getUint32(p + 12, le), view.getUint32(p + 16, le), iface.scale);
    if (!this.timed) {
      this.timed = true;
      this.firstSec = rec.tsSec;
      this.firstNsec = rec.tsNsec;
    }
    this.lastSec = rec.tsSec;
    this.lastNsec = rec.tsNsec;
    rec.capturedLength = captured;
    rec.originalLength = view.getUint32(p + 24, le);
    rec.dataOffset = p + 28;
    sink(rec);
  }

  private packetProblem(name: string, length: number, minimum: number, ifaceId: number, captured: number): string {
    if (length < minimum) return `${name} of ${length} bytes (minimum ${minimum})`;
    if (this.section[ifaceId] === undefined) {
      return `${name} for interface ${ifaceId}, but the section describes ${this.section.length} interface(s)`;
    }
    if (captured > MAXIMUM_SNAPLEN) return `${name} says ${captured} captured bytes, more than the maximum of ${MAXIMUM_SNAPLEN}`;
    return `${name} says ${captured} captured bytes but holds only ${length - minimum}`;
  }

  private malformed(offset: number, reason: string, p: number): number {
    this.stop = { kind: 'malformed', offset, frame: this.frame, reason };
    return p;
  }
}

function hexBytes(view: DataView, at: number): string {
  return [0, 1, 2, 3].map((i) => view.getUint8(at + i).toString(16).padStart(2, '0')).join(' ');
}
