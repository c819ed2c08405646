/**
 * How the daemons' access lists treat a network of clients (or a server's address):
 * - ntpd / ntpsec (ntp_acc(5)): entries are sorted by address and mask and the most specific match decides;
 *   flags do not add up across entries. `restrict default` covers both families unless `-4`/`-6`; with no
 *   matching entry at all nothing is restricted. `restrict source` is the template for the daemon's own server
 *   and pool associations.
 * - chrony (chrony.conf(5) allow/deny): the most specific subnet decides; `allow all X` / `deny all X` first
 *   drop every earlier directive for X and the subnets inside it; without any match the client is denied.
 */
import { formatPrefix, makePrefix, maskLength, parseAddress, parsePrefix, prefixCovers, type Prefix } from '../ip.js';
import type { ChronyAccess, ChronyConfig, Located, NtpdConfig, NtpRestrict } from './types.js';

/** A restrict entry's prefix(es): `default` → 0.0.0.0/0 and/or ::/0; address + mask; address/len; bare address = host. */
export function restrictPrefixes(r: NtpRestrict): Prefix[] {
  if (r.address === 'default') {
    const all: Prefix[] = [];
    if (r.family !== 6) all.push(makePrefix(4, 0n, 0));
    if (r.family !== 4) all.push(makePrefix(6, 0n, 0));
    return all;
  }
  if (r.address === 'source') return [];
  const [addrText = '', lenText] = r.address.split('/');
  const addr = parseAddress(addrText);
  if (!addr) return [];
  let len = addr.family === 4 ? 32 : 128;
  if (lenText !== undefined) len = Number(lenText);
  else if (r.mask !== undefined) len = maskLength(r.mask) ?? len;
  return [makePrefix(addr.family, addr.value, len)];
}

/** The restrict entry that decides for `target` (a network or host prefix); undefined = no entry, unrestricted. */
export function bestRestrict(cfg: NtpdConfig, target: Prefix): NtpRestrict | undefined {
  let best: { r: NtpRestrict; len: number } | undefined;
  for (const r of cfg.restricts) {
    for (const p of restrictPrefixes(r)) {
      // Later lines for the same address and mask replace earlier ones (ntpd keeps one entry per address/mask).
      if (prefixCovers(p, target) && (!best || p.length >= best.len)) best = { r, len: p.length };
    }
  }
  return best?.r;
}

/** For a configured server's address: a host entry for it, else `restrict source`, else the best match. */
export function restrictForServer(cfg: NtpdConfig, address: string): NtpRestrict | undefined {
  const a = parseAddress(address);
  if (!a) return undefined;
  const host = makePrefix(a.family, a.value, a.family === 4 ? 32 : 128);
  const best = bestRestrict(cfg, host);
  const bestLen = best ? Math.max(...restrictPrefixes(best).map((p) => p.length)) : -1;
  const source = [...cfg.restricts].reverse().find((r) => r.address === 'source');
  if (source && bestLen < (a.family === 4 ? 32 : 128)) return source;
  return best;
}

/** chrony's subnet forms: "1.2.3.4", "1.2.3.0/24", "1.2.3" (prefix by the number of octets), "2001:db8::/32", none = all. */
export function chronySubnet(subnet: string | undefined): Prefix[] {
  if (subnet === undefined) return [makePrefix(4, 0n, 0), makePrefix(6, 0n, 0)];
  const p = parsePrefix(subnet);
  if (p) return [p];
  if (/^\d{1,3}(\.\d{1,3}){0,2}$/.test(subnet)) {
    const parts = subnet.split('.');
    const addr = parseAddress([...parts, ...Array<string>(4 - parts.length).fill('0')].join('.'));
    if (addr) return [makePrefix(4, addr.value, parts.length * 8)];
  }
  if (subnet === '0/0') return [makePrefix(4, 0n, 0)];
  return [];
}

/** The allow/deny table after every directive, as chronyd builds it: prefix → the directive that set it. */
function chronyTable(list: readonly ChronyAccess[]): Map<string, { prefix: Prefix; by: ChronyAccess }> {
  const table = new Map<string, { prefix: Prefix; by: ChronyAccess }>();
  for (const a of list) {
    for (const p of chronySubnet(a.subnet)) {
      if (a.all) for (const [k, e] of table) if (prefixCovers(p, e.prefix)) table.delete(k);
      table.set(formatPrefix(p), { prefix: p, by: a });
    }
  }
  return table;
}

/** Is `target` served by chronyd, and by which directive? No directive → denied (chronyd serves nobody by default). */
export function chronyDecision(cfg: ChronyConfig, target: Prefix): { allowed: boolean; by?: ChronyAccess } {
  let best: { prefix: Prefix; by: ChronyAccess } | undefined;
  for (const e of chronyTable(cfg.access).values()) {
    if (prefixCovers(e.prefix, target) && (!best || e.prefix.length >= best.prefix.length)) best = e;
  }
  return best ? { allowed: best.by.verb === 'allow', by: best.by } : { allowed: false };
}

/** Networks (not single hosts) the config names for clients: ntpd restrict lines, chrony allow/deny. */
export function namedClientNetworks(cfg: NtpdConfig | ChronyConfig): Array<{ network: string; at: Located }> {
  const out: Array<{ network: string; at: Located }> = [];
  const add = (p: Prefix, at: Located) => {
    const full = p.family === 4 ? 32 : 128;
    if (p.length === 0 || p.length === full) return;
    const network = formatPrefix(p);
    if (!out.some((o) => o.network === network)) out.push({ network, at });
  };
  if (cfg.flavor === 'ntpd') for (const r of cfg.restricts) for (const p of restrictPrefixes(r)) add(p, r);
  else for (const a of cfg.access) if (a.subnet !== undefined) for (const p of chronySubnet(a.subnet)) add(p, a);
  return out;
}
