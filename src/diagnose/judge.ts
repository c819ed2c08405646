/**
 * The one place observations become a report: the rules run over what a run gathered (src/run/), findings are
 * ranked and folded, and the report lists the inputs and a bounded sample of exchanges. The rule list is an
 * argument: only src/run/ and src/cli/ choose it (docs/architecture.md, "Layers").
 */
import type { NtpExchange } from '../model/exchange.js';
import type { Observation } from '../model/observation.js';
import type { ReportInput } from '../model/report-input.js';
import { runRules } from './engine.js';
import { buildReport, mergeFindings } from './report.js';
import type { Finding, Report, Rule } from './types.js';

/** Observations judged on their own (one capture file: frame numbers are per file), named in merged evidence. */
export interface ObservationGroup {
  label: string;
  observations: readonly Observation[];
}

export interface JudgeOptions {
  /** Exchanges the inputs had in all, when `exchanges` is their bounded sample (default: as many as given). */
  exchangesTotal?: number;
  /**
   * Fold findings of one rule on one subject into one, evidence joined: two sources in one run (a capture beside
   * the probes) can see the same fault on the same server. Groups are always folded.
   */
  foldSameSubject?: boolean;
}

/**
 * Observations → findings → report. `observations` is one body of evidence, or `{ groups }`: each group judged on
 * its own, its evidence prefixed with its label when there are several, then the findings merged into one list.
 */
export function judge(
  observations: readonly Observation[] | { groups: readonly ObservationGroup[] },
  inputs: ReportInput[],
  exchanges: readonly NtpExchange[],
  rules: readonly Rule[],
  options: JudgeOptions = {},
): Report {
  let findings: Finding[];
  // Every observation judged, for the report's per-server summary (counted over all exchanges, not the sample).
  const all = 'groups' in observations ? allOf(observations.groups) : observations;
  if ('groups' in observations) {
    const { groups } = observations;
    findings = mergeFindings(
      groups.map((g) => {
        const list = runRules(rules, g.observations);
        if (groups.length > 1) for (const f of list) for (const e of f.evidence) e.text = `${g.label}: ${e.text}`;
        return list;
      }),
    );
  } else {
    findings = runRules(rules, observations);
    if (options.foldSameSubject) findings = mergeFindings([findings]);
  }
  return buildReport({ findings, exchanges, inputs, observations: all, ...(options.exchangesTotal !== undefined ? { exchangesTotal: options.exchangesTotal } : {}) });
}

/** The groups' observations in one list: the one group's own list when there is one (100 k paths: no copy at all). */
function allOf(groups: readonly ObservationGroup[]): readonly Observation[] {
  if (groups.length === 1) return groups[0]!.observations;
  const all: Observation[] = [];
  for (const g of groups) for (const o of g.observations) all.push(o);
  return all;
}
