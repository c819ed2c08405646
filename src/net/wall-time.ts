import { NTP_UNIX_EPOCH_DELTA } from '../ntp/constants.js';
import type { NtpTimestamp } from '../ntp/types.js';

export const TWO_POW_32 = 4_294_967_296;
export const TWO_POW_31 = 2_147_483_648;
export const TWO_POW_MINUS_32 = 1 / TWO_POW_32;

/** A capture or local time: whole Unix seconds plus nanoseconds (kept apart to stay exact below a microsecond). */
export interface WallTime {
  sec: number;
  nsec: number;
}

/**
 * (NTP timestamp) − (wall time), in seconds, computed without losing sub-microsecond precision, era-aware
 * (RFC 5905 §6): the NTP era is the one that puts the timestamp within ±68 years of the wall time.
 */
export function ntpMinusWall(ts: NtpTimestamp, wall: WallTime): number {
  return ntpMinusCapture(ts, wall.sec, wall.nsec);
}

/** ntpMinusWall for a capture time given as its two parts (the correlator's hot path keeps no WallTime per frame). */
export function ntpMinusCapture(ts: NtpTimestamp, sec: number, nsec: number): number {
  return ntpPartsMinusCapture(ts.seconds, ts.fraction, sec, nsec);
}

/** ntpMinusCapture of the timestamp seconds.fraction given as its two halves. */
export function ntpPartsMinusCapture(seconds: number, fraction: number, sec: number, nsec: number): number {
  let ds = seconds - NTP_UNIX_EPOCH_DELTA - sec;
  // The era (RFC 5905 §6) only moves ds when it is 2^31 s (68 years) or more off; skip the division otherwise.
  if (ds >= TWO_POW_31 || ds < -TWO_POW_31) ds -= Math.round(ds / TWO_POW_32) * TWO_POW_32;
  return ds + (fraction * TWO_POW_MINUS_32 - nsec / 1e9); // × 2^-32 is exact, as ÷ 2^32
}

/** b − a for two wall times, seconds. */
export function wallDiff(b: WallTime, a: WallTime): number {
  return b.sec - a.sec + (b.nsec - a.nsec) / 1e9;
}

export function wallToSeconds(w: WallTime): number {
  return w.sec + w.nsec / 1e9;
}

/** A key for an NTP timestamp, to match origin ↔ transmit exactly. */
export function timestampKey(ts: NtpTimestamp): number {
  // 2^32 * seconds + fraction does not fit a double exactly; the key only needs to be unique enough to match
  // a reply to one of a pair's few open requests, and equal bit patterns always give equal keys.
  return partsKey(ts.seconds, ts.fraction);
}

/** timestampKey of a timestamp given as its two halves. */
export function partsKey(seconds: number, fraction: number): number {
  return seconds * TWO_POW_32 + fraction;
}
