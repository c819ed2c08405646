/**
 * Suppressions in a config file, as ShellCheck's `# shellcheck disable=SC2086` and hadolint's inline ignores:
 *
 *     # ntpdoctor: ignore RULE-ID[,RULE-ID...] -- reason
 *
 * - On its own line, it silences those rules' findings on the next directive.
 * - At the top of the file (before the first directive) and followed by a blank line, it silences them in the
 *   whole file (findings anywhere in it, and findings about the file that point at no line).
 * - After a directive on the same line (ntpd only), it silences that line. chronyd reads a comment only when
 *   `#`, `!`, `;` or `%` opens the line (chrony.conf(5); CPS_NormalizeLine): after a directive the words would be
 *   arguments and chronyd would refuse the line, so there it is an error, not a suppression.
 * The reason is required: a suppression without one, or naming a rule that does not exist, silences nothing and is
 * listed as a problem. Suppressed findings stay in the report (`suppressed`), never silently dropped; a
 * suppression that silenced nothing is listed as unused.
 */
import type { Finding, Report } from '../diagnose/types.js';
import type { BadSuppression, Suppression } from '../model/report-input.js';

import { suggest } from '../docs/suggest.js';

export type CommentStyle = 'ntpd' | 'chrony';

export interface SuppressedFinding {
  finding: Finding;
  by: Suppression;
}

/** More than this many in one file is not a config anyone writes; the rest are not read (and said so). */
export const MAX_SUPPRESSIONS_PER_FILE = 1000;
/** A comment longer than this is not a suppression: shown cut in the problem list. */
const MAX_COMMENT = 500;

const MARKER = /^#\s*ntpdoctor\s*:/i;
const FORM = '# ntpdoctor: ignore RULE-ID -- reason';

/** Where a line's comment starts (index of `#`), or -1. ntpd ends a line at an unquoted `#` anywhere (ntp.conf(5)). */
function commentStart(raw: string, style: CommentStyle): { at: number; directiveBefore: boolean } {
  if (style === 'chrony') {
    const t = raw.trimStart();
    if (t !== '' && '!;#%'.includes(t[0] as string)) return { at: raw.length - t.length, directiveBefore: false };
    // Not a comment to chronyd; a `# ntpdoctor:` later in the line is reported (see below).
    const at = raw.indexOf('#');
    return { at, directiveBefore: at > 0 };
  }
  let quoted = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '"') quoted = !quoted;
    else if (c === '#' && !quoted) return { at: i, directiveBefore: raw.slice(0, i).trim() !== '' };
  }
  return { at: -1, directiveBefore: false };
}

function isDirective(raw: string, style: CommentStyle): boolean {
  if (style === 'chrony') {
    const t = raw.trimStart();
    return t !== '' && !'!;#%'.includes(t[0] as string);
  }
  const { at } = commentStart(raw, style);
  return (at >= 0 ? raw.slice(0, at) : raw).trim() !== '';
}

type Parsed = { ok: true; rules: string[]; reason: string } | { ok: false; problem: string };

/** `ntpdoctor: ignore a,b -- why` → the ids and the reason, or what is wrong with it. */
export function parseSuppression(comment: string, known: ReadonlySet<string>): Parsed {
  const body = comment.replace(MARKER, '').trim();
  const m = /^ignore(?:\s+(.*))?$/is.exec(body);
  if (!m) return { ok: false, problem: `not a suppression: write ${FORM}` };
  const rest = m[1] ?? '';
  const sep = rest.search(/(^|\s)--(\s|$)/);
  const idsText = sep < 0 ? rest : rest.slice(0, sep);
  const reason = sep < 0 ? '' : rest.slice(sep).replace(/^\s*--/, '').trim();
  const rules = idsText.split(/[\s,]+/).filter(Boolean);
  if (rules.length === 0) return { ok: false, problem: `no rule id: write ${FORM}` };
  if (reason === '') return { ok: false, problem: `a reason is required after ' -- ': write ${FORM}` };
  const unknown = rules.filter((r) => !known.has(r));
  if (unknown.length) {
    const close = suggest(unknown[0] as string, [...known]);
    const hint = close.length ? `did you mean ${close.join(', ')}? ` : '';
    return { ok: false, problem: `unknown rule ${unknown.map((u) => `'${u}'`).join(', ')} (${hint}ntpdoctor explain lists the rules)` };
  }
  return { ok: true, rules: [...new Set(rules)], reason };
}

/** Every suppression comment in one file's text. */
export function scanSuppressions(text: string, file: string, style: CommentStyle, known: ReadonlySet<string>): { ok: Suppression[]; bad: BadSuppression[] } {
  const ok: Suppression[] = [];
  const bad: BadSuppression[] = [];
  const lines = text.split(/\r?\n/);
  const directive = lines.map((l) => isDirective(l, style));
  const firstDirective = directive.indexOf(true);
  // The next directive after each line, in one backward pass: a file of many suppressions stays linear.
  const nextDirective = new Int32Array(lines.length + 1).fill(-1);
  for (let i = lines.length - 1; i >= 0; i--) nextDirective[i] = directive[i + 1] ? i + 1 : (nextDirective[i + 1] as number);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as string;
    if (!raw.includes('#')) continue;
    const { at, directiveBefore } = commentStart(raw, style);
    if (at < 0) continue;
    const comment = raw.slice(at);
    if (!MARKER.test(comment)) continue;
    if (ok.length + bad.length >= MAX_SUPPRESSIONS_PER_FILE) {
      bad.push({ file, line: i + 1, text: '', problem: `more than ${MAX_SUPPRESSIONS_PER_FILE} suppressions in one file: the rest are not read` });
      break;
    }
    const shown = comment.length > MAX_COMMENT ? `${comment.slice(0, MAX_COMMENT)}…` : comment;
    if (style === 'chrony' && directiveBefore) {
      bad.push({ file, line: i + 1, text: shown, problem: 'chronyd reads a comment only at the start of a line (this one would be taken as arguments and the line refused): put the suppression on the line above' });
      continue;
    }
    const parsed = parseSuppression(comment, known);
    if (!parsed.ok) {
      bad.push({ file, line: i + 1, text: shown, problem: parsed.problem });
      continue;
    }
    const base = { file, line: i + 1, rules: parsed.rules, reason: parsed.reason, used: 0 };
    if (directiveBefore) {
      ok.push({ ...base, scope: 'line', appliesTo: i + 1 });
      continue;
    }
    const next = nextDirective[i] as number;
    const inHeader = firstDirective < 0 || i < firstDirective;
    // The file's leading comments: a suppression set apart from the first directive by a blank line covers the file.
    const blankBetween = inHeader && (next < 0 || lines.slice(i + 1, next).some((l) => l.trim() === ''));
    if (inHeader && blankBetween) ok.push({ ...base, scope: 'file' });
    else if (next >= 0) ok.push({ ...base, scope: 'line', appliesTo: next + 1 });
    else bad.push({ file, line: i + 1, text: shown, problem: 'no directive follows it: nothing to silence (at the top of the file, followed by a blank line, it covers the whole file)' });
  }
  return { ok, bad };
}

/**
 * The report with the findings that suppressions cover moved to `suppressed`. A finding is covered when one of its
 * rule's suppressions is file-wide in a file the finding points at (or about, for a finding that points at no line),
 * or is on a line one of its evidences cites. `mainFile` is the file lint was given: a finding that names no file
 * at all is about it.
 */
export function applySuppressions(report: Report, suppressions: readonly Suppression[], mainFile: string): Report & { suppressed?: SuppressedFinding[] } {
  if (suppressions.length === 0) return report;
  const findings: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  for (const f of report.findings) {
    const places = f.evidence.filter((e) => e.file !== undefined).map((e) => ({ file: e.file as string, line: e.line }));
    const files = new Set(places.map((p) => p.file));
    if (files.size === 0) files.add(f.subject === mainFile || report.inputs.some((i) => i.kind === 'config' && i.files.includes(f.subject)) ? f.subject : mainFile);
    const by = suppressions.find(
      (s) =>
        s.rules.includes(f.rule) &&
        (s.scope === 'file' ? files.has(s.file) : places.some((p) => p.file === s.file && p.line === s.appliesTo)),
    );
    if (by) {
      by.used++;
      suppressed.push({ finding: f, by });
    } else findings.push(f);
  }
  return suppressed.length ? { ...report, findings, suppressed } : report;
}
