import { describe, expect, it } from 'vitest';
import { firstInOrder } from '../../src/diagnose/select.js';

/** A deterministic generator (a linear congruential one), so a failure reproduces. */
function rng(seed: number) {
  return () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / 2 ** 24;
}

describe('firstInOrder (the k first of n without a full sort)', () => {
  it('equals a stable sort cut to k, on random keys with many ties, for every k around n', () => {
    const next = rng(11);
    for (let round = 0; round < 200; round++) {
      const n = Math.floor(next() * 40);
      const keys = Array.from({ length: n }, () => Math.floor(next() * 5));
      const compare = (i: number, j: number) => keys[i]! - keys[j]! || i - j;
      const sorted = keys.map((_, i) => i).sort(compare);
      for (const k of [0, 1, 2, Math.floor(n / 2), n - 1, n, n + 3]) {
        expect(firstInOrder(n, k, compare)).toEqual(sorted.slice(0, Math.max(0, k)));
      }
    }
  });

  it('keeps the smallest of 100 k in order, descending input too', () => {
    const n = 100_000;
    const keys = Array.from({ length: n }, (_, i) => n - i);
    const out = firstInOrder(n, 256, (i, j) => keys[i]! - keys[j]!);
    expect(out).toHaveLength(256);
    expect(out[0]).toBe(n - 1);
    expect(out.map((i) => keys[i])).toEqual(Array.from({ length: 256 }, (_, i) => i + 1));
  });

  it('a negative or zero k gives nothing', () => {
    expect(firstInOrder(5, -1, (i, j) => i - j)).toEqual([]);
    expect(firstInOrder(5, 0, (i, j) => i - j)).toEqual([]);
  });
});
