/**
 * Measured replies packed as numbers: the ring of a path's latest exchanges (./kept.ts) holds the common case — a
 * request and the reply that passed every packet test — as one run of doubles per slot in a Float64Array, written
 * per reply with plain stores, and builds the NtpExchange only when the report asks for the list
 * (./exchange.ts replyExchange, the same literal as for any reply).
 *
 * Why not objects refilled in place: an exchange is a tree of nine objects (client, transmit, reply summary, four
 * timestamps…) whose double fields V8 keeps boxed, so a refill was ~35 stores through three levels of pointers, per
 * reply, into old-generation objects; here it is 27 stores into one array (measured on 2 M frames: ~15 % of the
 * capture correlation).
 */
import type { Endpoint, NtpExchange } from '../model/exchange.js';
import { replyExchange, replySummary, type Measured, type ReplyFields, type ReplyMeasure, type RequestRecord } from './exchange.js';

const Q_FRAME = 0;
const Q_SEC = 1;
const Q_NSEC = 2;
const Q_PORT = 3;
const Q_T_SEC = 4;
const Q_T_FRAC = 5;
const Q_VERSION = 6;
const Q_MODE = 7;
const R_FRAME = 8;
const R_TIME = 9;
const R_LEAP = 10;
const R_VERSION = 11;
const R_MODE = 12;
const R_STRATUM = 13;
const R_POLL = 14;
const R_PRECISION = 15;
const R_ROOT_DELAY = 16;
const R_ROOT_DISPERSION = 17;
const R_REFID = 18;
const R_REF_SEC = 19;
const R_REF_FRAC = 20;
const R_RCV_SEC = 21;
const R_RCV_FRAC = 22;
const R_XMT_SEC = 23;
const R_XMT_FRAC = 24;
const OFFSET = 25;
const DELAY = 26;
/** How the reply was measured (Measured): unpackReply builds the exchange by it. */
const MEASURED = 27;
/** Doubles per packed reply. */
export const PACKED_FIELDS = 28;

/**
 * Writes request `q` and its reply `t` (captured at m.replyTime; m's offset and delay as `measured` says) at slot `i`.
 * Every field is a number that a double holds exactly (32-bit halves, frame numbers, ports), so the exchange built
 * from it later is the one an object built now would have been.
 */
export function packReply(a: Float64Array, i: number, q: RequestRecord, t: ReplyFields, m: ReplyMeasure, measured: Measured): void {
  const o = i * PACKED_FIELDS;
  a[o + Q_FRAME] = q.frame;
  a[o + Q_SEC] = q.sec;
  a[o + Q_NSEC] = q.nsec;
  a[o + Q_PORT] = q.clientPort;
  a[o + Q_T_SEC] = q.tSec;
  a[o + Q_T_FRAC] = q.tFrac;
  a[o + Q_VERSION] = q.version;
  a[o + Q_MODE] = q.mode;
  a[o + R_FRAME] = t.frame;
  a[o + R_TIME] = m.replyTime;
  a[o + R_LEAP] = t.leap;
  a[o + R_VERSION] = t.version;
  a[o + R_MODE] = t.mode;
  a[o + R_STRATUM] = t.stratum;
  a[o + R_POLL] = t.poll;
  a[o + R_PRECISION] = t.precision;
  a[o + R_ROOT_DELAY] = t.rootDelay;
  a[o + R_ROOT_DISPERSION] = t.rootDispersion;
  a[o + R_REFID] = t.refid;
  a[o + R_REF_SEC] = t.refSec;
  a[o + R_REF_FRAC] = t.refFrac;
  a[o + R_RCV_SEC] = t.rcvSec;
  a[o + R_RCV_FRAC] = t.rcvFrac;
  a[o + R_XMT_SEC] = t.xmtSec;
  a[o + R_XMT_FRAC] = t.xmtFrac;
  a[o + OFFSET] = m.offset;
  a[o + DELAY] = m.delay;
  a[o + MEASURED] = measured;
}

/**
 * The exchange packed at slot `i`: replyExchange over the same request and reply fields, so key for key what the
 * correlator would have built for it. The origin is the request's transmit (the correlator matched them, RFC 5905 §8).
 */
export function unpackReply(a: Float64Array, i: number, clientIp: string, server: Endpoint, refidText: string): NtpExchange {
  const o = i * PACKED_FIELDS;
  const f = (k: number) => a[o + k] as number;
  const measured = f(MEASURED) as Measured;
  const q: RequestRecord = {
    frame: f(Q_FRAME),
    sec: f(Q_SEC),
    nsec: f(Q_NSEC),
    clientPort: f(Q_PORT),
    tSec: f(Q_T_SEC),
    tFrac: f(Q_T_FRAC),
    version: f(Q_VERSION),
    mode: f(Q_MODE),
  };
  const t: ReplyFields = {
    frame: f(R_FRAME),
    leap: f(R_LEAP),
    version: f(R_VERSION),
    mode: f(R_MODE),
    stratum: f(R_STRATUM),
    poll: f(R_POLL),
    precision: f(R_PRECISION),
    rootDelay: f(R_ROOT_DELAY),
    rootDispersion: f(R_ROOT_DISPERSION),
    refid: f(R_REFID),
    refSec: f(R_REF_SEC),
    refFrac: f(R_REF_FRAC),
    orgSec: q.tSec,
    orgFrac: q.tFrac,
    rcvSec: f(R_RCV_SEC),
    rcvFrac: f(R_RCV_FRAC),
    xmtSec: f(R_XMT_SEC),
    xmtFrac: f(R_XMT_FRAC),
  };
  return replyExchange(q, clientIp, server, t.frame, f(R_TIME), replySummary(t, refidText), measured, f(OFFSET), f(DELAY));
}
