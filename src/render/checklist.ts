import type { Finding, Fix, Report } from '../diagnose/types.js';
import { toTerminal, type TerminalString } from './terminal.js';

/**
 * The remediation checklist (Markdown), the same text `ntpdoctor checklist` prints and the TUI's `w` writes.
 * Grouped by host (finding subject), hosts in the order of their most important finding and findings in the
 * report's ranking (most likely root cause first, numbered by that rank). Each finding that needs work is one
 * `- [ ]` step: its first-ranked fix with the exact commands, then a `- [ ] verify:` box; the other ranked
 * fixes follow as alternatives for other platforms (apply one, not all). Informational findings with nothing
 * to do are listed at the end as notes.
 */
export function renderChecklist(report: Report, title = 'NTP remediation checklist'): TerminalString {
  // Printed and written to a file someone will `cat`: every line through the terminal sanitizer.
  return toTerminal(checklistLines(report, title));
}

function checklistLines(report: Report, title: string): string[] {
  const out: string[] = [`# ${title}`, ''];
  for (const input of report.inputs) {
    const taken = typeof input.firstFrameTime === 'string' ? `, taken ${input.firstFrameTime} to ${String(input.lastFrameTime)} (UTC)` : '';
    out.push(`- Input: ${input.kind} \`${input.name}\`${taken}`);
  }
  const rank = new Map<Finding, number>(report.findings.map((f, i) => [f, i + 1]));
  const steps = report.findings.filter(needsWork);
  const notes = report.findings.filter((f) => !needsWork(f));
  if (report.findings.length) out.push(`- Findings: ${countLine(report.findings)}; most likely root cause first`);
  if (report.inputs.length || report.findings.length) out.push('');
  if (steps.length === 0) {
    out.push('Nothing to fix: no findings at warning or error.', '');
  } else {
    out.push('Work from the top: a later step may be a symptom the first one removes. Each step ends with a check that it worked.', '');
    const hosts = new Map<string, Finding[]>();
    for (const f of steps) {
      const list = hosts.get(f.subject);
      if (list) list.push(f);
      else hosts.set(f.subject, [f]);
    }
    let step = 0;
    for (const [host, findings] of hosts) {
      out.push(`## ${host}`, '');
      for (const f of findings) out.push(...renderStep(f, rank.get(f) ?? 0, ++step));
    }
  }
  if (notes.length) {
    out.push('## Notes (nothing to do)', '');
    for (const f of notes) {
      const first = f.evidence[0] ? ` — ${f.evidence[0].text}` : '';
      out.push(`- ${rank.get(f) ?? 0}. ${f.severity}: ${f.title} (\`${f.rule}\`, ${f.subject})${first}`);
    }
    out.push('');
  }
  return out;
}

/** Errors and warnings always; an informational finding only when it comes with a fix. */
function needsWork(f: Finding): boolean {
  return f.severity !== 'info' || f.fixes.length > 0;
}

function countLine(findings: readonly Finding[]): string {
  const n = { error: 0, warning: 0, info: 0 };
  for (const f of findings) n[f.severity]++;
  const parts = (['error', 'warning', 'info'] as const).filter((s) => n[s] > 0).map((s) => `${n[s]} ${s}${n[s] > 1 && s !== 'info' ? 's' : ''}`);
  return `${findings.length} (${parts.join(', ')})`;
}

const EVIDENCE_SHOWN = 3;

function evidenceLines(f: Finding): string[] {
  const out: string[] = [];
  for (const e of f.evidence.slice(0, EVIDENCE_SHOWN)) {
    const noun = e.unit === 'sample' ? 'sample' : 'frame';
    const frames = e.frames?.length ? ` (${noun}${e.frames.length > 1 ? 's' : ''} ${e.frames.join(', ')}${e.total !== undefined && e.total > e.frames.length ? ` … ${e.total} in all` : ''})` : '';
    const file = e.file ? ` (${e.file}${e.line !== undefined ? `:${e.line}` : ''})` : '';
    out.push(`> ${e.text}${frames}${file}`);
  }
  if (f.evidence.length > EVIDENCE_SHOWN) out.push(`> … ${f.evidence.length - EVIDENCE_SHOWN} more (\`--json\` has them all)`);
  return out;
}

function commandBlock(commands: readonly string[], indent: string): string[] {
  if (commands.length === 0) return [];
  return [`${indent}\`\`\`sh`, ...commands.map((c) => `${indent}${c}`), `${indent}\`\`\``];
}

function renderStep(f: Finding, rank: number, step: number): string[] {
  const out = [`### ${rank}. ${f.severity.toUpperCase()}: ${f.title} (\`${f.rule}\`)`, ''];
  const evidence = evidenceLines(f);
  if (evidence.length) out.push(...evidence, '');
  const [first, ...alternatives] = f.fixes;
  if (!first) {
    out.push(`- [ ] Step ${step}. Review: ${f.title}`);
    if (f.why) out.push(`  ${f.why}`);
    out.push('');
    return out;
  }
  out.push(`- [ ] Step ${step}. [${first.platform}] ${first.title}`, ...commandBlock(first.commands, '  '), `  - [ ] verify: \`${first.verify}\``);
  if (alternatives.length) {
    out.push(`  - Not ${first.platform} there? Instead of step ${step}, the fix for the platform it runs:`);
    for (const fix of alternatives) out.push(...alternative(fix));
  }
  out.push('');
  return out;
}

function alternative(fix: Fix): string[] {
  return [`    - [${fix.platform}] ${fix.title}`, ...commandBlock(fix.commands, '      '), `      verify: \`${fix.verify}\``];
}
