/**
 * What firewalld's zone target `default` really sends, read from the rules firewalld generated, because it
 * changed between versions and backends (recorded in the lab, fixtures/firewall/firewalld-debian12-*):
 *   - firewalld 0.4–0.6 (CentOS 7, iptables): the zone chain has no final rule; the packet falls back to INPUT's
 *     `-j REJECT --reject-with icmp-host-prohibited` (the seed's "admin prohibited");
 *   - firewalld ≥ 0.9 / 1.x, nftables backend: the zone chain ends `reject with icmpx admin-prohibited`;
 *   - firewalld ≥ 0.9 / 1.x, iptables backend: the zone chain ends with a bare `-j REJECT`
 *     (firewall/core/ipXtables.py: target default → "REJECT"), i.e. icmp-port-unreachable: clients see the
 *     same ICMP as when nothing listens on UDP 123.
 * The zone chain's last rule wins when it rejects; else INPUT's last rule; else undefined (rules not readable:
 * the caller falls back to the backend's documented default).
 */
import type { IptablesSave } from './iptables.js';

export interface GeneratedReject {
  rejectWith: string;
  /** The rule as the tool prints it, and the chain that holds it. */
  text: string;
  chain: string;
}

/** The rule lines of `chain NAME {` inside `table inet firewalld` of `nft -a list ruleset`, handles removed. */
function nftChainRules(text: string, chain: string): string[] | undefined {
  let inTable = false;
  let rules: string[] | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (/^table /.test(line)) {
      inTable = /^table inet firewalld \{/.test(line);
      continue;
    }
    if (!inTable) continue;
    if (rules === undefined) {
      if (line.startsWith(`chain ${chain} {`)) rules = [];
      continue;
    }
    if (line === '}') return rules;
    if (line === '' || line.startsWith('type ')) continue;
    rules.push(line.replace(/\s*# handle \d+$/, ''));
  }
  return rules;
}

function nftReject(text: string, chain: string): GeneratedReject | undefined {
  const last = nftChainRules(text, chain)?.at(-1);
  const m = last === undefined ? null : /^(?:counter(?: packets \d+ bytes \d+)?\s+)?reject(?: with (.+))?$/.exec(last);
  // nft(8): a bare `reject` in an inet table answers icmpx port-unreachable.
  return m && last !== undefined ? { rejectWith: m[1] ?? 'icmpx port-unreachable', text: last, chain } : undefined;
}

function iptReject(save: IptablesSave, chain: string, family: 4 | 6): GeneratedReject | undefined {
  const filter = save.tables.find((t) => t.name === 'filter');
  const last = filter?.rules.filter((r) => r.chain === chain).at(-1);
  if (!last) return undefined;
  const t = last.tokens;
  // Only an unconditional REJECT ends the chain for every packet: `-j REJECT [--reject-with TYPE]`, nothing else.
  if (t[0] !== '-j' || t[1] !== 'REJECT' || !(t.length === 2 || (t.length === 4 && t[2] === '--reject-with'))) return undefined;
  const w = t.indexOf('--reject-with');
  // iptables-extensions(8): REJECT without --reject-with sends port unreachable.
  const rejectWith = w >= 0 ? (t[w + 1] as string) : family === 4 ? 'icmp-port-unreachable' : 'icmp6-port-unreachable';
  return { rejectWith, text: last.text, chain };
}

/** What target `default` of `zone` rejects with, from firewalld's generated rules (nftables or iptables). */
export function defaultTargetReject(zone: string, family: 4 | 6, rules: { nftText?: string; iptablesSave?: IptablesSave }): GeneratedReject | undefined {
  if (rules.nftText !== undefined) return nftReject(rules.nftText, `filter_IN_${zone}`) ?? nftReject(rules.nftText, 'filter_INPUT');
  if (rules.iptablesSave !== undefined) return iptReject(rules.iptablesSave, `IN_${zone}`, family) ?? iptReject(rules.iptablesSave, 'INPUT', family);
  return undefined;
}
