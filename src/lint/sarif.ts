/**
 * `lint --format sarif`: SARIF 2.1.0 (OASIS), what GitHub code scanning and other CI viewers read. One run, the
 * tool's rules with their summary, rationale and page, one result per finding with its location (a directive's
 * line and column, or the file alone for a finding about the whole file). Suppressed findings stay as results
 * with `suppressions: [{ kind: 'inSource', justification }]` — SARIF's own way of saying "silenced in the
 * source, with this reason" — and ignored suppressions are tool notifications.
 */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Finding, RuleMeta, Severity } from '../diagnose/types.js';
import { PACKAGE_VERSION, repositoryUrl, ruleHelp, rulePagePath } from '../diagnose/help.js';
import type { LintResult } from './apply.js';
import { placeOf, type Place } from './location.js';
import type { Suppression } from '../model/report-input.js';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

/** A file name as a SARIF artifact URI: absolute → file: URL; relative → its segments percent-encoded. */
export function artifactUri(file: string): string {
  if (isAbsolute(file)) return pathToFileURL(file).href;
  return file.split('/').map(encodeURIComponent).join('/');
}

function location(p: Place) {
  const physicalLocation: Record<string, unknown> = { artifactLocation: { uri: artifactUri(p.file) } };
  if (p.line !== undefined) physicalLocation.region = { startLine: p.line, startColumn: p.column ?? 1 };
  return { physicalLocation };
}

function ruleDescriptor(meta: RuleMeta) {
  const help = ruleHelp(meta.id);
  const d: Record<string, unknown> = {
    id: meta.id,
    shortDescription: { text: meta.summary },
    fullDescription: { text: meta.why },
    help: { text: `${meta.summary}. See ${rulePagePath(meta.id)} or run: ntpdoctor explain ${meta.id}` },
    defaultConfiguration: { level: LEVEL[meta.severity] },
    properties: { references: meta.references },
  };
  // helpUri must be an absolute URI: only when package.json names the repository.
  if (/^https:\/\//.test(help)) d.helpUri = help;
  return d;
}

function result(f: Finding, place: Place, ruleIndex: number, by?: Suppression) {
  const r: Record<string, unknown> = {
    ruleId: f.rule,
    level: LEVEL[f.severity],
    message: { text: f.title },
    locations: [location(place)],
    properties: {
      subject: f.subject,
      confidence: f.confidence,
      evidence: f.evidence.map((e) => e.text),
      fixes: f.fixes.map((x) => ({ rank: x.rank, platform: x.platform, title: x.title, commands: x.commands, verify: x.verify })),
    },
  };
  if (ruleIndex >= 0) r.ruleIndex = ruleIndex;
  if (by) {
    r.suppressions = [
      {
        kind: 'inSource',
        justification: by.reason,
        location: location({ file: by.file, line: by.line, column: 1 }),
      },
    ];
  }
  return r;
}

/** The SARIF log for one lint run. `rules` are every registered rule, so that rule indexes are stable. */
export function buildSarif(lint: LintResult, mainFile: string, rules: readonly RuleMeta[]) {
  const readFiles = [...lint.lines.keys()];
  const index = new Map(rules.map((m, i) => [m.id, i]));
  const results = [
    ...lint.report.findings.map((f) => result(f, placeOf(f, mainFile, readFiles, lint.lines), index.get(f.rule) ?? -1)),
    ...(lint.report.suppressed ?? []).map(({ finding: f, by }) => result(f, placeOf(f, mainFile, readFiles, lint.lines), index.get(f.rule) ?? -1, by)),
  ];
  const notifications = [
    ...lint.bad.map((b) => ({ level: 'warning', message: { text: `suppression ignored: ${b.problem}` }, locations: [location({ file: b.file, line: b.line, column: 1 })] })),
    ...lint.suppressions
      .filter((s) => s.used === 0)
      .map((s) => ({ level: 'note', message: { text: `unused suppression: ignore ${s.rules.join(',')} silenced nothing` }, locations: [location({ file: s.file, line: s.line, column: 1 })] })),
  ];
  const driver: Record<string, unknown> = { name: 'ntpdoctor', version: PACKAGE_VERSION, rules: rules.map(ruleDescriptor) };
  const repo = repositoryUrl();
  if (repo) driver.informationUri = repo;
  const invocation: Record<string, unknown> = { executionSuccessful: true };
  if (notifications.length) invocation.toolExecutionNotifications = notifications;
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{ tool: { driver }, invocations: [invocation], results }],
  };
}
