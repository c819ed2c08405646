/**
 * `lint --format gcc`: one line per finding, `FILE:LINE:COL: SEVERITY: MESSAGE [RULE]`, as gcc, ShellCheck
 * (`-f gcc`) and hadolint print them, so that editors (vim's errorformat, Emacs compile-mode) and CI annotators
 * jump to the line. Severity words are gcc's: error, warning, note (for info). A finding about the whole file
 * (a directive that is missing) points at line 1, column 1. Suppressed findings are not printed (that is what a
 * suppression asks), but a suppression that is wrong or silenced nothing is: a `note` naming it.
 */
import type { Severity } from '../diagnose/types.js';
import { toTerminal, type TerminalString } from '../render/terminal.js';
import type { LintResult } from './apply.js';
import { placeOf } from './location.js';

const GCC_SEVERITY: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'note' };

/** Config findings' titles begin with `FILE:LINE: ` or `FILE: `; the gcc line already says where. */
function withoutPlace(title: string, file: string): string {
  if (!title.startsWith(`${file}:`)) return title;
  return title.slice(file.length + 1).replace(/^\d+:/, '').trimStart();
}

export function renderGcc(result: LintResult, mainFile: string): TerminalString {
  const readFiles = [...result.lines.keys()];
  const out: string[] = [];
  for (const f of result.report.findings) {
    const p = placeOf(f, mainFile, readFiles, result.lines);
    out.push(`${p.file}:${p.line ?? 1}:${p.column ?? 1}: ${GCC_SEVERITY[f.severity]}: ${withoutPlace(f.title, p.file)} [${f.rule}]`);
  }
  for (const b of result.bad) out.push(`${b.file}:${b.line}:1: warning: suppression ignored: ${b.problem} [ntpdoctor-suppression]`);
  for (const s of result.suppressions) {
    if (s.used === 0) out.push(`${s.file}:${s.line}:1: note: unused suppression: ignore ${s.rules.join(',')} silenced nothing [ntpdoctor-suppression]`);
  }
  return toTerminal(out);
}
