import type { Severity } from './types.js';

/** Severities, worst first: the one order findings are ranked and merged by (engine.ts, report.ts). */
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

/** Rank of a severity in SEVERITIES: lower is worse. */
export const SEVERITY_ORDER: Readonly<Record<Severity, number>> = { error: 0, warning: 1, info: 2 };

/**
 * Text order by UTF-16 code units, the same on every machine: the last tie-break of findings (by subject). Not
 * localeCompare, whose order follows the user's locale (a report sorted otherwise under another LANG) and whose first
 * call builds an ICU collator: 12 ms of every run, measured.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
