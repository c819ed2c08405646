/**
 * Timestamps for packets that come without one (the `cap` module hands over the bytes only, not libpcap's
 * pcap_pkthdr.ts): the wall-clock time of arrival in this process.
 *
 * The wall clock is read ONCE, when the clock is made, and every stamp after that is that anchor plus the
 * elapsed time of a monotonic high-resolution clock (process.hrtime.bigint(), CLOCK_MONOTONIC). So stamps never
 * go backwards, even if the system clock is stepped during the capture, and they have nanosecond resolution.
 * What they measure is when Node's event loop saw the packet: later than the kernel's own stamp by the wakeup
 * and dispatch latency (tens to hundreds of µs here), so the report says `timestampSource: 'arrival'`.
 */
import { performance } from 'node:perf_hooks';
import type { WallTime } from '../../net/wall-time.js';

const NS_PER_S = 1_000_000_000n;

export interface ArrivalClockSources {
  /** Monotonic nanoseconds (default process.hrtime.bigint). */
  monotonicNs: () => bigint;
  /** Wall-clock milliseconds since the Unix epoch, sub-millisecond (default performance.timeOrigin + now()). */
  wallMs: () => number;
}

const defaultSources: ArrivalClockSources = {
  monotonicNs: () => process.hrtime.bigint(),
  // Date.now() has millisecond resolution; timeOrigin + now() carries the microseconds.
  wallMs: () => performance.timeOrigin + performance.now(),
};

export class ArrivalClock {
  private readonly anchorWallNs: bigint;
  private readonly anchorMonoNs: bigint;
  private readonly monotonicNs: () => bigint;

  constructor(sources: Partial<ArrivalClockSources> = {}) {
    const s = { ...defaultSources, ...sources };
    this.monotonicNs = s.monotonicNs;
    this.anchorMonoNs = s.monotonicNs();
    // Whole milliseconds and the fraction apart: ms·1e6 as one double (~1.8e18) would round to 256 ns.
    const ms = s.wallMs();
    const whole = Math.floor(ms);
    this.anchorWallNs = BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1e6));
  }

  /** Now, as Unix seconds and nanoseconds (written into `out`, so a hot loop allocates nothing). */
  stamp(out: { tsSec: number; tsNsec: number }): void {
    const ns = this.anchorWallNs + (this.monotonicNs() - this.anchorMonoNs);
    out.tsSec = Number(ns / NS_PER_S);
    out.tsNsec = Number(ns % NS_PER_S);
  }

  now(): WallTime {
    const t = { tsSec: 0, tsNsec: 0 };
    this.stamp(t);
    return { sec: t.tsSec, nsec: t.tsNsec };
  }
}
