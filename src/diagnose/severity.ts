import type { Severity } from './types.js';

/** Severities, worst first: the one order findings are ranked and merged by (engine.ts, report.ts). */
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

/** Rank of a severity in SEVERITIES: lower is worse. */
export const SEVERITY_ORDER: Readonly<Record<Severity, number>> = { error: 0, warning: 1, info: 2 };
