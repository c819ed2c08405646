import type { Finding, Fix, Report } from '../diagnose/types.js';
import { type Omission, planSteps } from './checklist-plan.js';
import { toTerminal, type TerminalString } from './terminal.js';

/**
 * The remediation checklist (Markdown), the same text `ntpdoctor checklist` prints and the TUI's `w` writes.
 * Grouped by host (finding subject), hosts in the order of their most important finding and findings in the
 * report's ranking (most likely root cause first, numbered by that rank). Each finding that needs work is one
 * `- [ ]` step: its first-ranked fix with the exact commands, then a `- [ ] verify:` box; the other ranked
 * fixes follow as alternatives for other platforms (apply one, not all). Informational findings with nothing
 * to do are listed at the end as notes. Followed top to bottom, the steps never edit one config line twice nor add a
 * directive twice (checklist-plan.ts): a command another step makes redundant is left out, and the step says so.
 */
export function renderChecklist(report: Report, title = 'NTP remediation checklist'): TerminalString {
  // Printed and written to a file someone will `cat`: every line through the terminal sanitizer.
  return toTerminal(checklistLines(report, title));
}

function checklistLines(report: Report, title: string): string[] {
  const out: string[] = [`# ${title}`, ''];
  for (const input of report.inputs) {
    const taken = 'firstFrameTime' in input && input.firstFrameTime !== undefined ? `, taken ${input.firstFrameTime} to ${String(input.lastFrameTime)} (UTC)` : '';
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
    const ordered = [...hosts.values()].flat();
    const omissions = planSteps(
      ordered.map((f) => f.fixes[0]),
      ordered.map((_, i) => i + 1),
    );
    let step = 0;
    for (const [host, findings] of hosts) {
      out.push(`## ${host}`, '');
      for (const f of findings) {
        out.push(...renderStep(f, rank.get(f) ?? 0, step + 1, omissions[step] ?? []));
        step++;
      }
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

function renderStep(f: Finding, rank: number, step: number, omitted: readonly Omission[]): string[] {
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
  const left = new Set(omitted.map((o) => o.command));
  out.push(`- [ ] Step ${step}. [${first.platform}] ${first.title}`, ...howTo(first, '  ', left));
  for (const o of omitted) out.push(`  - Left out: ${o.reason}.`);
  out.push(...verifyLines(first, '  ', '- [ ] '));
  if (alternatives.length) {
    out.push(`  - Not ${first.platform} there? Instead of step ${step}, the fix for the platform it runs:`);
    for (const fix of alternatives) out.push(...alternative(fix));
  }
  out.push('');
  return out;
}

function alternative(fix: Fix): string[] {
  return [`    - [${fix.platform}] ${fix.title}`, ...howTo(fix, '      ', new Set()), ...verifyLines(fix, '      ', '')];
}

/** The commands (an `sh` block), then the plain-language steps that stand in for those that could not be printed. */
function howTo(fix: Fix, indent: string, omitted: ReadonlySet<number>): string[] {
  const manual = (fix.manual ?? []).map((m) => `${indent}- ${m}`);
  return [
    ...commandBlock(
      fix.commands.filter((_, i) => !omitted.has(i)),
      indent,
    ),
    ...manual,
  ];
}

/** The verify box: the command alone in code, what it should show after it. */
function verifyLines(fix: Fix, indent: string, box: string): string[] {
  if (fix.verify === '') return fix.expect ? [`${indent}${box}verify by hand; expect: ${fix.expect}`] : [];
  return [`${indent}${box}verify: ${code(fix.verify)}${fix.expect ? ` — expect: ${fix.expect}` : ''}`];
}

/** An inline code span that survives backticks in the text (CommonMark: a longer fence, padded). */
function code(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  if (longest === 0) return `\`${text}\``;
  const fence = '`'.repeat(longest + 1);
  return `${fence} ${text} ${fence}`;
}
