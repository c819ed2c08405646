/**
 * Address arithmetic for access lists (ntpd restrict, chrony allow/deny) and firewall matches: parse IPv4 and
 * IPv6 text into numbers, test prefixes, print canonical text (RFC 5952) so two spellings of one address compare
 * equal. Pure; no DNS.
 */

/*
 * isIP as node:net has it (lib/internal/net.js, the same regular expressions), here so that a command that only
 * reads addresses (analyze, lint) does not load node:net: 4 ms of every start, measured. test/net/ip.test.ts holds it
 * to node:net's on a corpus of valid, near-valid and hostile texts.
 */
const V4_SEG = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])';
const V4_STR = `(?:${V4_SEG}\\.){3}${V4_SEG}`;
const V6_SEG = '(?:[0-9a-fA-F]{1,4})';
const IPV4_RE = new RegExp(`^${V4_STR}$`);
/** Made on first use: compiling it is most of the cost of loading node:net's. */
let ipv6Re: RegExp | undefined;

function ipv6Pattern(): RegExp {
  return (ipv6Re ??= new RegExp(
    '^(?:' +
      `(?:${V6_SEG}:){7}(?:${V6_SEG}|:)|` +
      `(?:${V6_SEG}:){6}(?:${V4_STR}|:${V6_SEG}|:)|` +
      `(?:${V6_SEG}:){5}(?::${V4_STR}|(?::${V6_SEG}){1,2}|:)|` +
      `(?:${V6_SEG}:){4}(?:(?::${V6_SEG}){0,1}:${V4_STR}|(?::${V6_SEG}){1,3}|:)|` +
      `(?:${V6_SEG}:){3}(?:(?::${V6_SEG}){0,2}:${V4_STR}|(?::${V6_SEG}){1,4}|:)|` +
      `(?:${V6_SEG}:){2}(?:(?::${V6_SEG}){0,3}:${V4_STR}|(?::${V6_SEG}){1,5}|:)|` +
      `(?:${V6_SEG}:){1}(?:(?::${V6_SEG}){0,4}:${V4_STR}|(?::${V6_SEG}){1,6}|:)|` +
      `(?::(?:(?::${V6_SEG}){0,5}:${V4_STR}|(?::${V6_SEG}){1,7}|:))` +
      ')(?:%[0-9a-zA-Z-.:]{1,})?$',
  ));
}

/** 4 for IPv4 text, 6 for IPv6 (a zone allowed), 0 otherwise: node:net's isIP. */
export function isIP(text: string): 0 | 4 | 6 {
  if (IPV4_RE.test(text)) return 4;
  if (ipv6Pattern().test(text)) return 6;
  return 0;
}

export interface Prefix {
  family: 4 | 6;
  /** Network address (host bits cleared). */
  network: bigint;
  length: number;
}

/** IPv4 or IPv6 text (no zone, no brackets) → family and value; undefined when it is not an address. */
export function parseAddress(text: string): { family: 4 | 6; value: bigint } | undefined {
  const t = stripZone(text.trim());
  const family = isIP(t);
  if (family === 4) {
    let v = 0n;
    for (const part of t.split('.')) v = (v << 8n) | BigInt(Number(part));
    return { family: 4, value: v };
  }
  if (family === 6) return { family: 6, value: parseV6(t) };
  return undefined;
}

function stripZone(t: string): string {
  const pct = t.indexOf('%');
  let s = pct >= 0 ? t.slice(0, pct) : t;
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  return s;
}

function parseV6(t: string): bigint {
  // An embedded IPv4 tail (::ffff:192.0.2.1) becomes two groups.
  let text = t;
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = parseAddress(tail);
    const n = v4 ? Number(v4.value) : 0;
    text = `${text.slice(0, lastColon + 1)}${((n >>> 16) & 0xffff).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = rest !== undefined && rest !== '' ? rest.split(':') : [];
  const fill = rest === undefined ? 0 : 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(fill).fill('0'), ...tailGroups];
  let v = 0n;
  for (const g of groups) v = (v << 16n) | BigInt(parseInt(g, 16));
  return v;
}

export function bits(family: 4 | 6): number {
  return family === 4 ? 32 : 128;
}

/** Canonical text: dotted quad, or RFC 5952 IPv6 (lower case, longest zero run as ::). */
export function formatAddress(family: 4 | 6, value: bigint): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Canonical form of an address text, or the text itself when it is not an address (a host name). */
export function canonicalAddress(text: string): string {
  const a = parseAddress(text);
  return a ? formatAddress(a.family, a.value) : text.trim().toLowerCase();
}

export function makePrefix(family: 4 | 6, value: bigint, length: number): Prefix {
  const width = bits(family);
  const len = Math.max(0, Math.min(width, length));
  const mask = len === 0 ? 0n : ((1n << BigInt(len)) - 1n) << BigInt(width - len);
  return { family, network: value & mask, length: len };
}

/** "198.51.100.0/24", "2001:db8::/32", a bare address (full length). */
export function parsePrefix(text: string): Prefix | undefined {
  const slash = text.indexOf('/');
  const addr = parseAddress(slash >= 0 ? text.slice(0, slash) : text);
  if (!addr) return undefined;
  const width = bits(addr.family);
  const len = slash >= 0 ? Number(text.slice(slash + 1)) : width;
  if (!Number.isInteger(len) || len < 0 || len > width) return undefined;
  return makePrefix(addr.family, addr.value, len);
}

/** A dotted netmask (255.255.255.0) or IPv6 mask → prefix length; undefined when not contiguous. */
export function maskLength(mask: string): number | undefined {
  const m = parseAddress(mask);
  if (!m) return undefined;
  const width = bits(m.family);
  let len = 0;
  while (len < width && ((m.value >> BigInt(width - 1 - len)) & 1n) === 1n) len++;
  // Contiguous: every bit after the run is zero.
  const rest = m.value & ((1n << BigInt(width - len)) - 1n);
  return rest === 0n ? len : undefined;
}

export function prefixContains(p: Prefix, family: 4 | 6, value: bigint): boolean {
  if (p.family !== family) return false;
  return makePrefix(family, value, p.length).network === p.network;
}

/** Does prefix `outer` contain every address of `inner`? */
export function prefixCovers(outer: Prefix, inner: Prefix): boolean {
  return outer.family === inner.family && outer.length <= inner.length && prefixContains(outer, inner.family, inner.network);
}

/** Do the two prefixes share any address? */
export function prefixesOverlap(a: Prefix, b: Prefix): boolean {
  return prefixCovers(a, b) || prefixCovers(b, a);
}

export function formatPrefix(p: Prefix): string {
  return `${formatAddress(p.family, p.network)}/${p.length}`;
}

/** Loopback: 127.0.0.0/8 and ::1 (RFC 1122 §3.2.1.3, RFC 4291 §2.5.3). */
export function isLoopback(text: string): boolean {
  const a = parseAddress(text);
  if (!a) return false;
  if (a.family === 4) return a.value >> 24n === 127n;
  return a.value === 1n;
}
