import { NTP_UNIX_EPOCH_DELTA } from './constants.js';
import type { NtpTimestamp } from './types.js';

const TWO_POW_32 = 4_294_967_296;

/** RFC 5905 §6: zero means "unknown / not set". */
export function isZeroTimestamp(ts: NtpTimestamp): boolean {
  return ts.seconds === 0 && ts.fraction === 0;
}

/**
 * NTP timestamp → Unix seconds (float), era-aware (RFC 5905 §6): of the eras that fit, picks the one whose
 * time lies closest to `pivotUnix` (default: now). A 64-bit timestamp repeats every 2^32 s (~136 years).
 */
export function ntpToUnixSeconds(ts: NtpTimestamp, pivotUnix: number = Date.now() / 1000): number {
  const era0 = ts.seconds - NTP_UNIX_EPOCH_DELTA + ts.fraction / TWO_POW_32;
  const eraOfPivot = Math.round((pivotUnix - era0) / TWO_POW_32);
  return era0 + eraOfPivot * TWO_POW_32;
}

/** Unix seconds + nanoseconds → NTP timestamp (era-relative seconds, exact-as-possible fraction). */
export function unixToNtp(unixSeconds: number, nanoseconds = 0): NtpTimestamp {
  const secs = Math.floor(unixSeconds) + NTP_UNIX_EPOCH_DELTA;
  const nsTotal = (unixSeconds - Math.floor(unixSeconds)) * 1e9 + nanoseconds;
  const carry = Math.floor(nsTotal / 1e9);
  const ns = nsTotal - carry * 1e9;
  // fraction = ns * 2^32 / 1e9, rounded; exact in doubles since ns < 2^30 and 2^32 < 2^53.
  let fraction = Math.round((ns * TWO_POW_32) / 1e9);
  let seconds = secs + carry;
  if (fraction >= TWO_POW_32) {
    fraction -= TWO_POW_32;
    seconds += 1;
  }
  return { seconds: seconds >>> 0, fraction: fraction >>> 0 };
}

/** Exact nanoseconds of the fraction, facebook/time style: (frac * 1e9) >> 32. */
export function fractionToNanoseconds(fraction: number): number {
  return Number((BigInt(fraction >>> 0) * 1_000_000_000n) >> 32n);
}

/** a − b in seconds, for two NTP timestamps of the same era neighbourhood (wraps correctly across eras). */
export function ntpDiffSeconds(a: NtpTimestamp, b: NtpTimestamp): number {
  return ntpPartsDiffSeconds(a.seconds, a.fraction, b.seconds, b.fraction);
}

/** ntpDiffSeconds on timestamps given as their 32-bit halves (the correlator's primitives). */
export function ntpPartsDiffSeconds(aSec: number, aFrac: number, bSec: number, bFrac: number): number {
  let ds = aSec - bSec;
  // Two timestamps more than 68 years apart are taken as wrapped (RFC 5905 §6: signed 32-bit difference).
  if (ds > 2_147_483_647) ds -= TWO_POW_32;
  else if (ds < -2_147_483_648) ds += TWO_POW_32;
  return ds + (aFrac - bFrac) / TWO_POW_32;
}

/** 'da5a80c3.f225c875', as ntpdate -d prints timestamps. */
export function formatNtpHex(ts: NtpTimestamp): string {
  return `${ts.seconds.toString(16).padStart(8, '0')}.${ts.fraction.toString(16).padStart(8, '0')}`;
}

/** ISO 8601 UTC with nanoseconds, or 'unknown' for zero. */
export function formatNtpTime(ts: NtpTimestamp, pivotUnix?: number): string {
  if (isZeroTimestamp(ts)) return 'unknown (0)';
  const unix = ntpToUnixSeconds(ts, pivotUnix);
  const whole = Math.floor(unix);
  const iso = new Date(whole * 1000).toISOString().replace(/\.\d{3}Z$/, '');
  return `${iso}.${fractionToNanoseconds(ts.fraction).toString().padStart(9, '0')}Z`;
}
