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
}

export type CaptureFormat = 'pcap' | 'pcapng';

export interface CaptureInterface {
  id: number;
  linkType: number;
  snapLength: number;
  name?: string;
  /** Timestamp resolution as a power of ten of seconds (6 = µs, 9 = ns). */
  tsResolutionDigits: number;
}

/** Why and where a reader stopped before the end of the input; what it read before stays valid. */
export interface CaptureStop {
  kind: 'truncated' | 'malformed';
  /** Byte offset in the input where the unreadable part starts. */
  offset: number;
  /** Frame number the stop happened at (the first frame not delivered). */
  frame: number;
  reason: string;
}

export interface CaptureReadResult {
  format: CaptureFormat;
  /** Byte order of the file (pcapng: of the last section). */
  littleEndian: boolean;
  interfaces: CaptureInterface[];
  frames: number;
  bytes: number;
  stop?: CaptureStop;
}

export type CaptureSink = (record: CaptureRecord) => void;
