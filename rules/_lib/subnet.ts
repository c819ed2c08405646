/**
 * "Is this client in the server's own subnet?" (mode6-exposed). A capture carries no netmask, so this is a
 * heuristic, and findings say so: the same /24 for IPv4 (the seed's `restrict 192.168.1.0 mask 255.255.255.0`),
 * the same /64 for IPv6 (RFC 4291 §2.5.4: a LAN is a /64). IPv4-mapped IPv6 (::ffff:a.b.c.d) counts as IPv4.
 */

export type Family = 4 | 6;

/** The /24 or /64 prefix of an address, as a comparable string; undefined for text that is not an address. */
export function subnetPrefix(ip: string): { family: Family; prefix: string } | undefined {
  const bare = ip.split('%')[0] ?? ''; // a zone id (fe80::1%eth0) does not change the prefix
  const v4 = ipv4(bare) ?? mappedIpv4(bare);
  if (v4) return { family: 4, prefix: `${v4[0]}.${v4[1]}.${v4[2]}` };
  const groups = ipv6Groups(bare);
  if (!groups) return undefined;
  return { family: 6, prefix: groups.slice(0, 4).join(':') };
}

/** True when both are addresses of the same family with the same /24 (IPv4) or /64 (IPv6). */
export function sameSubnet(a: string, b: string): boolean {
  const pa = subnetPrefix(a);
  const pb = subnetPrefix(b);
  return pa !== undefined && pb !== undefined && pa.family === pb.family && pa.prefix === pb.prefix;
}

/** "/24" or "/64", for the sentence that states the heuristic. */
export function prefixLength(ip: string): string {
  return subnetPrefix(ip)?.family === 6 ? '/64' : '/24';
}

function ipv4(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

function mappedIpv4(s: string): number[] | undefined {
  const m = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(s);
  return m?.[1] !== undefined ? ipv4(m[1]) : undefined;
}

/** The eight 16-bit groups of an IPv6 address, lower-case and without leading zeros; undefined if malformed. */
function ipv6Groups(s: string): string[] | undefined {
  if (s.length > 45 || !/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const split = (h: string | undefined): string[] => (h ? h.split(':') : []);
  let head = split(halves[0]);
  let tail = split(halves[1]);
  // A trailing dotted quad (::ffff:1.2.3.4 already handled; 64:ff9b::1.2.3.4 here) is two groups.
  const last = (halves.length === 2 ? tail : head).at(-1);
  if (last?.includes('.')) {
    const q = ipv4(last);
    if (!q) return undefined;
    const two = [((q[0]! << 8) | q[1]!).toString(16), ((q[2]! << 8) | q[3]!).toString(16)];
    if (halves.length === 2) tail = [...tail.slice(0, -1), ...two];
    else head = [...head.slice(0, -1), ...two];
  }
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return groups.map((g) => Number.parseInt(g, 16).toString(16));
}
