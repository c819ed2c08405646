/**
 * The sync graph as Graphviz dot (`ntpdoctor cluster --format dot … | dot -Tsvg > graph.svg`): an edge per client →
 * server, coloured by what the client sees; nodes with a cluster finding's root cause drawn bold red.
 */
import type { ClusterReport, EdgeState } from '../cluster/types.js';
import { toTerminal, type TerminalString } from './terminal.js';

const COLOUR: Record<EdgeState, string> = { ok: 'darkgreen', unsynchronized: 'orange', rejected: 'red', unreachable: 'red', unknown: 'gray' };

/** A dot ID in double quotes: `"` and `\` escaped, controls and anything invisible replaced (a name is input). */
export function dotId(s: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = s.replace(/[\u0000-\u001f\u007f-\u009f\p{Cf}\u2028\u2029]/gu, '?');
  return `"${clean.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function renderClusterDot(report: ClusterReport): TerminalString {
  const causes = new Set(report.findings.flatMap((f) => (f.cause ? [f.cause.node] : [])));
  const lines = ['digraph ntp_sync {', '  rankdir=BT;', '  node [shape=box, fontname="Helvetica"];'];
  for (const n of report.graph.nodes) {
    const attrs: string[] = [];
    if (!n.internal) attrs.push('shape=ellipse', 'style=dashed');
    if (n.status === 'unreachable' || n.status === 'invalid') attrs.push('style=dotted', `xlabel=${dotId(n.status)}`);
    if (causes.has(n.name)) attrs.push('color=red', 'penwidth=2');
    lines.push(`  ${dotId(n.name)}${attrs.length ? ` [${attrs.join(', ')}]` : ''};`);
  }
  for (const e of report.graph.edges) {
    const label = [e.state, e.stratum !== undefined ? `st ${e.stratum}` : ''].filter(Boolean).join(', ');
    lines.push(`  ${dotId(e.from)} -> ${dotId(e.to)} [label=${dotId(label)}, color=${COLOUR[e.state]}${e.via.length === 1 && e.via[0] === 'refid' ? ', style=dashed' : ''}];`);
  }
  lines.push('}');
  return toTerminal(lines);
}
