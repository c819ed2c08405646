import type { CaptureFormat, CaptureStop } from '../model/report-input.js';

/** One record of a capture file, as the file stored it. Link-layer decoding happens in src/decode/. */
export interface CaptureRecord {
  /** 1-based frame number, as Wireshark and tshark count them (over all interfaces of the file). */
  frame: number;
  /** Capture time: whole seconds since the Unix epoch and nanoseconds within the second. */
  tsSec: number;
  tsNsec: number;
  /** LINKTYPE_* of the interface the record belongs to (1 Ethernet, 113 SLL, 276 SLL2, 101 raw, 0 NULL...). */
  linkType: number;
  /** pcapng interface id (0 for classic pcap). */
  interfaceId: number;
  /** Bytes present in the file for this packet. */
  capturedLength: number;
  /** Bytes the packet had on the wire (> capturedLength when the snaplen cut it). */
  originalLength: number;
  /**
   * The captured bytes. A view into the reader's buffer: valid only during the sink callback;
   * copy (`slice()`) whatever must outlive it.
   */
  data: Uint8Array;
  /**
   * Optional zero-copy access (added by src/capture/read.ts): the reader's whole buffer and where this record's
   * bytes start in it, so `data` equals `buffer.subarray(dataOffset, dataOffset + capturedLength)`. Lets a hot
   * loop peek at a few bytes without allocating a view per record. Same lifetime as `data`.
   */
  buffer?: Uint8Array;
  dataOffset?: number;
}

export interface CaptureInterface {
  /** pcapng: the interface id within its section (what records carry); classic pcap: 0. */
  id: number;
  /** pcapng: 0-based index of the section the interface belongs to (ids restart in every section). */
  section?: number;
  linkType: number;
  snapLength: number;
  name?: string;
  /** Timestamp resolution as a power of ten of seconds (6 = µs, 9 = ns). */
  tsResolutionDigits: number;
  /** Set when pcapng if_tsresol is a power of two: 2^-bits s (tsResolutionDigits is then the decimal digits that cover it). */
  tsResolutionBits?: number;
  /**
   * Bytes of frame check sequence at the end of each packet, when the file says (pcap: the FCS bits of the
   * link-type field; pcapng: if_fcslen). Absent when unknown.
   */
  fcsLength?: number;
}

/** A capture time: whole seconds since the Unix epoch and nanoseconds within the second. */
export interface CaptureTime {
  sec: number;
  nsec: number;
}

export interface CaptureReadResult {
  format: CaptureFormat;
  /** Byte order of the file (pcapng: of the last section). */
  littleEndian: boolean;
  /** The interfaces, described (pcapng: the first 256; interfaceCount counts them all). */
  interfaces: CaptureInterface[];
  /** Interfaces in the file, when more than `interfaces` lists. */
  interfaceCount?: number;
  /** The distinct link types of every interface, when `interfaces` does not list them all. */
  linkTypes?: number[];
  frames: number;
  bytes: number;
  /** Times of the first and the last packet record in file order (absent when none carried a time). */
  firstTime?: CaptureTime;
  lastTime?: CaptureTime;
  stop?: CaptureStop;
}

export type CaptureSink = (record: CaptureRecord) => void;
