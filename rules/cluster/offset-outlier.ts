import { defineClusterRule, type ClusterHit } from './_types.js';
import { median } from '../../src/cluster/graph.js';
import { cmd, draft, op, ranked } from '../_lib/fixes.js';
import { ref } from './_lib.js';

/** RFC 5905 STEPT: 0.128 s, where a daemon steps rather than slews: below it, nodes agree well enough. */
const STEPT = 0.128;
/** A node needs a measured offset from at least this many others to be called far from them. */
const MIN_NODES = 3;

/**
 * Each node's offset to its servers (median of its probe's accepted replies from synchronized servers); the
 * cluster's median of those is the consensus. A node more than STEPT and 5 median absolute deviations from it is
 * the outlier (a robust test: one node a year off does not drag the centre, as a mean would).
 */
export default defineClusterRule({
  meta: {
    id: 'offset-outlier',
    summary: "One node's clock is far from all the others' (past the 0.128 s step threshold)",
    severity: 'warning',
    confidence: 0.8,
    priority: 40,
    why:
      'Nodes of one cluster that follow good servers agree within milliseconds. One that is ' +
      'more than 0.128 s (RFC 5905 STEPT) from the median of the others is not following its sources: its daemon is ' +
      'stopped, refuses to step (ntpd without -g past 1000 s, the panic threshold; chrony without makestep), cannot ' +
      'adjust the clock (no CAP_SYS_TIME), or it follows a different, wrong source. Distributed systems (Kerberos: 5 ' +
      'min; databases, TLS, logs) break on it before anything else does.',
    references: ['RFC 5905 §10 (clock filter), §11.3 (STEPT 0.128 s, PANICT 1000 s)', 'chrony.conf(5) makestep', 'ntpd(8) -g'],
  },
  match(ctx) {
    const offsets: Array<{ node: string; offset: number }> = [];
    for (const n of ctx.nodes) {
      if (!n.report) continue;
      const mine = ctx.edgesFrom(n.name).filter((e) => e.offset !== undefined && e.state === 'ok').map((e) => e.offset!);
      const m = median(mine);
      if (m !== undefined) offsets.push({ node: n.name, offset: m });
    }
    if (offsets.length < MIN_NODES) return [];
    const centre = median(offsets.map((o) => o.offset))!;
    const mad = median(offsets.map((o) => Math.abs(o.offset - centre)))!;
    // 1.4826 × MAD estimates σ for normal data; 5σ keeps a noisy but healthy cluster quiet.
    const limit = Math.max(STEPT, 5 * 1.4826 * mad);
    const far = offsets.filter((o) => Math.abs(o.offset - centre) > limit);
    // More than half "far" means there is no consensus to be far from.
    if (far.length === 0 || far.length * 2 >= offsets.length) return [];
    return far.map<ClusterHit>((o) => {
      const own = ctx.findings(o.node).find((f) => f.rule === 'large-offset' || f.rule === 'makestep-missing' || f.rule === 'no-clock-control' || f.rule === 'daemon-not-running');
      const hit: ClusterHit = {
        subject: o.node,
        title: `${o.node}'s clock is ${fmt(o.offset - centre)} from the other nodes' (cluster median offset ${fmt(centre)})`,
        nodes: [o.node],
        explained: ctx.findings(o.node).filter((f) => f.rule === 'large-offset').map((f) => ref(o.node, f)),
        evidence: [
          { text: `${o.node}: offset ${fmt(o.offset)} to its servers (median of accepted probe replies)` },
          { text: `the other ${offsets.length - 1} nodes: median ${fmt(median(offsets.filter((x) => x !== o).map((x) => x.offset))!)}, limit ±${fmt(limit)}` },
          ...(own ? [{ text: `${o.node}: ${own.rule}: ${own.title}` }] : []),
        ],
        fixes: own?.fixes.length ? own.fixes : ranked([draft('generic', `Look at ${o.node}'s daemon: is it running, allowed to step, following the same servers?`, [], cmd('ntpdoctor', 'diagnose'), 'no large-offset finding')]),
      };
      if (own) hit.cause = ref(o.node, own);
      return hit;
    });
  },
});

function fmt(s: number): string {
  const a = Math.abs(s);
  const sign = s < 0 ? '-' : '+';
  return a >= 1 ? `${sign}${a.toFixed(3)} s` : `${sign}${(a * 1e3).toFixed(3)} ms`;
}
