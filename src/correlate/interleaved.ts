/**
 * Interleaved client/server mode (chrony `xleave`; RFC 5905's interleaved extension as draft-ietf-ntp-interleaved-modes
 * describes it). chrony's ntp_core.c, as the capture fixtures/wire/xleave.pcap shows it on the wire:
 * - the client's request carries origin = the server's receive timestamp (T2) of the previous exchange, receive =
 *   its own (random cookie) receive field, transmit = a random cookie;
 * - a server that has that T2 saved for the client answers interleaved: origin = the request's RECEIVE field (not
 *   its transmit), receive = T2 of this request, transmit = the precise transmit time T3 of its PREVIOUS reply.
 * So an interleaved reply fails the basic origin test (chrony's test2 is made against the receive field in this
 * mode) and has transmit < receive (test3's receive-after-transmit does not apply). Its measurement is the previous
 * exchange's: T1 and T4 of the previous request and reply, T2 of the previous reply, T3 from this one (chrony's
 * process_response in interleaved mode). Captured at the client, T1/T4 are the capture times (chrony's T1 is a
 * cookie anyway); captured at the server they are not the client's clock, and nothing is measured.
 */
import type { TimeFrame } from '../decode/time-frame.js';
import { AT_CLIENT, NOT_MEASURED, type Measured } from '../observe/exchange.js';
import { ntpPartsMinusCapture } from '../net/wall-time.js';
import type { Measurement } from './measure.js';
import { capturedAt, type Pending, type PathState } from './path-state.js';

/** The previous exchange of a path that asked in interleaved style: its T2 and the capture times of request and reply. */
export interface PreviousExchange {
  t2Sec: number;
  t2Frac: number;
  reqSec: number;
  reqNsec: number;
  replySec: number;
  replyNsec: number;
}

/** A request that may be answered interleaved next: it names a previous T2 as its origin (chrony with xleave). */
export function asksInterleaved(q: Pending): boolean {
  return q.oSec !== 0 || q.oFrac !== 0;
}

/** Remembers request `q` and reply `t` as the path's previous exchange (the next interleaved reply measures it). */
export function noteExchange(p: PathState, q: Pending, t: TimeFrame): void {
  const prev = (p.previous ??= { t2Sec: 0, t2Frac: 0, reqSec: 0, reqNsec: 0, replySec: 0, replyNsec: 0 });
  prev.t2Sec = t.rcvSec;
  prev.t2Frac = t.rcvFrac;
  prev.reqSec = q.sec;
  prev.reqNsec = q.nsec;
  prev.replySec = t.sec;
  prev.replyNsec = t.nsec;
}

/**
 * The open request reply `t` answers in interleaved mode, or undefined: one on the same client port whose receive
 * field is the reply's origin (non-zero), and whose origin is the T2 of the path's previous exchange (the server
 * replies interleaved only when the request names the receive timestamp it saved).
 */
export function interleavedRequest(p: PathState, t: TimeFrame): Pending | undefined {
  const prev = p.previous;
  if (prev === undefined || (t.orgSec === 0 && t.orgFrac === 0)) return undefined;
  return p.open.latest(
    (o) => o.clientPort === t.dstPort && o.rSec === t.orgSec && o.rFrac === t.orgFrac && o.oSec === prev.t2Sec && o.oFrac === prev.t2Frac,
  );
}

/**
 * RFC 5905 §8 on the previous exchange: θ = ((T2 − T1) + (T3 − T4)) / 2, δ = (T4 − T1) − (T3 − T2), with T1 and T4
 * the capture times of the previous request and reply, T2 the previous reply's receive timestamp, T3 this reply's
 * transmit timestamp. NOT_MEASURED when captured at the server or when T3 is before T2 (not an interleaved pair).
 */
export function measureInterleaved(p: PathState, t: TimeFrame, out: Measurement): Measured {
  const prev = p.previous;
  if (prev === undefined || capturedAt(p) === 'server') return NOT_MEASURED;
  // Both against the previous request's capture time: T2 − T1 and T3 − T1.
  const t2MinusT1 = ntpPartsMinusCapture(prev.t2Sec, prev.t2Frac, prev.reqSec, prev.reqNsec);
  const t3MinusT1 = ntpPartsMinusCapture(t.xmtSec, t.xmtFrac, prev.reqSec, prev.reqNsec);
  const t4MinusT1 = prev.replySec - prev.reqSec + (prev.replyNsec - prev.reqNsec) / 1e9;
  if (t3MinusT1 < t2MinusT1) return NOT_MEASURED;
  out.offset = (t2MinusT1 + (t3MinusT1 - t4MinusT1)) / 2;
  out.delay = t4MinusT1 - (t3MinusT1 - t2MinusT1);
  return AT_CLIENT;
}
