/**
 * PathTable (src/correlate/path-table.ts) against a Map of the same keys, across its growth, and ipv4Word /
 * ipv4WordAt / ipv4Text (src/decode/address.ts), which give it its keys.
 */
import { describe, expect, it } from 'vitest';
import { PathTable } from '../../src/correlate/path-table.js';
import { ipv4Text, ipv4Word, ipv4WordAt } from '../../src/decode/address.js';
import { mulberry32 } from '../seeded.js';

describe('PathTable', () => {
  it('finds every IPv4 key it was given and no other, across growth (50 000 paths, clustered and random words)', () => {
    const random = mulberry32(7);
    const table = new PathTable();
    const want = new Map<string, number>();
    const word = () => (random() < 0.5 ? Math.floor(random() * 2 ** 32) | 0 : (0xc6120000 + Math.floor(random() * 4096)) | 0);
    for (let n = 0; n < 50_000; n++) {
      const c = word();
      const s = random() < 0.9 ? 0xc6336401 | 0 : word();
      const port = random() < 0.9 ? 123 : Math.floor(random() * 65536);
      const k = `${c} ${s} ${port}`;
      if (want.has(k)) {
        expect(table.findV4(c, s, port)).toBe(want.get(k));
        continue;
      }
      expect(table.findV4(c, s, port)).toBe(-1);
      table.addV4(c, s, port, n);
      want.set(k, n);
    }
    for (const [k, n] of want) {
      const [c, s, port] = k.split(' ').map(Number) as [number, number, number];
      expect(table.findV4(c, s, port)).toBe(n);
      // The same words with another port, or the ends swapped, are other paths.
      if (!want.has(`${c} ${s} ${(port + 1) % 65536}`)) expect(table.findV4(c, s, (port + 1) % 65536)).toBe(-1);
      if (c !== s && !want.has(`${s} ${c} ${port}`)) expect(table.findV4(s, c, port)).toBe(-1);
    }
  });

  it('tells apart the edge words and ports (0.0.0.0, 255.255.255.255, ports 0 and 65535)', () => {
    const table = new PathTable();
    const keys: Array<[number, number, number]> = [
      [0, 0, 0],
      [-1, -1, 65535],
      [0, -1, 0],
      [-1, 0, 65535],
      [0, 0, 65535],
    ];
    keys.forEach(([c, s, p], n) => table.addV4(c, s, p, n));
    keys.forEach(([c, s, p], n) => expect(table.findV4(c, s, p)).toBe(n));
    expect(table.findV4(-1, -1, 0)).toBe(-1);
  });

  it('keeps IPv6 (text) keys apart from each other and from IPv4 ones', () => {
    const table = new PathTable();
    table.addText('2001:db8::2', '2001:db8::1', 123, 0);
    table.addText('2001:db8::3', '2001:db8::1', 123, 1);
    table.addV4(ipv4Word('198.51.100.2')!, ipv4Word('198.51.100.1')!, 123, 2);
    expect(table.findText('2001:db8::2', '2001:db8::1', 123)).toBe(0);
    expect(table.findText('2001:db8::3', '2001:db8::1', 123)).toBe(1);
    expect(table.findText('2001:db8::3', '2001:db8::1', 124)).toBe(-1);
    expect(table.findText('198.51.100.2', '198.51.100.1', 123)).toBe(-1);
    expect(table.findV4(ipv4Word('198.51.100.2')!, ipv4Word('198.51.100.1')!, 123)).toBe(2);
  });
});

describe('IPv4 address words', () => {
  it('round-trip between octets, word and dotted quad', () => {
    const random = mulberry32(11);
    for (let i = 0; i < 2000; i++) {
      const octets = Uint8Array.from({ length: 4 }, () => Math.floor(random() * 256));
      if (i === 0) octets.fill(0);
      if (i === 1) octets.fill(255);
      const text = [...octets].join('.');
      const word = ipv4WordAt(octets, 0);
      expect(word).toBe(ipv4Word(text));
      expect(word).toBe(word | 0); // a signed 32-bit integer, as the table keeps it
      expect(ipv4Text(word)).toBe(text);
    }
  });

  it.each(['', '1.2.3', '1.2.3.4.5', '1..2.3', '.1.2.3', '1.2.3.', '256.1.1.1', '1.2.3.4a', '2001:db8::1', '::ffff:1.2.3.4', ' 1.2.3.4'])(
    'reads %j as no IPv4 address',
    (text) => {
      expect(ipv4Word(text)).toBeUndefined();
    },
  );
});
