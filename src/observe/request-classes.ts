/**
 * Requests of two kinds counted apart from their path's totals, because a rule compares them with the rest of the
 * path (the path's counts minus these are "the other requests"):
 * - `fromPort123`: client-mode (mode 3) requests sent FROM UDP source port 123. ntpd always sends from 123; chrony,
 *   ntpdig and `ntpdate -u` from a random port. Filters matching `udp sport 123` (NAT, ISP, a server firewall) drop
 *   exactly these (issue 13 item 6, rules/source-port-blocked.ts).
 * - `symmetric`: symmetric active (mode 1) requests, RFC 5905 §8/§9.2: ntpd's `peer` lines and w32time's symmetric
 *   mode. A server with `nopeer` never answers them while it answers mode 3 (rules/symmetric-unanswered.ts).
 * Counted when a request's fate is known (PathAccumulator.addOutcome); made only for a path that has such a request,
 * so the common path (chrony or ntpdig clients, mode 3 from random ports) pays two comparisons and nothing else.
 */
import type { NtpExchange } from '../model/exchange.js';
import type { FrameSample, RequestClass, RequestClasses } from '../model/observation.js';
import { NTP_PORT } from '../ntp/constants.js';
import { addToSample } from './samples.js';
export const MODE_SYMMETRIC_ACTIVE = 1;

/** Does exchange `x` belong to a class counted apart? (The accumulator's test, written to inline.) */
export function isCountedApart(x: NtpExchange): boolean {
  return isRequestCountedApart(x.requestMode, x.client.port);
}

/** The same test on a request's mode and source port (the correlator's measured replies: no exchange object). */
export function isRequestCountedApart(mode: number, clientPort: number): boolean {
  return mode === MODE_SYMMETRIC_ACTIVE || (clientPort === NTP_PORT && mode === 3);
}

function newClass(time: number): RequestClass {
  return { requests: { count: 0, frames: [] }, unanswered: { count: 0, frames: [] }, replies: { count: 0, frames: [] }, firstTime: time, lastTime: time };
}

/** `replyFrame` -1: unanswered (or an ICMP error, when `unanswered` is false). */
function add(c: RequestClass, requestFrame: number, requestTime: number, unanswered: boolean, replyFrame: number): void {
  // A reply whose request is not in the capture (orphanReplyExchange: request frame = reply frame) is a reply only,
  // as the path counts it.
  if (requestFrame !== replyFrame) addToSample(c.requests, requestFrame);
  if (unanswered) addToSample(c.unanswered, requestFrame);
  else if (replyFrame >= 0) addToSample(c.replies, replyFrame);
  if (requestTime < c.firstTime) c.firstTime = requestTime;
  if (requestTime > c.lastTime) c.lastTime = requestTime;
}

/** Counts `x` (isCountedApart was true) into `into`, made when undefined; returns it. */
export function countApart(into: RequestClasses | undefined, x: NtpExchange): RequestClasses {
  const replyFrame = x.outcome === 'reply' && x.replyFrame !== undefined ? x.replyFrame : -1;
  return countRequestApart(into, x.requestMode, x.requestFrame, x.requestTime, x.outcome === 'none', replyFrame);
}

/** countApart for a request of `mode` given by its frames (replyFrame -1: none) and time. */
export function countRequestApart(
  into: RequestClasses | undefined,
  mode: number,
  requestFrame: number,
  requestTime: number,
  unanswered: boolean,
  replyFrame: number,
): RequestClasses {
  const classes = into ?? {};
  const c = mode === MODE_SYMMETRIC_ACTIVE ? (classes.symmetric ??= newClass(requestTime)) : (classes.fromPort123 ??= newClass(requestTime));
  add(c, requestFrame, requestTime, unanswered, replyFrame);
  return classes;
}

function copyClass(c: RequestClass): RequestClass {
  return {
    requests: { count: c.requests.count, frames: c.requests.frames.slice() },
    unanswered: { count: c.unanswered.count, frames: c.unanswered.frames.slice() },
    replies: { count: c.replies.count, frames: c.replies.frames.slice() },
    firstTime: c.firstTime,
    lastTime: c.lastTime,
  };
}

/** A copy for an observation (the accumulator goes on counting into its own). */
export function copyClasses(c: RequestClasses): RequestClasses {
  const out: RequestClasses = {};
  if (c.fromPort123 !== undefined) out.fromPort123 = copyClass(c.fromPort123);
  if (c.symmetric !== undefined) out.symmetric = copyClass(c.symmetric);
  return out;
}

