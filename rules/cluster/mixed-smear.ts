import { defineClusterRule, type ClusterContext, type ClusterHit, type Evidence } from './_types.js';
import { privateAddress, smearer } from '../leap-smear-mix.js';
import { cmd, draft, ranked } from '../_lib/fixes.js';
import { names, ref } from './_lib.js';

type Kind = 'smear' | 'utc';

/**
 * What time a node follows around a leap second: 'smear' when an upstream (directly, or through the cluster
 * nodes it follows) is a leap-smearing service (Google, Amazon, Meta: rules/leap-smear-mix.ts's list), 'utc' when
 * it follows public servers that are not. Private addresses outside the cluster may be relays of either: unknown.
 */
function kinds(ctx: ClusterContext): Map<string, { kinds: Set<Kind>; via: string[] }> {
  const memo = new Map<string, { kinds: Set<Kind>; via: string[] }>();
  const visit = (node: string, path: Set<string>): { kinds: Set<Kind>; via: string[] } => {
    const known = memo.get(node);
    if (known) return known;
    const out = { kinds: new Set<Kind>(), via: [] as string[] };
    if (path.has(node)) return out; // a loop: sync-loop's business
    path.add(node);
    for (const e of ctx.edgesFrom(node)) {
      if (e.internal) {
        if (e.to === node) continue;
        const up = visit(e.to, path);
        for (const k of up.kinds) out.kinds.add(k);
        if (up.kinds.size) out.via.push(`${e.to} (${[...up.kinds].join('+')})`);
        continue;
      }
      const who = smearer(e.address);
      if (who) {
        out.kinds.add('smear');
        out.via.push(`${e.address} (${who}, smears)`);
      } else if (!privateAddress(e.address)) {
        out.kinds.add('utc');
        out.via.push(`${e.address} (inserts leap seconds)`);
      }
    }
    path.delete(node);
    memo.set(node, out);
    return out;
  };
  for (const n of ctx.nodes) if (n.report) visit(n.name, new Set());
  return memo;
}

/**
 * Some nodes follow leap-smearing servers, others servers that insert the leap second: around a leap the two
 * groups are up to 0.5 s apart for a day, although each node alone looks healthy. The per-node rule
 * (leap-smear-mix) sees one config; this sees the cluster.
 */
export default defineClusterRule({
  meta: {
    id: 'mixed-smear',
    summary: 'Some nodes follow leap-smearing servers (Google, Amazon, Meta), others non-smearing ones: 0.5 s apart around a leap',
    severity: 'warning',
    confidence: 0.75,
    priority: 45,
    why:
      "Google's, Amazon's and Meta's public servers smear a leap second over 24 hours (Google and Amazon: 11.6 ppm, " +
      'noon to noon), so at the leap they are 0.5 s from UTC; other servers insert 23:59:60. Nodes of one cluster ' +
      'that follow different kinds disagree by up to 0.5 s for a day, past the 0.128 s step threshold (RFC 5905), ' +
      'though each node alone is in sync. Google: "do not mix smeared and non-smeared NTP servers" — in a cluster, ' +
      'that means all nodes follow one kind.',
    references: ['developers.google.com/time/smear', 'AWS EC2 User Guide: Amazon Time Sync Service (leap smearing)', 'RFC 5905 §11.3 (STEPT)'],
  },
  match(ctx) {
    const all = kinds(ctx);
    const smear: string[] = [];
    const utc: string[] = [];
    const mixedNodes: string[] = [];
    for (const [node, k] of all) {
      if (k.kinds.has('smear') && k.kinds.has('utc')) mixedNodes.push(node);
      else if (k.kinds.has('smear')) smear.push(node);
      else if (k.kinds.has('utc')) utc.push(node);
    }
    if (!(smear.length && utc.length) && mixedNodes.length === 0) return [];
    const evidence: Evidence[] = [...smear, ...utc, ...mixedNodes].map((n) => ({ text: `${n}: follows ${all.get(n)!.via.join(', ')}` }));
    const involved = [...smear, ...utc, ...mixedNodes];
    const hit: ClusterHit = {
      subject: 'cluster',
      title: `Leap smearing is mixed across the cluster: ${smear.length + mixedNodes.length ? `${names([...smear, ...mixedNodes])} follow smearing servers` : ''}${utc.length ? `, ${names(utc)} non-smearing ones` : ''}`,
      nodes: involved,
      explained: involved.flatMap((n) => ctx.findings(n).filter((f) => f.rule === 'leap-smear-mix').map((f) => ref(n, f))),
      evidence,
      fixes: ranked([
        draft('generic', 'Pick one kind for the whole cluster (all smearing or none) and point every node, or the one node all others follow, at it', [], cmd('chronyc', 'sources'), 'on every node, sources of one kind only'),
      ]),
    };
    return [hit];
  },
});
