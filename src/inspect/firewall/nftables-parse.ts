/** `nft -j list ruleset` (libnftables-json(5)) and `nft -a list ruleset` as data: split from ./nftables.ts, which evaluates it. */
export interface NftChain {
  family: string;
  table: string;
  name: string;
  handle: number;
  type?: string;
  hook?: string;
  prio?: number;
  policy?: string;
}

export interface NftRule {
  family: string;
  table: string;
  chain: string;
  handle: number;
  expr: unknown[];
}

export interface NftSet {
  family: string;
  table: string;
  name: string;
  elem: unknown[];
}

export interface NftRuleset {
  tables: Array<{ family: string; name: string }>;
  chains: NftChain[];
  rules: NftRule[];
  sets: NftSet[];
}

export type Json = Record<string, unknown>;

export function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses `nft -j list ruleset` output. Throws on text that is not nft JSON. */
export function parseNftJson(text: string): NftRuleset {
  const doc = JSON.parse(text) as unknown;
  if (!isObj(doc) || !Array.isArray(doc.nftables)) throw new Error('not nft JSON: no "nftables" array');
  const rs: NftRuleset = { tables: [], chains: [], rules: [], sets: [] };
  for (const item of doc.nftables) {
    if (!isObj(item)) continue;
    if (isObj(item.table)) rs.tables.push({ family: String(item.table.family), name: String(item.table.name) });
    else if (isObj(item.chain)) {
      const c = item.chain;
      const chain: NftChain = { family: String(c.family), table: String(c.table), name: String(c.name), handle: Number(c.handle) };
      if (typeof c.type === 'string') chain.type = c.type;
      if (typeof c.hook === 'string') chain.hook = c.hook;
      if (typeof c.prio === 'number') chain.prio = c.prio;
      if (typeof c.policy === 'string') chain.policy = c.policy;
      rs.chains.push(chain);
    } else if (isObj(item.rule)) {
      const r = item.rule;
      rs.rules.push({
        family: String(r.family),
        table: String(r.table),
        chain: String(r.chain),
        handle: Number(r.handle),
        expr: Array.isArray(r.expr) ? r.expr : [],
      });
    } else if (isObj(item.set) || isObj(item.map)) {
      const s = (item.set ?? item.map) as Json;
      rs.sets.push({ family: String(s.family), table: String(s.table), name: String(s.name), elem: Array.isArray(s.elem) ? s.elem : [] });
    }
  }
  return rs;
}

/** `nft -a list ruleset` → rule text by "family table chain handle" (the exact text the user sees). */
export function parseNftText(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let family = '';
  let table = '';
  let chain = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    let m = /^table (\S+) (\S+) \{/.exec(line);
    if (m) {
      family = m[1] as string;
      table = m[2] as string;
      continue;
    }
    m = /^chain (\S+) \{/.exec(line);
    if (m) {
      chain = m[1] as string;
      continue;
    }
    m = /^(.*\S)\s+# handle (\d+)$/.exec(line);
    if (m && chain && !line.startsWith('type ')) out.set(`${family} ${table} ${chain} ${m[2]}`, m[1] as string);
  }
  return out;
}
