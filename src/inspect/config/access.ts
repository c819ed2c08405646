/**
 * How the daemons' access lists treat a network of clients (or a server's address):
 * - ntpd / ntpsec (ntp_acc(5)): entries are sorted by address and mask and the most specific match decides;
 *   flags do not add up across entries. `restrict default` covers both families unless `-4`/`-6`; with no
 *   matching entry at all nothing is restricted. `restrict source` is the template for the daemon's own server
 *   and pool associations.
 * - chrony (chrony.conf(5) allow/deny): the most specific subnet decides; `allow all X` / `deny all X` first
 *   drop every earlier directive for X and the subnets inside it; without any match the client is denied.
 */
import { formatPrefix, makePrefix, maskLength, parseAddress, parsePrefix, type Prefix } from '../../net/ip.js';
import type { ChronyAccess, ChronyConfig, Located, NtpdConfig, NtpRestrict } from '../../model/config.js';

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

/**
 * Longest-prefix lookup: prefixes grouped by (family, length), a query tries only the lengths present, longest
 * first. O(distinct lengths) per query instead of a scan of every entry: 100 k access lines stay linear.
 */
export class PrefixTable<V> {
  private readonly byLength = new Map<string, Map<bigint, { prefix: Prefix; value: V }>>();
  private readonly lengths: Record<4 | 6, number[]> = { 4: [], 6: [] };

  set(prefix: Prefix, value: V): void {
    const key = `${prefix.family}/${prefix.length}`;
    let m = this.byLength.get(key);
    if (!m) {
      m = new Map();
      this.byLength.set(key, m);
      const ls = this.lengths[prefix.family];
      ls.push(prefix.length);
      ls.sort((x, y) => y - x);
    }
    m.set(prefix.network, { prefix, value });
  }

  /** Every entry covering `target`, longest first. */
  *covering(target: Prefix): Generator<{ prefix: Prefix; value: V }> {
    for (const len of this.lengths[target.family]) {
      if (len > target.length) continue;
      const hit = this.byLength.get(`${target.family}/${len}`)?.get(makePrefix(target.family, target.network, len).network);
      if (hit) yield hit;
    }
  }

  longest(target: Prefix): { prefix: Prefix; value: V } | undefined {
    for (const hit of this.covering(target)) return hit;
    return undefined;
  }
}

interface NtpdIndex {
  table: PrefixTable<NtpRestrict>;
  /** The last `restrict source` line. */
  source?: NtpRestrict;
}

const ntpdIndexes = new WeakMap<readonly NtpRestrict[], NtpdIndex>();

/** Built once per restrict list: later lines for the same address and mask replace earlier ones (ntpd keeps one entry per address/mask). */
function ntpdIndex(cfg: NtpdConfig): NtpdIndex {
  let idx = ntpdIndexes.get(cfg.restricts);
  if (!idx) {
    idx = { table: new PrefixTable() };
    for (const r of cfg.restricts) {
      for (const p of restrictPrefixes(r)) idx.table.set(p, r);
      if (r.address === 'source') idx.source = r;
    }
    ntpdIndexes.set(cfg.restricts, idx);
  }
  return idx;
}

/** The restrict entry that decides for `target` (a network or host prefix); undefined = no entry, unrestricted. */
export function bestRestrict(cfg: NtpdConfig, target: Prefix): NtpRestrict | undefined {
  return ntpdIndex(cfg).table.longest(target)?.value;
}

/** For a configured server's address: a host entry for it, else `restrict source`, else the best match. */
export function restrictForServer(cfg: NtpdConfig, address: string): NtpRestrict | undefined {
  const a = parseAddress(address);
  if (!a) return undefined;
  const full = a.family === 4 ? 32 : 128;
  const idx = ntpdIndex(cfg);
  const best = idx.table.longest(makePrefix(a.family, a.value, full));
  if (idx.source && (best?.prefix.length ?? -1) < full) return idx.source;
  return best?.value;
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

const chronyTables = new WeakMap<readonly ChronyAccess[], PrefixTable<ChronyAccess>>();

/**
 * The allow/deny table after every directive, as chronyd builds it (addrfilt.c): prefix → the directive that
 * set it last; `allow all X` / `deny all X` also removes what earlier directives set inside X. Built in one
 * pass from the end: an entry set at position i survives unless an `all` directive after i covers it, and the
 * latest `all` position over a prefix's ancestors is found by length lookups, not by rescanning the table.
 */
function chronyTable(list: readonly ChronyAccess[]): PrefixTable<ChronyAccess> {
  const cached = chronyTables.get(list);
  if (cached) return cached;
  const last = new Map<string, { prefix: Prefix; at: number; by: ChronyAccess }>();
  const allAt = new PrefixTable<number>();
  list.forEach((a, at) => {
    for (const p of chronySubnet(a.subnet)) {
      last.set(formatPrefix(p), { prefix: p, at, by: a });
      if (a.all) allAt.set(p, at);
    }
  });
  const table = new PrefixTable<ChronyAccess>();
  for (const { prefix, at, by } of last.values()) {
    let removed = false;
    for (const hit of allAt.covering(prefix)) if (hit.value > at) removed = true;
    if (!removed) table.set(prefix, by);
  }
  chronyTables.set(list, table);
  return table;
}

/** Is `target` served by chronyd, and by which directive? No directive → denied (chronyd serves nobody by default). */
export function chronyDecision(cfg: ChronyConfig, target: Prefix): { allowed: boolean; by?: ChronyAccess } {
  const best = chronyTable(cfg.access).longest(target);
  return best ? { allowed: best.value.verb === 'allow', by: best.value } : { allowed: false };
}

/** Networks (not single hosts) the config names for clients: ntpd restrict lines, chrony allow/deny. */
export function namedClientNetworks(cfg: NtpdConfig | ChronyConfig): Array<{ network: string; at: Located }> {
  const out: Array<{ network: string; at: Located }> = [];
  const seen = new Set<string>();
  const add = (p: Prefix, at: Located) => {
    const full = p.family === 4 ? 32 : 128;
    if (p.length === 0 || p.length === full) return;
    const network = formatPrefix(p);
    if (seen.has(network)) return;
    seen.add(network);
    out.push({ network, at });
  };
  if (cfg.flavor === 'ntpd') for (const r of cfg.restricts) for (const p of restrictPrefixes(r)) add(p, r);
  else for (const a of cfg.access) if (a.subnet !== undefined) for (const p of chronySubnet(a.subnet)) add(p, a);
  return out;
}
