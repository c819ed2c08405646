/**
 * What the text report adds for suppressions: each suppressed finding on one line (never silently dropped), each
 * suppression that was ignored (no reason, unknown rule, chrony trailing comment) and each that silenced nothing.
 */
import { toTerminal, type TerminalString } from '../render/terminal.js';
import type { LintResult } from './apply.js';

export function renderSuppressionText(result: LintResult): TerminalString {
  const out: string[] = [];
  const suppressed = result.report.suppressed ?? [];
  if (suppressed.length) {
    out.push('', `Suppressed (${suppressed.length}):`);
    for (const { finding: f, by } of suppressed) {
      out.push(`  - [${f.severity}] ${f.rule}: ${f.title} — by ${by.file}:${by.line} (${by.scope === 'file' ? 'whole file' : `line ${String(by.appliesTo)}`}): ${by.reason}`);
    }
  }
  const unused = result.suppressions.filter((s) => s.used === 0);
  if (result.bad.length || unused.length) out.push('');
  for (const b of result.bad) out.push(`suppression ignored at ${b.file}:${b.line}: ${b.problem}`);
  for (const s of unused) out.push(`unused suppression at ${s.file}:${s.line}: ignore ${s.rules.join(',')} silenced nothing`);
  return toTerminal(out);
}
