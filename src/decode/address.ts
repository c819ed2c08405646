/**
 * Address text, built without per-byte string concatenation: IPv4 dotted quad (memoised: a capture holds few
 * distinct addresses and millions of packets), IPv6 in RFC 5952 canonical form (§4: lowercase, no leading
 * zeros, the longest run of two or more zero groups compressed — the first on a tie; §5: IPv4-mapped
 * addresses as ::ffff:a.b.c.d).
 */
import { readU16, readU32 } from '../ntp/wire.js';

/**
 * A memo from a 32-bit key to a value, open addressing with linear probing. Not a Map: V8 keeps only signed
 * 31- or 32-bit integers unboxed (by build), so a Map keyed by an address from 128.0.0.0 up boxes and hashes a
 * heap number on every lookup, which costs about as much as formatting the address again. For the same reason
 * keys are passed as two 16-bit halves (`hi`, `lo`): a whole key passed to a call that is not inlined would be
 * boxed too. Grows to LIMIT entries, then starts over.
 */
class Uint32Memo<V> {
  private static readonly LIMIT = 1 << 18;
  private keys = new Int32Array(1024);
  private values: Array<V | undefined> = new Array<V | undefined>(1024).fill(undefined);
  private shift = 22; // 32 − log2(capacity)
  private size = 0;

  /** Slot of the key hi:lo: where it is, or the empty slot where it would go. */
  private slot(hi: number, lo: number): number {
    const mask = this.keys.length - 1;
    const keys = this.keys;
    const values = this.values;
    const k = (hi << 16) | lo;
    // Fibonacci hashing: the high bits of key × 2^32/φ spread neighbouring addresses apart.
    let i = Math.imul(k, 0x9e3779b1) >>> this.shift;
    while (values[i] !== undefined && keys[i] !== k) i = (i + 1) & mask;
    return i;
  }

  /** The value under the key hi:lo (each 0..0xffff). */
  get(hi: number, lo: number): V | undefined {
    return this.values[this.slot(hi, lo)];
  }

  set(hi: number, lo: number, value: V): void {
    let i = this.slot(hi, lo);
    if (this.values[i] === undefined) {
      if (2 * (this.size + 1) > this.keys.length) {
        this.resize(this.size >= Uint32Memo.LIMIT ? 1024 : 2 * this.keys.length);
        i = this.slot(hi, lo);
      }
      this.size++;
    }
    this.keys[i] = (hi << 16) | lo;
    this.values[i] = value;
  }

  private resize(capacity: number): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    const keep = capacity > oldKeys.length;
    this.keys = new Int32Array(capacity);
    this.values = new Array<V | undefined>(capacity).fill(undefined);
    this.shift = 32 - Math.log2(capacity);
    this.size = 0;
    if (!keep) return; // over LIMIT: start over rather than grow without bound
    for (let j = 0; j < oldKeys.length; j++) {
      const v = oldValues[j];
      if (v === undefined) continue;
      const k = oldKeys[j] as number;
      const i = this.slot(k >>> 16, k & 0xffff);
      this.keys[i] = k;
      this.values[i] = v;
      this.size++;
    }
  }
}

const v4Cache = new Uint32Memo<string>();

/**
 * Dotted quad of a 32-bit address. By join, not a template: V8 makes a concatenation of 13 characters or more a
 * ConsString (a pair of two strings: three heap objects), join one flat string. A capture of 100 k clients keeps
 * 100 k of these as path keys, and each object more per path is scavenger work (measured: heap snapshot after
 * streaming, 10 k ConsStrings of 20 k client addresses with the template).
 */
export function ipv4ToString(addr: number): string {
  return [addr >>> 24, (addr >>> 16) & 0xff, (addr >>> 8) & 0xff, addr & 0xff].join('.');
}

/** The 4 octets at b[p] as one signed 32-bit word: an IPv4 address as paths are looked up by (src/correlate/path-table.ts). */
export function ipv4WordAt(b: Uint8Array, p: number): number {
  return ((b[p] as number) << 24) | ((b[p + 1] as number) << 16) | ((b[p + 2] as number) << 8) | (b[p + 3] as number);
}

/** The 32-bit word (signed, as the table keeps it) of a dotted-quad IPv4 address, or undefined for anything else. */
export function ipv4Word(s: string): number | undefined {
  let word = 0;
  let octet = -1;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (octet < 0 || dots === 3) return undefined;
      word = (word << 8) | octet;
      octet = -1;
      dots++;
    } else if (c >= 48 && c <= 57) {
      octet = octet < 0 ? c - 48 : octet * 10 + c - 48;
      if (octet > 255) return undefined;
    } else return undefined;
  }
  if (dots !== 3 || octet < 0) return undefined;
  return (word << 8) | octet;
}

/** Dotted quad of an address word (ipv4WordAt), from the same memo as formatIpv4. */
export function ipv4Text(word: number): string {
  const hi = word >>> 16;
  const lo = word & 0xffff;
  let s = v4Cache.get(hi, lo);
  if (s === undefined) {
    s = ipv4ToString(word >>> 0);
    v4Cache.set(hi, lo, s);
  }
  return s;
}

/** Dotted quad of the 4 octets at b[p]. */
export function formatIpv4(b: Uint8Array, p: number): string {
  return ipv4Text(ipv4WordAt(b, p));
}

const groups = new Array<number>(8).fill(0);

interface V6Entry {
  w0: number;
  w1: number;
  w2: number;
  w3: number;
  text: string;
}
const v6Cache = new Uint32Memo<V6Entry>();

/** RFC 5952 text of the 16 octets at b[p] (memoised by a hash of the address, checked word by word). */
export function formatIpv6(b: Uint8Array, p: number): string {
  const w0 = readU32(b, p);
  const w1 = readU32(b, p + 4);
  const w2 = readU32(b, p + 8);
  const w3 = readU32(b, p + 12);
  const key = Math.imul(w0 ^ Math.imul(w1, 0x9e3779b1), 0x85ebca6b) ^ Math.imul(w2 ^ (w3 >>> 7), 0xc2b2ae35) ^ w3;
  const hit = v6Cache.get(key >>> 16, key & 0xffff);
  if (hit !== undefined && hit.w0 === w0 && hit.w1 === w1 && hit.w2 === w2 && hit.w3 === w3) return hit.text;
  const text = ipv6Text(b, p);
  // A hash collision replaces the older address (it is formatted again when it comes back).
  v6Cache.set(key >>> 16, key & 0xffff, { w0, w1, w2, w3, text });
  return text;
}

function ipv6Text(b: Uint8Array, p: number): string {
  let bestStart = -1;
  let bestLen = 1; // a single zero group is never compressed (RFC 5952 §4.2.2)
  let runStart = -1;
  for (let i = 0; i < 8; i++) {
    const g = readU16(b, p + 2 * i);
    groups[i] = g;
    if (g === 0) {
      if (runStart < 0) runStart = i;
      const len = i - runStart + 1;
      if (len > bestLen) {
        bestLen = len;
        bestStart = runStart;
      }
    } else {
      runStart = -1;
    }
  }
  // ::ffff:a.b.c.d (RFC 5952 §5; RFC 4291 §2.5.5.2)
  if (bestStart === 0 && bestLen === 5 && groups[5] === 0xffff) {
    return `::ffff:${b[p + 12]}.${b[p + 13]}.${b[p + 14]}.${b[p + 15]}`;
  }
  const parts: string[] = [];
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      parts.push(i === 0 ? ':' : '');
      i += bestLen - 1;
      if (i === 7) parts.push('');
      continue;
    }
    parts.push((groups[i] as number).toString(16));
  }
  return parts.join(':');
}
