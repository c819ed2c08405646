import type { NtpExchange } from '../correlate/types.js';
import type { Finding, Report, ReportInput, Severity } from './types.js';

/** Exchanges listed in a report at most; the rest are counted in `exchangesOmitted`. */
export const REPORT_EXCHANGES = 200;

export function buildReport(input: {
  findings: Finding[];
  exchanges?: readonly NtpExchange[];
  inputs?: ReportInput[];
}): Report {
  const exchanges = input.exchanges ?? [];
  const report: Report = {
    schema: 'ntpdoctor.report/1',
    findings: input.findings,
    exchanges: exchanges.slice(0, REPORT_EXCHANGES),
    inputs: input.inputs ?? [],
  };
  if (exchanges.length > REPORT_EXCHANGES) report.exchangesOmitted = exchanges.length - REPORT_EXCHANGES;
  return report;
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/**
 * Merges findings from several inputs (one capture per run of the rules): findings already come ranked per input;
 * the same rule on the same subject from two inputs becomes one finding with both inputs' evidence.
 */
export function mergeFindings(lists: Finding[][]): Finding[] {
  const merged: Array<{ f: Finding; order: number }> = [];
  const byKey = new Map<string, Finding>();
  for (const list of lists) {
    list.forEach((f, i) => {
      const key = `${f.rule}\u0000${f.subject}`;
      const prev = byKey.get(key);
      if (prev) {
        prev.evidence.push(...f.evidence);
        prev.confidence = Math.max(prev.confidence, f.confidence);
        if (RANK[f.severity] < RANK[prev.severity]) prev.severity = f.severity;
        return;
      }
      const copy = { ...f, evidence: [...f.evidence] };
      byKey.set(key, copy);
      merged.push({ f: copy, order: i });
    });
  }
  return merged
    .sort((a, b) => RANK[a.f.severity] - RANK[b.f.severity] || a.order - b.order)
    .map((m) => m.f);
}

/** DESIGN.md: exit 1 when any finding is at warning or worse, else 0. */
export function exitStatus(report: Report): number {
  return report.findings.some((f) => f.severity === 'error' || f.severity === 'warning') ? 1 : 0;
}
