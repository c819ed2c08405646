/**
 * Lint's suppressions applied to a report: the config files it read are read again (bounded, regular files only,
 * as the loader reads them) for their `# ntpdoctor: ignore` comments. The lines are kept for the output formats
 * (gcc's column is the directive's first non-blank character).
 */
import type { Report } from '../diagnose/types.js';
import { DEFAULT_LIMITS, readRegularFile, reasonOf } from '../inspect/config/read.js';
import type { BadSuppression, Suppression } from '../model/report-input.js';
import { applySuppressions, scanSuppressions, type CommentStyle, type SuppressedFinding } from './suppress.js';

export type LintReport = Report & { suppressed?: SuppressedFinding[] };

export interface LintResult {
  report: LintReport;
  /** Each file's lines, for columns. */
  lines: Map<string, string[]>;
  suppressions: Suppression[];
  bad: BadSuppression[];
}

export async function lintSuppressions(report: Report, mainFile: string, known: ReadonlySet<string>): Promise<LintResult> {
  const input = report.inputs.find((i) => i.kind === 'config');
  const style: CommentStyle = input?.flavor === 'chrony' ? 'chrony' : 'ntpd';
  const files = Array.isArray(input?.files) ? (input.files as unknown[]).filter((f): f is string => typeof f === 'string') : [mainFile];
  const lines = new Map<string, string[]>();
  const suppressions: Suppression[] = [];
  const bad: BadSuppression[] = [];
  for (const file of files.slice(0, DEFAULT_LIMITS.files)) {
    let text: string;
    try {
      text = (await readRegularFile(file, DEFAULT_LIMITS.fileBytes)).text;
    } catch (err) {
      // The loader read it a moment ago; gone or changed since: its suppressions cannot be known, and that is said.
      bad.push({ file, line: 1, text: '', problem: `could not read it again for suppressions: ${reasonOf(err)}` });
      continue;
    }
    lines.set(file, text.split(/\r?\n/));
    const found = scanSuppressions(text, file, style, known);
    suppressions.push(...found.ok);
    bad.push(...found.bad);
  }
  const applied: LintReport = applySuppressions(report, suppressions, mainFile);
  if (input && (suppressions.length || bad.length)) {
    const copy = { ...input };
    if (suppressions.length) copy.suppressions = suppressions;
    if (bad.length) copy.badSuppressions = bad;
    applied.inputs = report.inputs.map((i) => (i === input ? copy : i));
  }
  return { report: applied, lines, suppressions, bad };
}
