import type { Report } from '../diagnose/types.js';

/** Exactly one JSON document (DESIGN.md `--json` contract). */
export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
