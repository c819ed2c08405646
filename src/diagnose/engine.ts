import type { Observation, ObservationKind, ObservationOf } from '../model/observation.js';
import { compareText, SEVERITY_ORDER } from './severity.js';
import { ruleHelp } from './help.js';
import type { Finding, Rule, RuleContext } from './types.js';

export function makeContext(observations: readonly Observation[]): RuleContext {
  const byKind = new Map<ObservationKind, Observation[]>();
  for (const o of observations) {
    const list = byKind.get(o.kind);
    if (list) list.push(o);
    else byKind.set(o.kind, [o]);
  }
  return {
    all: observations,
    of<K extends ObservationKind>(kind: K): ObservationOf<K>[] {
      return (byKind.get(kind) ?? []) as ObservationOf<K>[];
    },
  };
}

/**
 * Runs every rule over the observations and returns the findings, most likely root cause first.
 * The rule list is an argument: the engine never imports rules/ (dependencies point one way).
 */
export function runRules(rules: readonly Rule[], observations: readonly Observation[]): Finding[] {
  const ctx = makeContext(observations);
  const findings: Array<Finding & { priority: number }> = [];
  for (const rule of rules) {
    const { meta } = rule;
    for (const hit of rule.match(ctx)) {
      const finding: Finding & { priority: number } = {
        rule: meta.id,
        severity: hit.severity ?? meta.severity,
        confidence: hit.confidence ?? meta.confidence,
        title: hit.title,
        subject: hit.subject,
        evidence: hit.evidence,
        fixes: [...hit.fixes].sort((a, b) => a.rank - b.rank),
        why: meta.why,
        references: meta.references,
        help: ruleHelp(meta.id),
        priority: meta.priority,
      };
      if (meta.explains?.length) finding.explains = [...meta.explains];
      if (hit.reason !== undefined) finding.reason = hit.reason;
      findings.push(finding);
    }
  }
  return foldExplained(findings)
    .sort(
      (a, b) =>
        SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
        a.priority - b.priority ||
        b.confidence - a.confidence ||
        compareText(a.subject, b.subject) ||
        // Then the rule id: the order does not depend on how the rule list was put together (rules/wire.ts).
        compareText(a.rule, b.rule),
    )
    .map(({ priority: _p, ...f }) => f);
}

/** A finding that explains another on the same subject absorbs it: one root cause, not two competing ones. */
function foldExplained<F extends Finding>(findings: F[]): F[] {
  const explained = new Set<string>();
  for (const f of findings) {
    for (const id of f.explains ?? []) explained.add(`${id}\u0000${f.subject}`);
  }
  const kept = findings.filter((f) => !explained.has(`${f.rule}\u0000${f.subject}`));
  // Keep only the explains entries that really folded something, so the report says what it absorbed.
  for (const f of kept) {
    if (!f.explains) continue;
    const folded = f.explains.filter((id) => findings.some((g) => g.rule === id && g.subject === f.subject));
    if (folded.length) f.explains = folded;
    else delete f.explains;
  }
  return kept;
}
