/**
 * pcapng 64-bit timestamps: the double/imul/limb paths of setTimestamp against plain BigInt arithmetic,
 * for every if_tsresol form (10^-n, 2^-n) and the boundaries between the paths.
 */
import { describe, expect, it } from 'vitest';
import { resolutionDigits, setTimestamp, timestampScale } from '../../src/capture/timestamp.js';

function reference(hi: number, lo: number, tsresol: number, offset: number): { tsSec: number; tsNsec: number } {
  const units = tsresol & 0x80 ? 1n << BigInt(tsresol & 0x7f) : 10n ** BigInt(tsresol);
  const count = (BigInt(hi) << 32n) | BigInt(lo);
  return { tsSec: Number(count / units) + offset, tsNsec: Number(((count % units) * 1_000_000_000n) / units) };
}

/** xorshift32: the same "random" values on every run. */
function* randomWords(seed: number, count: number): Generator<number> {
  let x = seed;
  for (let i = 0; i < count; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    yield x >>> 0;
  }
}

const RESOLUTIONS = [0, 1, 3, 6, 9, 10, 12, 15, 19, 0x80, 0x80 | 10, 0x80 | 16, 0x80 | 20, 0x80 | 23, 0x80 | 24, 0x80 | 30, 0x80 | 32, 0x80 | 40, 0x80 | 63];
const EDGE_HI = [0, 1, 0xfffff, 0x100000, 0x1fffff, 0x200000, 0x3b9ac9ff, 0x7fffffff, 0x80000000, 0xffffffff];
const EDGE_LO = [0, 1, 999_999_999, 1_000_000_000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

describe('setTimestamp', () => {
  for (const tsresol of RESOLUTIONS) {
    it(`if_tsresol 0x${tsresol.toString(16)} matches BigInt`, () => {
      const scale = timestampScale(tsresol, 0);
      const out = { tsSec: 0, tsNsec: 0 };
      const pairs: [number, number][] = [];
      for (const hi of EDGE_HI) for (const lo of EDGE_LO) pairs.push([hi, lo]);
      const words = [...randomWords(0x9e3779b9 ^ tsresol, 4000)];
      for (let i = 0; i + 1 < words.length; i += 2) pairs.push([words[i]!, words[i + 1]!]);
      // Realistic counts: now ± a few years, in this resolution's units.
      for (const w of words.slice(0, 500)) {
        const units = tsresol & 0x80 ? 1n << BigInt(tsresol & 0x7f) : 10n ** BigInt(tsresol);
        const count = BigInt.asUintN(64, BigInt(1_700_000_000 + (w % 200_000_000)) * units + BigInt(w) % units);
        pairs.push([Number(count >> 32n), Number(count & 0xffffffffn)]);
      }
      for (const [hi, lo] of pairs) {
        setTimestamp(out, hi, lo, scale);
        const want = reference(hi, lo, tsresol, 0);
        // Beyond 2^53 seconds (only for silly resolutions) a double cannot hold the exact value either.
        if (want.tsSec < 2 ** 53) expect(out, `hi=${hi} lo=${lo}`).toEqual(want);
        else expect(out.tsSec / want.tsSec).toBeCloseTo(1, 12);
      }
    });
  }

  it('adds if_tsoffset seconds, also negative ones', () => {
    const out = { tsSec: 0, tsNsec: 0 };
    setTimestamp(out, 0x17e9ac8c, 0x2d8f5a71, timestampScale(9, -3600));
    expect(out).toEqual(reference(0x17e9ac8c, 0x2d8f5a71, 9, -3600));
  });

  it('states the decimal digits of a resolution', () => {
    expect([6, 9, 0x80 | 20, 0x80 | 10, 0].map(resolutionDigits)).toEqual([6, 9, 7, 4, 0]);
  });
});
