/**
 * The one module that builds and copies an NtpExchange (its field list is written here and nowhere else in the
 * packet path). Three kinds of object come out of it:
 * - a request's exchange with outcome 'none' (requestExchange), to which an ICMP error or nothing is added;
 * - a reply's exchange, as one literal per Measured shape (replyExchange); the capture correlator's common case
 *   makes none per reply (src/observe/packed.ts builds them for the kept ones only when the report asks);
 * - copies the accumulator keeps (retained), key for key in the same order, so that the JSON of a copy is the JSON
 *   of the original.
 * Field order: request fields, outcome, reply fields, then offset, delay, offsetMethod (JSON keeps this order).
 */
import type { Endpoint, NtpExchange, ReplySummary } from '../model/exchange.js';
import type { NtpHeaderNumbers, NtpTimestamp } from '../ntp/types.js';

/**
 * How a reply's offset was measured (src/correlate/measure.ts): not at all, at the client (θ and δ), one way (θ), or
 * from the capture clock because T1 is no clock reading (θ and δ with T1/T4 := capture times).
 */
export type Measured = 0 | 1 | 2 | 3;
export const NOT_MEASURED = 0;
export const AT_CLIENT = 1;
export const ONE_WAY = 2;
export const CAPTURE_TIMES = 3;

/**
 * A measured reply's numbers, in one record the correlator reuses: handed over as an object, since a double passed
 * as an argument to a function V8 does not inline is boxed in a new heap number (measured: ~80 MB allocated per 1 M
 * replies when they were arguments).
 */
export interface ReplyMeasure {
  /** Capture time of the reply (s since the Unix epoch). */
  replyTime: number;
  /** θ and δ (s), as the Measured kind says (undefined when not measured: any value). */
  offset: number;
  delay: number;
}

/** A request as the correlator holds it open: capture time in two parts, T1 in two halves (RFC 5905 §6). */
export interface RequestRecord {
  frame: number;
  sec: number;
  nsec: number;
  clientPort: number;
  tSec: number;
  tFrac: number;
  version: number;
  mode: number;
}

/**
 * The header fields of a reply as primitives (src/decode/time-frame.ts TimeFrame has them all): the numbers of
 * RFC 5905 §7.3 as they stand, the timestamps in their two 32-bit halves.
 */
export interface ReplyFields extends NtpHeaderNumbers {
  frame: number;
  refSec: number;
  refFrac: number;
  orgSec: number;
  orgFrac: number;
  rcvSec: number;
  rcvFrac: number;
  xmtSec: number;
  xmtFrac: number;
}

/** The exchange of a request, outcome 'none' until something answered it. */
export function requestExchange(q: RequestRecord, clientIp: string, server: Endpoint): NtpExchange {
  return {
    client: { ip: clientIp, port: q.clientPort },
    server,
    requestFrame: q.frame,
    requestTime: q.sec + q.nsec / 1e9,
    requestVersion: q.version,
    requestMode: q.mode,
    requestTransmit: { seconds: q.tSec, fraction: q.tFrac },
    outcome: 'none',
  };
}

/** An exchange whose request is not in the capture (an ICMP error quoting it, or a reply to it): seen at `frame`. */
export function unseenRequestExchange(
  client: Endpoint,
  server: Endpoint,
  frame: number,
  time: number,
  version: number,
  transmit: NtpTimestamp,
): NtpExchange {
  return { client, server, requestFrame: frame, requestTime: time, requestVersion: version, requestMode: 3, requestTransmit: transmit, outcome: 'none' };
}

export function replySummary(t: ReplyFields, refidText: string): ReplySummary {
  return {
    leap: t.leap,
    version: t.version,
    mode: t.mode,
    stratum: t.stratum,
    poll: t.poll,
    precision: t.precision,
    rootDelay: t.rootDelay,
    rootDispersion: t.rootDispersion,
    refid: t.refid,
    refidText,
    referenceTime: { seconds: t.refSec, fraction: t.refFrac },
    originTime: { seconds: t.orgSec, fraction: t.orgFrac },
    receiveTime: { seconds: t.rcvSec, fraction: t.rcvFrac },
    transmitTime: { seconds: t.xmtSec, fraction: t.xmtFrac },
  };
}

/** A reply whose request is not in the capture: it still tells about the server. */
export function orphanReplyExchange(client: Endpoint, server: Endpoint, replyTime: number, t: ReplyFields, reply: ReplySummary): NtpExchange {
  return {
    client,
    server,
    requestFrame: t.frame,
    requestTime: replyTime,
    requestVersion: t.version,
    requestMode: 3,
    requestTransmit: reply.originTime,
    outcome: 'reply',
    replyFrame: t.frame,
    replyTime,
    reply,
  };
}

/**
 * The exchange of request `q` and its reply, built as one literal per shape so every field is in the object from
 * the start (a field added later costs a property store and, beyond the literal's own, a backing array — once per
 * reply).
 */
export function replyExchange(
  q: RequestRecord,
  clientIp: string,
  server: Endpoint,
  replyFrame: number,
  replyTime: number,
  reply: ReplySummary,
  measured: Measured,
  offset: number,
  delay: number,
): NtpExchange {
  const client = { ip: clientIp, port: q.clientPort };
  const requestTime = q.sec + q.nsec / 1e9;
  const requestTransmit = { seconds: q.tSec, fraction: q.tFrac };
  const outcome = 'reply';
  if (measured === AT_CLIENT) {
    return { client, server, requestFrame: q.frame, requestTime, requestVersion: q.version, requestMode: q.mode, requestTransmit, outcome, replyFrame, replyTime, reply, offset, delay, offsetMethod: 'capture-client' };
  }
  if (measured === ONE_WAY) {
    return { client, server, requestFrame: q.frame, requestTime, requestVersion: q.version, requestMode: q.mode, requestTransmit, outcome, replyFrame, replyTime, reply, offset, offsetMethod: 'one-way' };
  }
  if (measured === CAPTURE_TIMES) {
    return { client, server, requestFrame: q.frame, requestTime, requestVersion: q.version, requestMode: q.mode, requestTransmit, outcome, replyFrame, replyTime, reply, offset, delay, offsetMethod: 'capture-times' };
  }
  return { client, server, requestFrame: q.frame, requestTime, requestVersion: q.version, requestMode: q.mode, requestTransmit, outcome, replyFrame, replyTime, reply };
}

/** A deep copy of plain data: primitives as they are, arrays and objects copied with their keys in the same order. */
function copyPlain(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.map(copyPlain);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) out[k] = copyPlain((v as Record<string, unknown>)[k]);
  return out;
}

/**
 * A copy of an exchange kept for the rest of the run. The correlator's exchanges nearly all die young; when the
 * ones kept are its own objects, V8 sees objects from those allocation sites survive and allocates later ones
 * straight in the old generation (allocation-site pretenuring), where they pile up as garbage until a full
 * collection: +0.5 GB peak RSS on bench/out/2M-many-clients.pcap when each of its 100 k paths kept its first.
 * Plain data, copied with keys in the same order; the path's own endpoints are shared as they were.
 */
export function retained(x: NtpExchange, pathClient: Endpoint, pathServer: Endpoint): NtpExchange {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(x)) {
    const v = (x as unknown as Record<string, unknown>)[k];
    out[k] = v === pathServer || v === pathClient ? v : copyPlain(v);
  }
  return out as unknown as NtpExchange;
}

/** Two kept copies of one exchange: the same request, answered (or not) by the same frame. */
export function sameExchange(a: NtpExchange, b: NtpExchange): boolean {
  return a.requestFrame === b.requestFrame && a.replyFrame === b.replyFrame && a.outcome === b.outcome && a.icmp?.frame === b.icmp?.frame;
}
