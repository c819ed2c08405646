/**
 * What the server answers to a client request (RFC 5905 §9.2 fast_xmit, as ntpd does it): mode 4, the
 * client's version mirrored, origin = the request's transmit timestamp, receive = T2 taken on arrival, transmit
 * = T3 taken just before sending. Pure: the caller supplies the timestamps. Faults bend the answer on purpose.
 */
import type { NtpMessage, NtpTimePacket, NtpTimestamp } from '../ntp/types.js';
import type { Fault } from './faults.js';

export interface ServerIdentity {
  stratum: number;
  refid: number;
  /** log2 s, measured (src/net/clock.ts measurePrecision). */
  precision: number;
  rootDelay: number;
  rootDispersion: number;
  /** When our "clock" was last updated (the local-clock driver's reference time). */
  referenceTime: NtpTimestamp;
  leap: number;
}

/** ASCII kiss code as a refid (RFC 5905 §7.4: four ASCII characters, left-justified, NUL-padded). */
export function asciiRefid(code: string): number {
  let v = 0;
  for (let i = 0; i < 4; i++) v = v * 256 + (i < code.length ? code.charCodeAt(i) & 0xff : 0);
  return v >>> 0;
}

const ZERO: NtpTimestamp = { seconds: 0, fraction: 0 };
const TWO_POW_32 = 4_294_967_296;

/** ts + seconds (may be negative or large), modulo the era (RFC 5905 §6). */
export function shiftTimestamp(ts: NtpTimestamp, seconds: number): NtpTimestamp {
  if (seconds === 0) return ts;
  const whole = Math.floor(seconds);
  let fraction = ts.fraction + Math.round((seconds - whole) * TWO_POW_32);
  let carry = 0;
  if (fraction >= TWO_POW_32) {
    fraction -= TWO_POW_32;
    carry = 1;
  }
  const secs = (((ts.seconds + whole + carry) % TWO_POW_32) + TWO_POW_32) % TWO_POW_32;
  return { seconds: secs >>> 0, fraction: fraction >>> 0 };
}

/** A Kiss-o'-Death (RFC 5905 §7.4): stratum 0, the code as refid, every timestamp the client's own — no time in it. */
export function kissOfDeath(request: NtpTimePacket, code: string): NtpMessage {
  const t = request.transmitTime;
  return {
    kind: 'time',
    leap: 3,
    version: request.version,
    mode: 4,
    stratum: 0,
    poll: request.poll,
    precision: 0,
    rootDelay: 0,
    rootDispersion: 0,
    refid: asciiRefid(code),
    referenceTime: t,
    originTime: t,
    receiveTime: t,
    transmitTime: t,
    extensions: [],
  };
}

/** The total `offset:N` fault shift in seconds (0 without one): what every timestamp we send is moved by. */
export function faultShift(faults: readonly Fault[]): number {
  let shift = 0;
  for (const f of faults) if (f.kind === 'offset') shift += f.seconds;
  return shift;
}

/**
 * The reply to a valid mode 3 request. `t2` is the receive timestamp; `t3` is read as late as possible (the
 * function is called right before encoding and sending).
 */
export function serverReply(
  request: NtpTimePacket,
  id: ServerIdentity,
  faults: readonly Fault[],
  t2: NtpTimestamp,
  t3: () => NtpTimestamp,
): NtpMessage {
  for (const f of faults) if (f.kind === 'kod') return kissOfDeath(request, f.code);
  const shift = faultShift(faults);
  let stratum = id.stratum;
  let leap = id.leap;
  let refid = id.refid;
  let rootDispersion = id.rootDispersion;
  for (const f of faults) {
    if (f.kind === 'dispersion') rootDispersion = f.seconds;
    else if (f.kind === 'unsync') {
      // What ntpd serves before it synchronised (and the seed's self-sync server for ever): stratum 16, leap 11.
      stratum = 16;
      leap = 3;
      refid = asciiRefid('INIT');
    }
  }
  let origin = request.transmitTime;
  // bad-origin: not our client's transmit timestamp (RFC 5905 §8 test 2 must reject it).
  if (faults.some((f) => f.kind === 'bad-origin')) origin = { seconds: origin.seconds ^ 0x5a5a, fraction: (origin.fraction ^ 0xdeadbeef) >>> 0 };
  const transmit = faults.some((f) => f.kind === 'zero-transmit') ? ZERO : shiftTimestamp(t3(), shift);
  return {
    kind: 'time',
    leap,
    version: request.version,
    mode: 4,
    stratum,
    // RFC 5905 §9.2 fast_xmit copies the client's poll.
    poll: request.poll,
    precision: id.precision,
    rootDelay: id.rootDelay,
    rootDispersion,
    refid,
    referenceTime: shiftTimestamp(id.referenceTime, shift),
    originTime: origin,
    receiveTime: shiftTimestamp(t2, shift),
    transmitTime: transmit,
    extensions: [],
  };
}
