/** Helpers the cluster rules share: finding a node's own cause, naming nodes, the client evidence lines. */
import type { Evidence, Finding } from '../../src/diagnose/types.js';
import { addressKey } from '../../src/cluster/graph.js';
import type { ClusterContext, NodeRef, SyncEdge } from '../../src/cluster/types.js';

/** 'node1, node2 and node3'; long lists cut with a count. */
export function names(list: readonly string[], max = 8): string {
  if (list.length <= 1) return list.join('');
  if (list.length > max) return `${list.slice(0, max).join(', ')} and ${list.length - max} more`;
  return `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]!}`;
}

export function ref(node: string, f: Finding): NodeRef {
  return { node, rule: f.rule, subject: f.subject };
}

/**
 * The first of `rules` (in that order: the most basic reason first) that a node's own report holds. With `about`,
 * only findings on one of those addresses or on the node itself ('this node', a config file): a node's findings
 * about its *own* upstream are causes too, but not those about unrelated servers.
 */
export function firstOf(ctx: ClusterContext, node: string, rules: readonly string[]): Finding | undefined {
  const findings = ctx.findings(node);
  for (const id of rules) {
    const f = findings.find((x) => x.rule === id);
    if (f) return f;
  }
  return undefined;
}

/** Edges into `to`, grouped: the clients that use a server, with what each sees. */
export function edgesByServer(edges: readonly SyncEdge[], keep: (e: SyncEdge) => boolean): Map<string, SyncEdge[]> {
  const out = new Map<string, SyncEdge[]>();
  for (const e of edges) {
    if (!keep(e)) continue;
    const list = out.get(e.to);
    if (list) list.push(e);
    else out.set(e.to, [e]);
  }
  return out;
}

/** One evidence line per client: what its own report says about the server (its worst finding's title). */
export function clientEvidence(ctx: ClusterContext, e: SyncEdge): Evidence {
  const fs = ctx.findings(e.from).filter((f) => addressKey(f.subject) === e.address);
  const top = fs[0];
  const seen = e.stratum !== undefined ? ` (replies at stratum ${e.stratum}, leap ${e.leap ?? '?'})` : '';
  return { text: top ? `${e.from}: ${top.rule}: ${top.title}` : `${e.from}: ${e.state} from ${e.address}${seen}, learnt by ${e.via.join(', ')}` };
}

/** Every finding of a client that names the server's address: what the cluster finding explains. */
export function explainedOn(ctx: ClusterContext, e: SyncEdge): NodeRef[] {
  return ctx
    .findings(e.from)
    .filter((f) => addressKey(f.subject) === e.address)
    .map((f) => ref(e.from, f));
}

/** A finding's first evidence lines as cluster evidence, prefixed with the node. */
export function causeEvidence(node: string, f: Finding, max = 3): Evidence[] {
  return [{ text: `${node}: ${f.rule}: ${f.title}` }, ...f.evidence.slice(0, max).map((e) => ({ ...e, text: `${node}: ${e.text}` }))];
}
