/**
 * The cluster's remediation checklist (Markdown), grouped by node: first the nodes that hold a root cause
 * (their own checklist, as `checklist` prints it), then the others. A client whose every finding a cluster
 * finding explains gets one line saying which node to fix instead of steps that would change nothing.
 */
import type { ClusterReport } from '../cluster/types.js';
import { explainedBy } from '../cluster/judge.js';
import type { Report } from '../diagnose/types.js';
import { renderChecklist } from './checklist.js';
import { toTerminal, type TerminalString } from './terminal.js';

export function renderClusterChecklist(report: ClusterReport): TerminalString {
  const head: string[] = ['# NTP remediation checklist: cluster', ''];
  for (const n of report.nodes) if (n.status !== 'ok') head.push(`- ${n.status}: \`${n.name}\` (${n.from}): ${n.error ?? ''}`);
  if (report.findings.length) {
    head.push('Cluster findings, most likely root cause first (fix these nodes first; the others may then need nothing):', '');
    report.findings.forEach((f, i) => {
      head.push(`${i + 1}. ${f.severity}: ${f.title} (\`${f.rule}\`; nodes: ${f.nodes.join(', ')}${f.cause ? `; fix on ${f.cause.node}` : ''})`);
    });
    head.push('');
  }
  const causes = new Set(report.findings.flatMap((f) => (f.cause ? [f.cause.node] : [])));
  const ordered = [...report.nodes.filter((n) => causes.has(n.name)), ...report.nodes.filter((n) => !causes.has(n.name))];
  // One text at the end: the nodes' checklists are terminal-safe already (toTerminal leaves safe text as it is).
  const lines: string[] = [...head];
  for (const n of ordered) {
    if (!n.report) continue;
    // One level down (the node's `# title` becomes `## node`, its hosts `###`); headings are the only lines that
    // begin with '#' there: commands sit indented in fenced blocks.
    // Findings a cluster finding explains are that node's symptoms of another node's fault: left out, named.
    const own = n.report.findings.filter((f) => causes.has(n.name) || explainedBy(report, n.name, f) === undefined);
    const folded = n.report.findings.length - own.length;
    const sub: Report = { ...n.report, findings: own };
    const text = renderChecklist(sub, `${n.name}${causes.has(n.name) ? ' (root cause for other nodes)' : ''}`);
    lines.push(...text.replace(/\n$/, '').split('\n').map((l) => l.replace(/^(#+) /, '#$1 ')));
    if (folded) lines.push(`(${folded} more finding${folded === 1 ? '' : 's'} on ${n.name} left out: explained by the cluster findings above)`, '');
  }
  return toTerminal(lines);
}
