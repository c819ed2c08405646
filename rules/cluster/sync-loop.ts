import { defineClusterRule, type ClusterHit, type SyncEdge } from './_types.js';
import { cmd, draft, op, ranked } from '../_lib/fixes.js';
import { names, ref } from './_lib.js';

/**
 * Strongly connected components of the graph of nodes in the cluster (Tarjan, iterative: a hostile graph of
 * thousands of nodes must not blow the stack). A component of two or more nodes is a loop.
 */
export function loops(nodes: readonly string[], edges: readonly SyncEdge[]): string[][] {
  const next = new Map<string, string[]>(nodes.map((n) => [n, []]));
  for (const e of edges) if (e.internal && e.from !== e.to) next.get(e.from)?.push(e.to);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  let counter = 0;
  for (const start of nodes) {
    if (index.has(start)) continue;
    const work: Array<{ v: string; i: number }> = [{ v: start, i: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length) {
      const top = work[work.length - 1]!;
      const succ = next.get(top.v) ?? [];
      if (top.i < succ.length) {
        const w = succ[top.i++]!;
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          work.push({ v: w, i: 0 });
        } else if (onStack.has(w)) low.set(top.v, Math.min(low.get(top.v)!, index.get(w)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.v, Math.min(low.get(parent.v)!, low.get(top.v)!));
      if (low.get(top.v) === index.get(top.v)) {
        const comp: string[] = [];
        for (;;) {
          const w = stack.pop()!;
          onStack.delete(w);
          comp.push(w);
          if (w === top.v) break;
        }
        if (comp.length > 1) out.push(comp.reverse());
      }
    }
  }
  return out;
}

/**
 * A takes time from B and B from A (or a longer ring): none of them has a reference outside the ring, so the
 * group drifts together, or every member ends at stratum 16. ntpd's loop detection (RFC 5905 §13: a reply whose
 * refid is our own address is dropped, "loop") catches only the two-node case; chrony likewise.
 */
export default defineClusterRule({
  meta: {
    id: 'sync-loop',
    summary: 'Nodes take time from each other in a ring (A from B, B from A, or longer): no real reference enters it',
    severity: 'error',
    confidence: 0.85,
    priority: 15,
    why:
      'In a sync loop every member follows another member, so no time from outside enters the group: it drifts as ' +
      'one, or the stratum climbs until each node is at 16 and serves nobody. RFC 5905 §13 drops a reply whose refid ' +
      'is the receiver\'s own address (a two-node loop), and chrony does the same; longer rings (A→B→C→A) are only ' +
      'seen from the whole graph. One member needs a real upstream (or a local clock / `local stratum` on exactly one ' +
      'node, set as orphan), the others follow it.',
    references: ['RFC 5905 §13 (peer process, loop detection by refid)', 'ntp.conf(5) tos orphan', 'chrony.conf(5) local'],
  },
  match(ctx) {
    const hits: ClusterHit[] = [];
    const internal = ctx.nodes.filter((n) => n.report).map((n) => n.name);
    for (const ring of loops(internal, ctx.graph.edges)) {
      const inRing = new Set(ring);
      const ringEdges = ctx.graph.edges.filter((e) => e.internal && inRing.has(e.from) && inRing.has(e.to) && e.from !== e.to);
      const first = ringEdges[0]!;
      hits.push({
        subject: ring[0]!,
        title: `Sync loop: ${names(ring)} take time from each other (${ringEdges.map((e) => `${e.from} → ${e.to}`).join(', ')})`,
        nodes: ring,
        explained: ring.flatMap((n) => ctx.findings(n).filter((f) => f.rule === 'server-unsynchronized' || f.rule === 'source-rejected').map((f) => ref(n, f))),
        evidence: ringEdges.map((e) => ({ text: `${e.from} takes time from ${e.to} (${e.address}), learnt by ${e.via.join(', ')}${e.stratum !== undefined ? `; its replies: stratum ${e.stratum}, refid ${e.refid ?? '?'}` : ''}` })),
        // One node of the ring needs a real upstream: which one is the operator's choice, the check is the same.
        fixes: ranked([draft('generic', `Give one node of the ring (say ${first.to}) an upstream outside it, or a local clock; the others keep following it`, [], cmd('ntpdoctor', 'trace', op(first.address)), 'a chain that ends at a stratum 1 source, no loop')]),
      });
    }
    return hits;
  },
});
