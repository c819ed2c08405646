/**
 * A live capture session, whichever backend runs it: the `cap` module (libpcap in this process) or a
 * `tcpdump -w -` child. Both hand records to a CaptureSink under the reused-record contract of
 * src/capture/types.ts, so the rest of the pipeline cannot tell a live capture from a file.
 */
import type { CaptureSink } from '../types.js';
import type { CaptureStop } from '../../model/report-input.js';

export type CaptureBackend = 'cap' | 'tcpdump';

/**
 * Where packet times come from. 'arrival': stamped by this process when the packet reached it (cap gives no
 * timestamps; see ArrivalClock); 'kernel': libpcap's own per-packet timestamps (tcpdump's pcap stream).
 */
export type TimestampSource = 'arrival' | 'kernel';

export interface LiveRunResult {
  /** Frames delivered to the sink. */
  frames: number;
  /** Bytes of packet data delivered. */
  bytes: number;
  /** Packets the kernel dropped, when the backend says (tcpdump's closing statistics). */
  dropped?: number;
  /** The stream from the backend ended in a way that cut a record (tcpdump killed mid-write). */
  stop?: CaptureStop;
  /** Lines worth showing the user (the backend's own complaints). */
  warnings: string[];
}

export interface LiveSession {
  readonly backend: CaptureBackend;
  readonly device: string;
  /** LINKTYPE_* of the packets (1 Ethernet, 113 SLL, 276 SLL2, 101 raw IP). */
  readonly linkType: number;
  readonly snapLength: number;
  readonly timestampSource: TimestampSource;
  /** Hands packets to the sink until stop() is called or the backend ends by itself; resolves then. */
  run(sink: CaptureSink): Promise<LiveRunResult>;
  /** Ends the capture (idempotent). */
  stop(): void;
}

/** Why a backend cannot capture here, in a form the command can turn into one line with what to do. */
export class CaptureUnavailable extends Error {
  override readonly name = 'CaptureUnavailable';
  constructor(
    readonly backend: CaptureBackend,
    readonly reason: 'not-installed' | 'no-permission',
    message: string,
  ) {
    super(message);
  }
}
