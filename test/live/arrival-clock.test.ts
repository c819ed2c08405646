/** The arrival clock: anchored to the wall clock once, then monotonic whatever the wall clock does. */
import { describe, expect, it } from 'vitest';
import { ArrivalClock } from '../../src/capture/live/arrival-clock.js';

function stamps(clock: ArrivalClock, n: number): bigint[] {
  const t = { tsSec: 0, tsNsec: 0 };
  const out: bigint[] = [];
  for (let i = 0; i < n; i++) {
    clock.stamp(t);
    expect(t.tsNsec).toBeGreaterThanOrEqual(0);
    expect(t.tsNsec).toBeLessThan(1e9);
    out.push(BigInt(t.tsSec) * 1_000_000_000n + BigInt(t.tsNsec));
  }
  return out;
}

describe('arrival clock', () => {
  it('never goes backwards on the real clocks, and starts at the wall clock', () => {
    const before = Date.now();
    const clock = new ArrivalClock();
    const s = stamps(clock, 20_000);
    for (let i = 1; i < s.length; i++) expect(s[i]! >= s[i - 1]!).toBe(true);
    const after = Date.now();
    const firstMs = Number(s[0]! / 1_000_000n);
    // The anchor is performance.timeOrigin + now(): between the wall clock's readings around it (ms resolution),
    // give or take what the two clocks may have drifted apart since the process started (slewing: 0.5 ms/s at most).
    expect(firstMs).toBeGreaterThanOrEqual(before - 50);
    expect(firstMs).toBeLessThanOrEqual(after + 50);
    // And it advances: 20 000 readings take some time.
    expect(s[s.length - 1]! > s[0]!).toBe(true);
  });

  it('reads the wall clock once: a wall clock stepped back later changes nothing', () => {
    let mono = 5_000_000_000n;
    let wall = 1_790_000_000_000.25; // ms: 1 790 000 000 s + 250 µs
    const clock = new ArrivalClock({ monotonicNs: () => mono, wallMs: () => wall });
    const t = { tsSec: 0, tsNsec: 0 };
    clock.stamp(t);
    expect(t).toEqual({ tsSec: 1_790_000_000, tsNsec: 250_000 });
    wall -= 3_600_000; // someone steps the clock back an hour
    mono += 1_999_750_001n; // 2 s minus 249 999 ns later
    clock.stamp(t);
    expect(t).toEqual({ tsSec: 1_790_000_002, tsNsec: 1 });
  });

  it('carries nanoseconds into seconds exactly (no floating point past the anchor)', () => {
    let mono = 0n;
    // .75 ms is exact in a double; the anchor keeps it to the nanosecond.
    const clock = new ArrivalClock({ monotonicNs: () => mono, wallMs: () => 1_790_000_000_999.75 });
    const t = { tsSec: 0, tsNsec: 0 };
    clock.stamp(t);
    expect(t).toEqual({ tsSec: 1_790_000_000, tsNsec: 999_750_000 });
    mono = 249_999n;
    clock.stamp(t);
    expect(t).toEqual({ tsSec: 1_790_000_000, tsNsec: 999_999_999 });
    mono = 250_000n;
    clock.stamp(t);
    expect(t).toEqual({ tsSec: 1_790_000_001, tsNsec: 0 });
    mono = 86_400_000_250_000n; // a day later, to the nanosecond
    clock.stamp(t);
    expect(t).toEqual({ tsSec: 1_790_086_401, tsNsec: 0 });
    expect(clock.now()).toEqual({ sec: 1_790_086_401, nsec: 0 });
  });
});
