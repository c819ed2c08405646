/**
 * src/net/ip.ts isIP is node:net's isIP without loading node:net (start-up time): the same answer on valid,
 * near-valid and hostile texts (zones, embedded IPv4, leading zeros, brackets, whitespace, overlong groups, digits
 * of other scripts), and every one-character edit of them.
 */
import { isIP as nodeIsIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isIP } from '../../src/net/ip.js';

const SEEDS = [
  '', ' ', '0.0.0.0', '255.255.255.255', '256.1.1.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.04', '198.51.100.1',
  '198.51.100.1 ', ' 198.51.100.1', '198.51.100.1\n', '1..2.3', '::', '::1', '1::', 'fe80::1%eth0', 'fe80::1%', '[::1]',
  '2001:db8::1', '2001:DB8::A', '2001:db8:0:0:0:0:0:1', '2001:db8:0:0:0:0:0:0:1', '2001:db8::1::2', '::ffff:192.0.2.1',
  '::ffff:192.0.2.256', '64:ff9b::198.51.100.1', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::', '1:2:3:4:5:6::8', '12345::1',
  'g::1', ':::', '1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:7:1.2.3.4', 'localhost', 'example.org', '0x7f.0.0.1', '127.1',
  '2001:db8::1%en0.100', '2001:db8::1%a-b_c', '::1/128', '198.51.100.0/24', '١٩٨.51.100.1', '2001:db8::١',
];

/** Every seed, with each character dropped, doubled, and replaced by a few others. */
function corpus(): string[] {
  const out = new Set<string>(SEEDS);
  for (const s of SEEDS) {
    for (let i = 0; i < s.length; i++) {
      out.add(s.slice(0, i) + s.slice(i + 1));
      out.add(s.slice(0, i) + s[i] + s.slice(i));
      for (const c of ['.', ':', '0', '9', 'f', 'G', '%', ' ', '::']) out.add(s.slice(0, i) + c + s.slice(i + 1));
    }
  }
  return [...out];
}

describe('isIP', () => {
  it("answers as node:net's isIP on every text of the corpus", () => {
    const texts = corpus();
    expect(texts.length).toBeGreaterThan(3000);
    const families = new Set<number>();
    for (const t of texts) {
      expect(isIP(t), JSON.stringify(t)).toBe(nodeIsIP(t));
      families.add(isIP(t));
    }
    expect([...families].sort()).toEqual([0, 4, 6]);
  });
});
