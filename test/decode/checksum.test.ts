/**
 * The Internet checksum sum (RFC 1071), which the decoder takes 32 bits at a time, against the textbook
 * 16-bit loop: same folded sum for every start, length and parity, at any offset inside a larger buffer.
 */
import { describe, expect, it } from 'vitest';
import { foldChecksum, onesComplementSum } from '../../src/decode/udp.js';

/** RFC 1071 §4.1, one 16-bit big-endian word at a time, an odd last octet padded with zero. */
function reference(b: Uint8Array, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end; i += 2) sum += ((b[i] as number) << 8) | (i + 1 < end ? (b[i + 1] as number) : 0);
  return foldChecksum(sum);
}

describe('onesComplementSum', () => {
  it('folds to the 16-bit reference for every start and length (random and all-0xff octets)', () => {
    let seed = 12345;
    const random = new Uint8Array(300).map(() => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
    const ones = new Uint8Array(300).fill(0xff);
    for (const b of [random, ones]) {
      for (let start = 0; start < 9; start++) {
        for (let end = start; end <= b.length; end++) {
          expect(foldChecksum(onesComplementSum(b, start, end)), `[${start}, ${end})`).toBe(reference(b, start, end));
        }
      }
    }
  });

  it('reads the view it is given, not the buffer behind it', () => {
    const backing = new Uint8Array([9, 9, 9, 0x12, 0x34, 0x56, 0x78, 0x9a, 9, 9]);
    const view = backing.subarray(3, 8);
    // 0x1234 + 0x5678 + 0x9a00
    expect(foldChecksum(onesComplementSum(view, 0, view.length))).toBe(foldChecksum(0x1234 + 0x5678 + 0x9a00));
  });
});
