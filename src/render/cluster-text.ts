/**
 * The cluster report as text: the nodes (unreachable ones named), the cluster findings ranked with the nodes each
 * explains, then every node's own findings under it, each marked when a cluster finding already explains it.
 */
import type { ClusterFinding, ClusterReport } from '../cluster/types.js';
import { explainedBy } from '../cluster/judge.js';
import type { Severity } from '../diagnose/types.js';
import { formatSeconds } from './format.js';
import { toTerminal, type TerminalOptions, type TerminalString, type TextLine } from './terminal.js';

const LABEL: Record<Severity, string> = { error: 'ERROR', warning: 'WARNING', info: 'info' };

export function renderClusterText(report: ClusterReport, options: TerminalOptions = {}): TerminalString {
  const out: TextLine[] = [];
  const ok = report.nodes.filter((n) => n.status === 'ok').length;
  out.push(`Cluster of ${report.nodes.length} node${report.nodes.length === 1 ? '' : 's'}: ${ok} report${ok === 1 ? '' : 's'}`);
  for (const n of report.nodes) {
    if (n.status !== 'ok') out.push([{ text: `  ${n.status.toUpperCase()}: ${n.name} (${n.from}): ${n.error ?? ''}`, style: 'error' }]);
  }
  out.push('', 'Sync graph (client → server):');
  for (const e of report.graph.edges) {
    const seen = [e.stratum !== undefined ? `stratum ${e.stratum}` : '', e.offset !== undefined ? `offset ${formatSeconds(e.offset)}` : ''].filter(Boolean).join(', ');
    out.push(`  ${e.from} → ${e.to}${e.internal ? '' : ' (outside)'}${e.to !== e.address ? ` [${e.address}]` : ''}: ${e.state}${seen ? `, ${seen}` : ''} (${e.via.join(', ')})`);
  }
  if (!report.graph.edges.length) out.push('  (no sources seen: run diagnose without --no-probe on the nodes)');
  out.push('');
  if (report.findings.length === 0) out.push([{ text: 'No cluster findings: no fault shared between nodes.', style: 'ok' }]);
  else out.push(`${report.findings.length} cluster finding${report.findings.length === 1 ? '' : 's'}, most likely root cause first:`);
  report.findings.forEach((f, i) => out.push('', ...clusterFinding(f, i + 1)));
  out.push('', 'Per node:');
  for (const n of report.nodes) {
    if (!n.report) continue;
    out.push('', `== ${n.name} (${n.from}): ${n.report.findings.length} finding${n.report.findings.length === 1 ? '' : 's'}`);
    n.report.findings.forEach((f, i) => {
      const by = explainedBy(report, n.name, f);
      const cause = by !== undefined && report.findings[by]?.cause?.node === n.name && report.findings[by]?.cause?.rule === f.rule;
      const note = by === undefined ? '' : cause ? ` — the root cause in cluster finding ${by + 1} (fixes there)` : ` — explained by cluster finding ${by + 1}`;
      out.push([{ text: `  ${i + 1}. ` }, { text: `[${LABEL[f.severity]}]`, style: f.severity }, { text: ` ${f.rule}: ${f.title}${note}` }]);
      if (by !== undefined) return;
      const fix = f.fixes[0];
      if (fix) {
        out.push(`     fix [${fix.platform}] ${fix.title}`);
        for (const c of fix.commands) out.push(`          ${c}`);
        for (const s of fix.manual ?? []) out.push(`          - ${s}`);
        if (fix.verify) out.push(`       verify: ${fix.verify}`);
      }
    });
  }
  return toTerminal(out, options);
}

function clusterFinding(f: ClusterFinding, n: number): TextLine[] {
  const out: TextLine[] = [[{ text: `${n}. ` }, { text: `[${LABEL[f.severity]}]`, style: f.severity }, { text: ` ${f.title}` }]];
  out.push(`   rule ${f.rule} · subject ${f.subject} · confidence ${Math.round(f.confidence * 100)}%`);
  out.push(`   Nodes: ${f.nodes.join(', ')}`);
  if (f.cause) out.push(`   Root cause: ${f.cause.node}'s ${f.cause.rule} (${f.cause.subject})`);
  if (f.explained.length) out.push(`   Explains: ${f.explained.map((r) => `${r.node}: ${r.rule}`).join('; ')}`);
  if (f.evidence.length) {
    out.push('   Evidence:');
    for (const e of f.evidence) out.push(`     - ${e.text}${e.file ? ` (${e.file}${e.line !== undefined ? `:${e.line}` : ''})` : ''}`);
  }
  if (f.fixes.length) {
    out.push(`   Fixes${f.cause ? ` (on ${f.cause.node})` : ''}:`);
    for (const fix of f.fixes) {
      out.push(`     ${fix.rank}) [${fix.platform}] ${fix.title}`);
      for (const c of fix.commands) out.push(`          ${c}`);
      for (const s of fix.manual ?? []) out.push(`          - ${s}`);
      if (fix.verify) out.push(`        verify: ${fix.verify}`);
      if (fix.expect) out.push(`        expect: ${fix.expect}`);
    }
  }
  if (f.why) out.push(`   Why: ${f.why}`);
  if (f.references?.length) out.push(`   See: ${f.references.join('; ')}`);
  return out;
}
