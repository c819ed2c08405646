/**
 * Offset and delay of one request and its reply as the capture saw them, RFC 5905 §8:
 *   θ = ((T2 − T1) + (T3 − T4)) / 2,   δ = (T4 − T1) − (T3 − T2).
 * T2 and T3 come from the reply; T1 and T4 from the request's transmit timestamp and the capture clock.
 * - T1 hidden (chrony ≥ 4 and ntpsec send a random cookie, draft-ietf-ntp-data-minimization), zero, or random
 *   (randomT1 below: NTS requests, OpenNTPD): only the capture clock can stand in for the client's, so T1/T4 are the
 *   capture times (CAPTURE_TIMES, offsetMethod 'capture-times') — exact when the capture is on the client.
 * - T1 a real reading: T4 = T1 + (capture time of reply − capture time of request), which holds wherever the
 *   capture was taken. At the server, that elapsed time is just the server's turnaround, so θ is the one-way
 *   T2 − T1 (it includes the forward delay) and δ is unknown.
 */
import { NTP_UNIX_EPOCH_DELTA } from '../ntp/constants.js';
import type { TimeFrame } from '../decode/time-frame.js';
import { AT_CLIENT, CAPTURE_TIMES, NOT_MEASURED, ONE_WAY, type Measured, type ReplyMeasure } from '../observe/exchange.js';
import { TWO_POW_31, TWO_POW_32, TWO_POW_MINUS_32 } from '../net/wall-time.js';
import { capturedAt, type Pending, type PathState } from './path-state.js';

/** Seconds within which the capture clock is taken to agree with a stated T1. */
const CLOCK_AGREEMENT = 0.005;

/**
 * A request's T1 further than this from the capture time of the request (s) is suspected random. RFC 5905 §11.3's
 * panic threshold (PANICT, 1000 s): beyond it ntpd would not take the offset anyway, while a random 64-bit cookie
 * lands within it with odds 2000 / 2^32 ≈ 5·10⁻⁷. chrony randomises T1 in every client request it sends without
 * interleaving (NTS ones included: fixtures/wire/nts-healthy.pcap's six requests carry 1987 to 2075, with precision 32: data minimised), and
 * OpenNTPD always does; only a clock really that far off sends one too.
 */
export const RANDOM_T1 = 1000;
/**
 * How much a far-off but real clock's T1 − capture time may move between two requests: 1 s of jitter plus 500 ppm
 * of the time between them (the frequency error ntpd's and chrony's loops allow at most, RFC 5905 §11.3 PPM).
 */
const STEADY_SKEW = 1;
const STEADY_PPM = 500e-6;

/** farT1's answers: a clock reading (measure as usual), a random cookie (capture times), or not known yet. */
const STEADY = 0;
const RANDOM = 1;
const UNDECIDED = 2;

/**
 * T1 far from the capture clock: random unless the path's previous far T1 was off by the same amount, as a real
 * clock that far off would be. The first far T1 of a path cannot be told either way: its exchange is not measured
 * (never a large offset from a cookie, and no near-zero offset mixed into a far clock's steady ones); a real clock
 * shows from its second request on, a random one is measured from the capture clock from then on. Rare branch:
 * only requests beyond RANDOM_T1 come here.
 */
function farT1(p: PathState, skew: number, sec: number): number {
  const prev = p.farT1;
  if (prev === undefined) {
    p.farT1 = { skew, sec };
    return UNDECIDED;
  }
  const steady = Math.abs(skew - prev.skew) <= STEADY_SKEW + STEADY_PPM * Math.abs(sec - prev.sec);
  prev.skew = skew;
  prev.sec = sec;
  return steady ? STEADY : RANDOM;
}

/** What measure() found (one record reused: no object per reply). */
export interface Measurement extends ReplyMeasure {
  offset: number;
  delay: number;
}

/** Measures request `q` answered by `t` into `out`; says how (AT_CLIENT: offset and delay; ONE_WAY: offset only). */
export function measure(q: Pending, t: TimeFrame, out: Measurement): Measured {
  // ntpPartsMinusCapture (./clock.ts), written out: measured 5 % faster on 2 M frames than the calls, which were
  // not inlined here and boxed their double arguments.
  let ds = t.rcvSec - NTP_UNIX_EPOCH_DELTA - q.sec;
  if (ds >= TWO_POW_31 || ds < -TWO_POW_31) ds -= Math.round(ds / TWO_POW_32) * TWO_POW_32;
  const t2MinusT1w = ds + (t.rcvFrac * TWO_POW_MINUS_32 - q.nsec / 1e9);
  ds = t.xmtSec - NTP_UNIX_EPOCH_DELTA - t.sec;
  if (ds >= TWO_POW_31 || ds < -TWO_POW_31) ds -= Math.round(ds / TWO_POW_32) * TWO_POW_32;
  const t3MinusT4w = ds + (t.xmtFrac * TWO_POW_MINUS_32 - t.nsec / 1e9);
  if (q.hiddenT1 || (q.tSec === 0 && q.tFrac === 0)) {
    out.offset = (t2MinusT1w + t3MinusT4w) / 2;
    out.delay = t2MinusT1w - t3MinusT4w; // = (T4 − T1) − (T3 − T2)
    return CAPTURE_TIMES;
  }
  ds = q.tSec - NTP_UNIX_EPOCH_DELTA - q.sec;
  if (ds >= TWO_POW_31 || ds < -TWO_POW_31) ds -= Math.round(ds / TWO_POW_32) * TWO_POW_32;
  const t1MinusT1w = ds + (q.tFrac * TWO_POW_MINUS_32 - q.nsec / 1e9);
  if (t1MinusT1w > RANDOM_T1 || t1MinusT1w < -RANDOM_T1) {
    const far = farT1(q.path, t1MinusT1w, q.sec);
    if (far === UNDECIDED) return NOT_MEASURED;
    if (far === RANDOM) {
      out.offset = (t2MinusT1w + t3MinusT4w) / 2;
      out.delay = t2MinusT1w - t3MinusT4w;
      return CAPTURE_TIMES;
    }
  }
  // With T4 = T1 + elapsed: (T2 − T1) = t2MinusT1w − t1MinusT1w and (T3 − T4) = t3MinusT4w − t1MinusT1w.
  out.offset = (t2MinusT1w + t3MinusT4w) / 2 - t1MinusT1w;
  let side = capturedAt(q.path);
  if (side === 'unknown') {
    // Whose clock does the capture clock agree with: the client's T1 or the server's T2?
    side = Math.abs(t1MinusT1w) <= Math.abs(t2MinusT1w) + CLOCK_AGREEMENT ? 'client' : 'server';
  }
  if (side !== 'client') return ONE_WAY;
  out.delay = t2MinusT1w - t3MinusT4w;
  return AT_CLIENT;
}

/**
 * A data-minimized client request (chrony ≥ 4, ntpsec; draft-ietf-ntp-data-minimization) zeroes every field but
 * a random transmit cookie and sets precision to 0x20 (2^32 s, no real clock): T1 is then no clock reading.
 */
export function hidesClock(t: Pick<TimeFrame, 'precision' | 'rootDelay' | 'rootDispersion' | 'refSec' | 'refFrac'>): boolean {
  return t.precision >= 20 && t.rootDelay === 0 && t.rootDispersion === 0 && t.refSec === 0 && t.refFrac === 0;
}
