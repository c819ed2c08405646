/**
 * firewall-blocks-ntp's other side: this node's own output chain stops its requests to a server its config names
 * (src/inspect/firewall/outbound.ts judged them, on the port the config gives: chrony `server X port N`). Such a
 * request never leaves the host, so no capture or ICMP on the wire says why; the daemon only shows the source
 * unreachable. The fix accepts UDP to that port in the chain that decided, ahead of the rule that stopped it.
 */
import type { Evidence, Hit, RuleContext } from '../../src/diagnose/types.js';
import type { FirewallObservation } from '../../src/model/node.js';
import { note } from './evidence.js';
import { acceptRule, byDecidingRule } from './firewall-accept.js';
import { draft, type Draft, NTP_PORT, probeVerify, ranked } from './fixes.js';
import { configs, lineEvidence } from './node.js';

export function outboundHits(ctx: RuleContext, blocked: readonly FirewallObservation[], debian: boolean): Hit[] {
  const hits: Hit[] = [];
  for (const list of byDecidingRule(blocked)) {
    const f = list[0] as FirewallObservation;
    const port = f.port ?? NTP_PORT;
    const servers = [...new Set(list.map((x) => x.to ?? '?'))];
    const where = whereOut(f);
    const evidence: Evidence[] = [
      note(`${label(f)}: this node's own NTP request to ${servers.map((s) => `${s}:${port}`).join(', ')} stops at ${where}: \`${f.decidedBy?.text ?? f.verdict}\``),
      note(`It never leaves this host: ${f.verdict === 'reject' ? 'the daemon gets a local error' : 'the daemon waits in vain'} and shows the source unreachable (chronyc ^?, ntpq reach 0); no packet on the wire says why`),
    ];
    const line = sourceLine(ctx, servers);
    if (line) evidence.push(line);
    if (f.trace.length) evidence.push(note(`Path: ${f.trace.join(' → ')}`));
    for (const u of f.uncertain.slice(0, 3)) evidence.push(note(`Not decided: ${u}`));
    hits.push({
      subject: servers[0] as string,
      title: `This node's ${label(f)} ${f.verdict === 'reject' ? 'rejects' : 'drops'} its own NTP requests to ${servers.join(', ')} (UDP ${port}): ${where}`,
      evidence,
      fixes: ranked(fixesOut(f, servers[0] as string, port, debian)),
      confidence: 0.85,
    });
  }
  return hits;
}

function label(f: FirewallObservation): string {
  return f.backend === 'nftables' ? 'nftables firewall' : `${f.backend} firewall`;
}

function whereOut(f: FirewallObservation): string {
  const d = f.decidedBy;
  if (f.backend === 'nftables') return `${d?.family ?? ''} ${d?.table ?? ''} chain ${d?.chain ?? '?'}${d?.policy ? ' policy' : d?.handle !== undefined ? ` rule handle ${d.handle}` : ''}`.trim();
  return `${d?.table ?? 'filter'} ${d?.chain ?? 'OUTPUT'}${d?.policy ? ' policy' : d?.position !== undefined ? ` rule ${d.position}` : ''}`;
}

/** The config line that names the server (by address or by what its name resolved to). */
function sourceLine(ctx: RuleContext, servers: readonly string[]): Evidence | undefined {
  for (const o of configs(ctx)) {
    const s = o.config.sources.find((x) => servers.includes(x.address) || x.resolved?.some((a) => servers.includes(a)));
    if (s) return lineEvidence(s, `\`${s.text}\`: the daemon asks ${s.address} on UDP ${s.port ?? NTP_PORT}`);
  }
  return undefined;
}

function fixesOut(f: FirewallObservation, server: string, port: number, debian: boolean): Draft[] {
  const r = acceptRule(f, port, debian);
  const then = 'replies come back; the daemon reaches the source within a few polls';
  const save = f.backend === 'nftables' ? ', then save the ruleset' : ', then save';
  return [draft(f.backend === 'nftables' ? 'nftables' : 'iptables', `Accept outgoing UDP ${port} in ${r.chain}${r.ahead || ' (before the policy applies)'}${save}`, r.commands, probeVerify(server, port), then)];
}
