/**
 * formatIpv4 / formatIpv6 memoise their text (an open-addressing table that grows, then starts over past its
 * limit). Whatever the table does, every answer must be the address's own text: checked over more distinct
 * addresses than the limit (262,144), asked twice, in an order that revisits old ones after the table restarted.
 */
import { describe, expect, it } from 'vitest';
import { formatIpv4, formatIpv6 } from '../../src/decode/address.js';

describe('address text memo', () => {
  it('gives each of 300,000 IPv4 addresses its dotted quad, before and after the table grows and restarts', () => {
    const b = new Uint8Array(4);
    const text = (a: number) => {
      b[0] = a >>> 24;
      b[1] = (a >>> 16) & 0xff;
      b[2] = (a >>> 8) & 0xff;
      b[3] = a & 0xff;
      return formatIpv4(b, 0);
    };
    const expected = (a: number) => `${a >>> 24}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}`;
    // Spread over the whole space (high first octets are the ones a Map would box), visited twice.
    const address = (i: number) => (Math.imul(i, 0x9e3779b9) ^ (i << 7)) >>> 0;
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 300_000; i++) {
        const a = address(i);
        const got = text(a);
        if (got !== expected(a)) expect(got, `address #${i} (round ${round})`).toBe(expected(a));
      }
    }
    expect(text(0xc6336401)).toBe('198.51.100.1');
    expect(text(0)).toBe('0.0.0.0');
    expect(text(0xffffffff)).toBe('255.255.255.255');
  });

  it('gives each of 5,000 IPv6 addresses its RFC 5952 text, asked twice', () => {
    const b = new Uint8Array(16);
    const put = (i: number) => {
      b.fill(0);
      b.set([0x20, 0x01, 0x0d, 0xb8], 0);
      b[12] = (i >>> 8) & 0xff;
      b[13] = i & 0xff;
      b[15] = i % 7;
    };
    const expected = (i: number) => {
      const g6 = ((i >>> 8) & 0xff) * 256 + (i & 0xff);
      const g7 = i % 7;
      if (g6 === 0) return g7 === 0 ? '2001:db8::' : `2001:db8::${g7}`;
      return `2001:db8::${g6.toString(16)}:${g7}`;
    };
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 5000; i++) {
        put(i);
        const got = formatIpv6(b, 0);
        if (got !== expected(i)) expect(got, `#${i} (round ${round})`).toBe(expected(i));
      }
    }
  });
});
