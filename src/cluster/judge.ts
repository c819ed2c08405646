/**
 * The cluster engine: nodes → graph → cluster rules (handed in by the command, as the node engine takes its
 * rules) → one ranked report, the nodes' own reports under it. Like src/diagnose/engine.ts it never imports rules/.
 */
import { ruleHelp } from '../diagnose/help.js';
import { compareText } from '../diagnose/severity.js';
import type { Finding, Severity } from '../diagnose/types.js';
import { addressBook, buildGraph } from './graph.js';
import type { ClusterContext, ClusterFinding, ClusterNode, ClusterReport, ClusterRule, SyncEdge } from './types.js';

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export function judgeCluster(nodes: ClusterNode[], rules: readonly ClusterRule[]): ClusterReport {
  const book = addressBook(nodes);
  const graph = buildGraph(nodes, book);
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const out = new Map<string, SyncEdge[]>();
  for (const e of graph.edges) {
    const list = out.get(e.from);
    if (list) list.push(e);
    else out.set(e.from, [e]);
  }
  const ctx: ClusterContext = {
    nodes,
    graph,
    nodeOf: book.nodeOf,
    edgesFrom: (name) => out.get(name) ?? [],
    findings: (name) => byName.get(name)?.report?.findings ?? [],
  };
  const found: Array<{ f: ClusterFinding; priority: number }> = [];
  for (const rule of rules) {
    for (const hit of rule.match(ctx)) {
      const f: ClusterFinding = {
        rule: rule.meta.id,
        severity: hit.severity ?? rule.meta.severity,
        confidence: hit.confidence ?? rule.meta.confidence,
        title: hit.title,
        subject: hit.subject,
        nodes: hit.nodes,
        explained: hit.explained,
        evidence: hit.evidence,
        fixes: hit.fixes,
        why: rule.meta.why,
        references: rule.meta.references,
        help: ruleHelp(rule.meta.id),
      };
      if (hit.cause) f.cause = hit.cause;
      found.push({ f, priority: rule.meta.priority });
    }
  }
  found.sort(
    (a, b) =>
      RANK[a.f.severity] - RANK[b.f.severity] || a.priority - b.priority || b.f.nodes.length - a.f.nodes.length || compareText(a.f.subject, b.f.subject),
  );
  // The nodes' exchanges went into the graph (each edge's stratum, refid, offset); listing them again for every node
  // would make a fleet's report mostly packets. They are counted in exchangesOmitted, as a report counts its own.
  const slim = nodes.map((n) =>
    n.report ? { ...n, report: { ...n.report, exchanges: [], exchangesOmitted: (n.report.exchangesOmitted ?? 0) + n.report.exchanges.length } } : n,
  );
  return { schema: 'ntpdoctor.cluster/1', findings: found.map((x) => x.f), nodes: slim, graph };
}

/** Which cluster finding (index) explains a node's finding, if any: the cause itself or one it folds in. */
export function explainedBy(report: ClusterReport, node: string, f: Finding): number | undefined {
  const i = report.findings.findIndex(
    (c) =>
      (c.cause && c.cause.node === node && c.cause.rule === f.rule && c.cause.subject === f.subject) ||
      c.explained.some((r) => r.node === node && r.rule === f.rule && r.subject === f.subject),
  );
  return i < 0 ? undefined : i;
}

/** DESIGN.md exit status over the whole cluster: 1 when any cluster or node finding is at warning or worse, or a node is missing. */
export function clusterExitStatus(report: ClusterReport): number {
  const bad = (f: Finding) => f.severity === 'error' || f.severity === 'warning';
  if (report.findings.some(bad)) return 1;
  if (report.nodes.some((n) => n.status !== 'ok' || n.report?.findings.some(bad))) return 1;
  return 0;
}
