import type { NtpHeader, NtpTimestamp } from '../ntp/types.js';

export interface Endpoint {
  ip: string;
  port: number;
}

/** The server's reply fields that rules and renderers read (RFC 5905 §7.3): its header, and the refid as text. */
export interface ReplySummary extends NtpHeader {
  /** refid as text by stratum: 'RATE', 'LOCL', '127.127.1.1', ... */
  refidText: string;
}

/** An ICMP/ICMPv6 error that answered a request (RFC 792, RFC 4443). */
export interface IcmpError {
  frame: number;
  version: 4 | 6;
  type: number;
  code: number;
  /** Address that sent the ICMP error (the server itself, or a router on the way). */
  reporter: string;
  /** Probe only: the socket errno the ICMP error arrived as (the ICMP itself was not seen). */
  errno?: string;
  /** Probe only: other type/code pairs that give the same errno; the socket cannot tell them from type/code. */
  alternatives?: Array<{ type: number; code: number }>;
}

/** One client request and what answered it. In a capture, frames are frame numbers; in a probe, sample indexes (1-based). */
export interface NtpExchange {
  client: Endpoint;
  server: Endpoint;
  requestFrame: number;
  /** Capture (or local clock) time of the request, seconds since the Unix epoch. */
  requestTime: number;
  requestVersion: number;
  requestMode: number;
  requestTransmit: NtpTimestamp;
  outcome: 'reply' | 'icmp' | 'none';
  replyFrame?: number;
  replyTime?: number;
  reply?: ReplySummary;
  icmp?: IcmpError;
  /** RFC 5905 §8: θ = ((T2 − T1) + (T3 − T4)) / 2, δ = (T4 − T1) − (T3 − T2), seconds. */
  offset?: number;
  delay?: number;
  /**
   * How T1/T4 were taken: 'capture-client' = capture host is (or sits beside) the client, T1 the request's transmit
   * timestamp, T4 = T1 + the capture's elapsed time; 'one-way' = capture at the server, only T2 − T1 is known (delay
   * unknown); 'capture-times' = the request's transmit is no clock reading (a random cookie: NTS, chrony's data
   * minimisation, OpenNTPD; or zero), so T1 := the capture time of the request and T4 := that of the reply, T2/T3
   * from the server — exact when the capture host is the client (src/correlate/measure.ts); 'probe' = our own client.
   */
  offsetMethod?: 'capture-client' | 'one-way' | 'capture-times' | 'probe';
  /** RFC 5905 §8 packet tests that failed: 'origin-mismatch', 'zero-transmit', 'zero-receive', 'receive-after-transmit', 'duplicate'. */
  bogus?: string[];
  /**
   * An interleaved reply (chrony xleave, src/correlate/interleaved.ts): its origin is the request's receive field,
   * its transmit the previous reply's; offset and delay are those of the previous exchange.
   */
  interleaved?: true;
}
