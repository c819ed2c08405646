/**
 * Does a refid name a given address? RFC 5905 §7.3: at stratum ≥ 2 the refid is the upstream's IPv4 address, or
 * for IPv6 the first four octets of the MD5 hash of its address (ntpd and chrony both do this).
 */
import { createRequire } from 'node:module';
import { refidFromText } from '../../src/ntp/refid.js';

/**
 * node:crypto, loaded when the first IPv6 address's refid is asked for: loading it costs ~6 ms, and most runs (every
 * IPv4 capture, most configs) never hash. createRequire: a synchronous load, as refidFor is.
 */
let crypto: typeof import('node:crypto') | undefined;
const requireBuiltin = createRequire(import.meta.url);

/** The 16 octets of an IPv6 address in text form (with '::' and an optional embedded IPv4 tail); undefined if invalid. */
export function ipv6Bytes(text: string): Uint8Array | undefined {
  let s = text.trim();
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  const words: number[] = [];
  const parse = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const groups = part.split(':');
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i] as string;
      if (i === groups.length - 1 && g.includes('.')) {
        const q = g.split('.').map(Number);
        if (q.length !== 4 || q.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) return undefined;
        out.push((q[0]! << 8) | q[1]!, (q[2]! << 8) | q[3]!);
        continue;
      }
      if (!/^[0-9a-f]{1,4}$/i.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const head = parse(halves[0] as string);
  const tail = halves.length === 2 ? parse(halves[1] as string) : [];
  if (!head || !tail) return undefined;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return undefined;
  words.push(...head, ...new Array<number>(Math.max(0, fill)).fill(0), ...tail);
  const bytes = new Uint8Array(16);
  words.forEach((w, i) => {
    bytes[2 * i] = w >> 8;
    bytes[2 * i + 1] = w & 0xff;
  });
  return bytes;
}

/** The refid an NTP server synchronised to `address` puts in its packets (IPv4 as is, IPv6 MD5-hashed). */
export function refidFor(address: string): number | undefined {
  if (!address.includes(':')) return dottedQuad(address) ?? refidFromText(address);
  const bytes = ipv6Bytes(address);
  if (!bytes) return undefined;
  crypto ??= requireBuiltin('node:crypto') as typeof import('node:crypto');
  const d = crypto.createHash('md5').update(bytes).digest();
  return d.readUInt32BE(0);
}

/**
 * An IPv4 address written as four decimal numbers of 1-3 digits, each ≤ 255, as a 32-bit number (what refidFromText
 * gives for it); undefined for anything else, which refidFromText then reads (whitespace, other spellings). By
 * character codes: self-sync asks for every client of a capture (100 k, three regular expressions each).
 */
function dottedQuad(s: string): number | undefined {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : -1;
    if (c >= 48 && c <= 57) {
      if (++digits > 3) return undefined;
      part = part * 10 + (c - 48);
      continue;
    }
    if (digits === 0 || part > 255 || (c !== 46 && c !== -1) || (c === 46 && dots === 3) || (c === -1 && dots !== 3)) return undefined;
    value = value * 256 + part;
    part = 0;
    digits = 0;
    if (c === 46) dots++;
  }
  return value >>> 0;
}

/** True when a refid as the observations print it ('192.0.2.1', 'hash 0x1a2b3c4d') names `address`. */
export function refidNames(refidText: string, address: string): boolean {
  if (refidText === '' || address === '') return false;
  const got = upstreamRefid(refidText);
  if (got === undefined) return false;
  return refidFor(address) === got;
}

/**
 * The refid a text names when it names an upstream (a dotted quad or a hash; an ASCII refid such as 'LOCL' or 'INIT'
 * never does), else undefined. Remembered per text: a capture of 100 k clients of one server asks about the same
 * refid 100 k times (rules/self-sync.ts), and each parse is three regular expressions.
 */
function upstreamRefid(refidText: string): number | undefined {
  const known = upstream.get(refidText);
  if (known !== undefined || upstream.has(refidText)) return known;
  const t = refidText.trim();
  const value = /^(\d{1,3}\.){3}\d{1,3}$/.test(t) || /^(hash\s+)?0x[0-9a-f]+$/i.test(t) ? refidFromText(refidText) : undefined;
  // Bounded: hostile captures carry any number of refids.
  if (upstream.size >= UPSTREAM_TEXTS) upstream.clear();
  upstream.set(refidText, value);
  return value;
}

const UPSTREAM_TEXTS = 4096;
const upstream = new Map<string, number | undefined>();
