/**
 * One host, one key: `trace` compares the addresses it meets (the target, mode 6 `srcadr`, refids) in binary, so
 * that text variants of one address are the same hop. RFC 4291 §2.2: `::1`, `0::1`, `::0:1` and
 * `0:0:0:0:0:0:0:1` are one address, and hex digits are case-insensitive; RFC 4291 §2.5.5.2: `::ffff:a.b.c.d`
 * (also written `::ffff:c000:201`) is the IPv4 host a.b.c.d seen through a dual-stack socket. A loop detected on
 * text would miss `A → ::ffff:A → A`; a hostile daemon can pick any spelling it likes for its `srcadr`.
 */
import { isIP } from 'node:net';

/** The 16 octets of an IPv6 address; IPv4 as its IPv4-mapped form ::ffff:a.b.c.d. Undefined when not an address. */
export function addressOctets(text: string): Uint8Array | undefined {
  let t = text.trim();
  if (t.startsWith('[') && t.endsWith(']')) t = t.slice(1, -1);
  const pct = t.indexOf('%');
  if (pct >= 0) t = t.slice(0, pct);
  const family = isIP(t);
  const out = new Uint8Array(16);
  if (family === 4) {
    out[10] = 0xff;
    out[11] = 0xff;
    t.split('.').forEach((part, i) => (out[12 + i] = Number(part)));
    return out;
  }
  if (family !== 6) return undefined;
  // isIP vouched for the syntax: at most one '::', groups of 1–4 hex digits, an optional dotted IPv4 tail.
  const groups: number[] = [];
  const push = (part: string): void => {
    if (part.includes('.')) {
      const v4 = part.split('.').map(Number);
      groups.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
    } else groups.push(parseInt(part, 16));
  };
  const split = t.indexOf('::');
  const head = split >= 0 ? t.slice(0, split) : t;
  const tail = split >= 0 ? t.slice(split + 2) : '';
  for (const p of head ? head.split(':') : []) push(p);
  const tailGroups: number[] = [];
  if (tail) {
    const before = groups.length;
    for (const p of tail.split(':')) push(p);
    tailGroups.push(...groups.splice(before));
  }
  const zeros = 8 - groups.length - tailGroups.length;
  const all = [...groups, ...Array<number>(Math.max(0, zeros)).fill(0), ...tailGroups];
  if (all.length !== 8) return undefined;
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/**
 * A comparable key for an address: 32 hex digits of its 16 octets, plus `%zone` for a scoped address (fe80::1%eth0
 * and fe80::1%eth1 are different hosts). Text that is not an address (a name) keys as itself, lower-cased.
 */
export function addressKey(text: string): string {
  const octets = addressOctets(text);
  if (!octets) return `name:${text.trim().toLowerCase()}`;
  const pct = text.indexOf('%');
  const zone = pct >= 0 ? text.slice(pct).replace(/\]$/, '').trim() : '';
  return Buffer.from(octets).toString('hex') + zone;
}

export function sameHost(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && addressKey(a) === addressKey(b);
}
