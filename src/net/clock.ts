/**
 * A wall clock with sub-microsecond resolution for NTP timestamps.
 *
 * Date.now() has millisecond resolution, far too coarse for an NTP offset (ntpd's own precision here is
 * ~2^-24 s). process.hrtime.bigint() reads CLOCK_MONOTONIC in nanoseconds but has no epoch, so it is anchored
 * to the wall clock once: we spin until Date.now() ticks to the next millisecond and note the monotonic time
 * of that edge, bracketed to about one loop iteration (~100 ns); edges spoiled by a context switch (a wide
 * bracket: measured here, up to ±1 ms off) are dropped, and the median of the rest is kept. CLOCK_MONOTONIC is slewed with CLOCK_REALTIME (adjtimex(2)), so
 * the two only part on a clock step; `resync()` re-anchors when Date.now() says the wall clock jumped.
 */
import type { NtpTimestamp } from '../ntp/types.js';
import { NTP_UNIX_EPOCH_DELTA } from '../ntp/constants.js';

const NS_PER_S = 1_000_000_000n;
const NTP_EPOCH_NS = BigInt(NTP_UNIX_EPOCH_DELTA) * NS_PER_S;

export interface WallClock {
  /** Nanoseconds since the Unix epoch, monotonic between anchors. */
  nowNs(): bigint;
  /** The same instant as an NTP timestamp (RFC 5905 §6). */
  nowNtp(): NtpTimestamp;
  /** log2 seconds of what one clock reading really resolves (RFC 5905 §7.3 precision), ntpd style. */
  precision: number;
  /** Re-anchors when the wall clock moved away from us by more than `toleranceNs` (a step). Returns true if it did. */
  resync(toleranceNs?: bigint): boolean;
}

/**
 * One millisecond edge of Date.now(): wall ns at the edge minus monotonic ns at the edge, and how wide the
 * monotonic bracket around the edge was. The tick fell after the last read that still saw the old millisecond
 * (bracketed from before that read) and before the first read that saw the new one (bracketed from after it).
 * A preemption inside the bracket makes it wide, and such an edge is thrown away.
 */
function edge(): { delta: bigint; width: bigint } {
  const start = Date.now();
  let prevBefore = process.hrtime.bigint();
  let wall = Date.now();
  let after = process.hrtime.bigint();
  let before = prevBefore;
  // Bounded: Date.now() ticks within 1 ms; the guard stops a broken clock from hanging us.
  for (let i = 0; i < 10_000_000 && wall === start; i++) {
    prevBefore = before;
    before = process.hrtime.bigint();
    wall = Date.now();
    after = process.hrtime.bigint();
  }
  const mid = (prevBefore + after) / 2n;
  return { delta: BigInt(wall) * 1_000_000n - mid, width: after - prevBefore };
}

/** Monotonic → wall offset (ns): the median of a few edges whose bracket is narrow (≤ 2 µs). */
function anchor(wanted = 5): bigint {
  const good: bigint[] = [];
  let fallback: { delta: bigint; width: bigint } | undefined;
  for (let tries = 0; tries < 40 && good.length < wanted; tries++) {
    const e = edge();
    if (e.width <= 2_000n) good.push(e.delta);
    else if (!fallback || e.width < fallback.width) fallback = e;
  }
  if (good.length === 0) return fallback ? fallback.delta : BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();
  good.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return good[Math.floor(good.length / 2)] as bigint;
}

/**
 * Precision as ntpd measures it (ntpd/ntp_proto.c measure_precision): the smallest non-zero step between two
 * successive clock readings, as log2 seconds rounded up (so we never claim better than we have).
 */
export function measurePrecision(reads = 20_000): number {
  let min = Number.POSITIVE_INFINITY;
  let prev = process.hrtime.bigint();
  for (let i = 0; i < reads; i++) {
    const next = process.hrtime.bigint();
    const step = Number(next - prev);
    if (step > 0 && step < min) min = step;
    prev = next;
  }
  if (!Number.isFinite(min)) min = 1;
  return Math.ceil(Math.log2(min / 1e9));
}

/** ns since the Unix epoch → NTP timestamp; fraction = ns·2^32/1e9 exactly (BigInt), RFC 5905 §6. */
export function unixNsToNtp(unixNs: bigint): NtpTimestamp {
  const ntpNs = unixNs + NTP_EPOCH_NS;
  const seconds = ntpNs / NS_PER_S;
  const ns = ntpNs % NS_PER_S;
  const fraction = (ns << 32n) / NS_PER_S;
  return { seconds: Number(seconds & 0xffffffffn), fraction: Number(fraction) };
}

/** NTP timestamp → ns since the Unix epoch, in the era nearest `pivotNs` (RFC 5905 §6 era handling). */
export function ntpToUnixNs(ts: NtpTimestamp, pivotNs: bigint): bigint {
  const fracNs = (BigInt(ts.fraction >>> 0) * NS_PER_S) >> 32n;
  const era0 = BigInt(ts.seconds >>> 0) * NS_PER_S + fracNs - NTP_EPOCH_NS;
  const eraNs = (1n << 32n) * NS_PER_S;
  const diff = pivotNs - era0;
  // Round diff / eraNs to the nearest integer (BigInt division truncates toward zero).
  const eras = (diff + (diff >= 0n ? eraNs / 2n : -eraNs / 2n)) / eraNs;
  return era0 + eras * eraNs;
}

export function createClock(): WallClock {
  let offset = anchor();
  const precision = measurePrecision();
  const nowNs = (): bigint => process.hrtime.bigint() + offset;
  return {
    nowNs,
    nowNtp: () => unixNsToNtp(nowNs()),
    precision,
    resync(toleranceNs = 2_000_000n) {
      const drift = BigInt(Date.now()) * 1_000_000n - nowNs();
      // Date.now() floors to the millisecond, so a healthy drift lies in (−1 ms, 0]; outside the tolerance = a step.
      if (drift > toleranceNs || drift < -toleranceNs) {
        offset = anchor();
        return true;
      }
      return false;
    },
  };
}

let shared: WallClock | undefined;
/** One clock per process: anchoring costs a few milliseconds of spinning. */
export function sharedClock(): WallClock {
  shared ??= createClock();
  return shared;
}
