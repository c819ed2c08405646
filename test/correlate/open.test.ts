/**
 * OpenRequests (src/correlate/open.ts) against a plain model — a list in sending order — over random adds and
 * deletes that cross its three forms: one request, a short list, a Map past SMALL (16) open at once.
 */
import { describe, expect, it } from 'vitest';
import { OpenRequests } from '../../src/correlate/open.js';
import { mulberry32 } from '../seeded.js';

interface Q {
  key: number;
  n: number;
}


describe('OpenRequests', () => {
  it.each([
    ['mostly one open (add, answer, add…)', 1, 0.55, 40],
    ['a few open at once', 2, 0.6, 8],
    ['many open at once (past 16: the Map)', 3, 0.8, 60],
  ])('agrees with a list model on size, get, values and latest: %s', (_what, seed, addShare, keySpace) => {
    const random = mulberry32(seed);
    const open = new OpenRequests<Q>();
    let model: Q[] = [];
    let n = 0;
    let largest = 0;
    for (let step = 0; step < 20_000; step++) {
      const key = Math.floor(random() * keySpace) + 0.25;
      if (random() < addShare) {
        if (model.some((q) => q.key === key)) continue; // the caller finishes an older one first
        const q = { key, n: n++ };
        open.add(q);
        model.push(q);
      } else {
        open.delete(key);
        model = model.filter((q) => q.key !== key);
      }
      largest = Math.max(largest, model.length);
      expect(open.size).toBe(model.length);
      const probe = Math.floor(random() * keySpace) + 0.25;
      expect(open.get(probe)).toBe(model.find((q) => q.key === probe));
      expect(open.values()).toEqual(model);
      const parity = Math.floor(random() * 2);
      expect(open.latest((q) => q.n % 2 === parity)).toBe(model.filter((q) => q.n % 2 === parity).at(-1));
    }
    expect(largest).toBeGreaterThan(seed === 3 ? 16 : 1);
  });

  it('hands out a copy from values(): deleting while walking it is safe', () => {
    const open = new OpenRequests<Q>();
    for (let i = 0; i < 5; i++) open.add({ key: i, n: i });
    for (const q of open.values()) open.delete(q.key);
    expect(open.size).toBe(0);
    expect(open.values()).toEqual([]);
  });
});
