/**
 * The other direction: this node's own request to each server its configs name, judged on the output hook
 * (nftables) and the OUTPUT chain (iptables), to the port the config gives (chrony `server X port N`) and from the
 * source port the daemon uses (ntpd 123, chronyd an ephemeral one). A reject there never leaves the host: the
 * daemon shows the source unreachable and ntpdoctor's own probe meets the same rule, with no ICMP on the wire
 * to tell why. firewalld's own tables are judged too: on this side they are plain rules (its zones filter inbound).
 */
import type { TimeConfig } from '../../model/config.js';
import type { FirewallObservation } from '../../model/node.js';
import { isLoopback, parseAddress } from '../../net/ip.js';
import { NTP_PORT } from '../../ntp/constants.js';
import type { FirewallOutputs } from './gather.js';
import { evaluateIptables, parseIptablesSave } from './iptables.js';
import { evaluateNft } from './nftables.js';
import { parseNftJson, parseNftText, type NftRuleset } from './nftables-parse.js';
import { outboundNtp } from './packet.js';
import type { FirewallVerdict } from './types.js';

export interface OutboundTarget {
  address: string;
  family: 4 | 6;
  /** The server's UDP port (123, or chrony's `port N`). */
  port: number;
  /** The daemon's source port: 123 for ntpd, an ephemeral one for chronyd (EPHEMERAL stands for it). */
  sport: number;
}

/** chronyd's `acquisitionport 0` (its default): a random port; a `--sport` rule on it stays undecided. */
const EPHEMERAL = 40000;

/**
 * The servers the config in use names (all configs when none is in use), as addresses this node resolved, two
 * per source at most: loopback and reference clocks aside (no firewall stands between a host and itself).
 */
export function outboundTargets(configs: ReadonlyArray<{ config: TimeConfig; inUse: boolean }>): OutboundTarget[] {
  const used = configs.some((c) => c.inUse) ? configs.filter((c) => c.inUse) : configs;
  const out: OutboundTarget[] = [];
  const seen = new Set<string>();
  for (const { config } of used) {
    const sport = config.flavor === 'ntpd' ? NTP_PORT : EPHEMERAL;
    for (const s of config.sources) {
      if (s.refclock || s.directive === 'refclock') continue;
      const port = s.port ?? NTP_PORT;
      for (const address of (s.resolved ?? []).slice(0, 2)) {
        const a = parseAddress(address);
        if (!a || isLoopback(address) || seen.has(`${address}|${port}`)) continue;
        seen.add(`${address}|${port}`);
        out.push({ address, family: a.family, port, sport });
        if (out.length >= MAX_OUTBOUND) return out;
      }
    }
  }
  return out;
}

/** At most this many servers judged: a pool resolves to many addresses, each rule walk is cheap but not free. */
export const MAX_OUTBOUND = 16;

/** The output-side verdicts worth stating: only drops and rejects (an accept says nothing a probe would not). */
export function evaluateOutbound(out: FirewallOutputs, targets: readonly OutboundTarget[]): FirewallObservation[] {
  const list = targets.slice(0, MAX_OUTBOUND);
  if (list.length === 0) return [];
  const observations: FirewallObservation[] = [];
  const keep = (backend: FirewallObservation['backend'], t: OutboundTarget, v: FirewallVerdict) => {
    if (v.verdict !== 'drop' && v.verdict !== 'reject') return;
    const o: FirewallObservation = { kind: 'firewall', source: 'node', backend, family: t.family, from: 'this node', port: t.port, direction: 'out', to: t.address, verdict: v.verdict, trace: v.trace, uncertain: v.uncertain };
    if (v.rejectWith !== undefined) o.rejectWith = v.rejectWith;
    if (v.decidedBy) o.decidedBy = v.decidedBy;
    if (v.insertAt) o.insertAt = v.insertAt;
    observations.push(o);
  };
  // iptables (legacy or -nft): tables iptables-nft owns are judged from iptables-save, not again through nft.
  const iptablesNftTables: Array<{ family: string; name: string }> = [];
  for (const [family, r] of [
    [4, out.iptablesSave],
    [6, out.ip6tablesSave],
  ] as const) {
    if (!r?.ok) continue;
    const save = parseIptablesSave(`${r.stderr}\n${r.stdout}`);
    if (save.backend === 'nf_tables') {
      for (const t of save.tables) if (!save.incompatible.includes(t.name)) iptablesNftTables.push({ family: family === 4 ? 'ip' : 'ip6', name: t.name });
    }
    const filter = save.tables.find((t) => t.name === 'filter' && !save.incompatible.includes(t.name));
    if (!filter || filter.rules.length + Object.keys(filter.policies).length === 0) continue;
    for (const t of list.filter((x) => x.family === family)) keep(family === 4 ? 'iptables' : 'ip6tables', t, evaluateIptables(save, outboundNtp(t.family, t.address, t.port, t.sport)));
  }
  if (out.nftJson?.ok) {
    let rs: NftRuleset | undefined;
    try {
      rs = parseNftJson(out.nftJson.stdout);
    } catch {
      rs = undefined; // said once already by the inbound side (evaluateFirewall's gap)
    }
    const skipTables = iptablesNftTables;
    if (rs && rs.chains.some((c) => (c.hook === 'output' || c.hook === 'postrouting') && !skipTables.some((s) => s.family === c.family && s.name === c.table))) {
      const ruleText = out.nftText?.ok ? parseNftText(out.nftText.stdout) : undefined;
      for (const t of list) keep('nftables', t, evaluateNft(rs, outboundNtp(t.family, t.address, t.port, t.sport), ruleText ? { ruleText, skipTables } : { skipTables }));
    }
  }
  return observations;
}
