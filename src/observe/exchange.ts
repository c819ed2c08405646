/**
 * The one module that builds and copies an NtpExchange (its field list is written here and nowhere else in the
 * packet path). Three kinds of object come out of it:
 * - a request's exchange with outcome 'none' (requestExchange), to which an ICMP error or nothing is added;
 * - a reply's exchange, as one literal per Measured shape (replyExchange), or refilled in place (fillReply) —
 *   the capture correlator reuses one object per reply instead of allocating one;
 * - copies the accumulator keeps (copyReply, overwriteReply, retained), key for key in the same order, so that
 *   the JSON of a copy is the JSON of the original.
 * Field order: request fields, outcome, reply fields, then offset, delay, offsetMethod (JSON keeps this order).
 */
import type { Endpoint, NtpExchange, ReplySummary } from '../model/exchange.js';
import type { NtpTimestamp } from '../ntp/types.js';

/**
 * How a reply's offset was measured (src/correlate/measure.ts): not at all, at the client (θ and δ), one way (θ), or
 * from the capture clock because T1 is no clock reading (θ and δ with T1/T4 := capture times).
 */
export type Measured = 0 | 1 | 2 | 3;
export const NOT_MEASURED = 0;
export const AT_CLIENT = 1;
export const ONE_WAY = 2;
export const CAPTURE_TIMES = 3;

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

/** The header fields of a reply as primitives (src/decode/time-frame.ts TimeFrame has them all). */
export interface ReplyFields {
  frame: number;
  leap: number;
  version: number;
  mode: number;
  stratum: number;
  poll: number;
  precision: number;
  rootDelay: number;
  rootDispersion: number;
  refid: number;
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

/**
 * Refills `x`, a reply exchange made by replyExchange with the same Measured shape, with request `q` and reply
 * `t`: every field replyExchange and replySummary would set, in place.
 */
export function fillReply(
  x: NtpExchange,
  q: RequestRecord,
  clientIp: string,
  server: Endpoint,
  t: ReplyFields,
  replyTime: number,
  refidText: string,
  offset: number,
  delay: number,
): void {
  // Pointers only when they change: a store into a long-lived object is a write barrier's work.
  const client = x.client;
  if (client.ip !== clientIp) client.ip = clientIp;
  client.port = q.clientPort;
  if (x.server !== server) x.server = server;
  x.requestFrame = q.frame;
  x.requestTime = q.sec + q.nsec / 1e9;
  x.requestVersion = q.version;
  x.requestMode = q.mode;
  x.requestTransmit.seconds = q.tSec;
  x.requestTransmit.fraction = q.tFrac;
  x.replyFrame = t.frame;
  x.replyTime = replyTime;
  const r = x.reply as ReplySummary;
  r.leap = t.leap;
  r.version = t.version;
  r.mode = t.mode;
  r.stratum = t.stratum;
  r.poll = t.poll;
  r.precision = t.precision;
  r.rootDelay = t.rootDelay;
  r.rootDispersion = t.rootDispersion;
  r.refid = t.refid;
  if (r.refidText !== refidText) r.refidText = refidText;
  r.referenceTime.seconds = t.refSec;
  r.referenceTime.fraction = t.refFrac;
  // The origin equals the request's transmit (the correlator matched them).
  r.originTime.seconds = q.tSec;
  r.originTime.fraction = q.tFrac;
  r.receiveTime.seconds = t.rcvSec;
  r.receiveTime.fraction = t.rcvFrac;
  r.transmitTime.seconds = t.xmtSec;
  r.transmitTime.fraction = t.xmtFrac;
  if (x.offset !== undefined) x.offset = offset;
  if (x.delay !== undefined) x.delay = delay;
}

function setTimestamp(dst: NtpTimestamp, src: NtpTimestamp): void {
  dst.seconds = src.seconds;
  dst.fraction = src.fraction;
}

/**
 * A copy of a reply exchange, key for key in its order, built as literals so every copy of a shape shares one
 * hidden class (overwriteReply stays fast). `client` and `server`, the path's own endpoints, stay shared.
 */
export function copyReply(x: NtpExchange, pathClient: Endpoint, pathServer: Endpoint): NtpExchange {
  const r = x.reply as ReplySummary;
  // Its own literal, not replySummary over a TimeFrame-like object: that would make replySummary's loads see two maps.
  const reply: ReplySummary = {
    leap: r.leap,
    version: r.version,
    mode: r.mode,
    stratum: r.stratum,
    poll: r.poll,
    precision: r.precision,
    rootDelay: r.rootDelay,
    rootDispersion: r.rootDispersion,
    refid: r.refid,
    refidText: r.refidText,
    referenceTime: { seconds: r.referenceTime.seconds, fraction: r.referenceTime.fraction },
    originTime: { seconds: r.originTime.seconds, fraction: r.originTime.fraction },
    receiveTime: { seconds: r.receiveTime.seconds, fraction: r.receiveTime.fraction },
    transmitTime: { seconds: r.transmitTime.seconds, fraction: r.transmitTime.fraction },
  };
  const client = x.client === pathClient ? x.client : { ip: x.client.ip, port: x.client.port };
  const server = x.server === pathServer ? x.server : { ip: x.server.ip, port: x.server.port };
  const requestTransmit = { seconds: x.requestTransmit.seconds, fraction: x.requestTransmit.fraction };
  const { requestFrame, requestTime, requestVersion, requestMode, outcome, offset, delay, offsetMethod } = x;
  const replyFrame = x.replyFrame as number;
  const replyTime = x.replyTime as number;
  // One literal per shape (no spread: a spread copy gets a map of its own, slow to overwrite).
  if (offset === undefined || offsetMethod === undefined) {
    return { client, server, requestFrame, requestTime, requestVersion, requestMode, requestTransmit, outcome, replyFrame, replyTime, reply };
  }
  if (delay === undefined) {
    return { client, server, requestFrame, requestTime, requestVersion, requestMode, requestTransmit, outcome, replyFrame, replyTime, reply, offset, offsetMethod };
  }
  return { client, server, requestFrame, requestTime, requestVersion, requestMode, requestTransmit, outcome, replyFrame, replyTime, reply, offset, delay, offsetMethod };
}

/**
 * Copies the reply exchange `src` into `dst`, a copy of the same shape (so the same keys: only values change, and
 * the JSON of `dst` is what a fresh copy of `src` would give). Nested objects of `dst` are its own, but for the
 * path's endpoints, which stay shared.
 */
export function overwriteReply(dst: NtpExchange, src: NtpExchange, pathClient: Endpoint, pathServer: Endpoint): void {
  const r = src.reply as ReplySummary;
  const d = dst.reply as ReplySummary;
  if (src.client === pathClient) dst.client = src.client;
  else if (dst.client === pathClient) dst.client = { ip: src.client.ip, port: src.client.port };
  else {
    if (dst.client.ip !== src.client.ip) dst.client.ip = src.client.ip;
    dst.client.port = src.client.port;
  }
  if (src.server === pathServer) {
    if (dst.server !== src.server) dst.server = src.server;
  } else dst.server = { ip: src.server.ip, port: src.server.port };
  dst.requestFrame = src.requestFrame;
  dst.requestTime = src.requestTime;
  dst.requestVersion = src.requestVersion;
  dst.requestMode = src.requestMode;
  setTimestamp(dst.requestTransmit, src.requestTransmit);
  if (dst.outcome !== src.outcome) dst.outcome = src.outcome;
  dst.replyFrame = src.replyFrame as number;
  dst.replyTime = src.replyTime as number;
  d.leap = r.leap;
  d.version = r.version;
  d.mode = r.mode;
  d.stratum = r.stratum;
  d.poll = r.poll;
  d.precision = r.precision;
  d.rootDelay = r.rootDelay;
  d.rootDispersion = r.rootDispersion;
  d.refid = r.refid;
  // Strings and objects only when they differ: a store into a long-lived object is a write barrier's work.
  if (d.refidText !== r.refidText) d.refidText = r.refidText;
  setTimestamp(d.referenceTime, r.referenceTime);
  setTimestamp(d.originTime, r.originTime);
  setTimestamp(d.receiveTime, r.receiveTime);
  setTimestamp(d.transmitTime, r.transmitTime);
  if (src.offset !== undefined) dst.offset = src.offset;
  if (src.delay !== undefined) dst.delay = src.delay;
  if (src.offsetMethod !== undefined) dst.offsetMethod = src.offsetMethod;
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
