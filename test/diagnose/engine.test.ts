import { describe, expect, it } from 'vitest';
import { defineRule } from '../../src/diagnose/define.js';
import { runRules } from '../../src/diagnose/engine.js';
import { mergeFindings, exitStatus, buildReport, REPORT_EXCHANGES } from '../../src/diagnose/report.js';
import type { Finding, Rule } from '../../src/diagnose/types.js';
import type { Observation } from '../../src/model/observation.js';

const input = (file: string): Observation => ({
  kind: 'input',
  source: 'capture',
  file,
  frames: 1,
  ntpFrames: 1,
  decodeIssues: { count: 0, frames: [] },
});

function rule(id: string, priority: number, severity: 'error' | 'warning' | 'info', explains?: string[]): Rule {
  return defineRule({
    meta: { id, summary: id, severity, confidence: 0.5, priority, why: 'w', references: [], ...(explains ? { explains } : {}) },
    match: (ctx) =>
      ctx.of('input').map((o) => ({
        subject: o.file,
        title: `${id} on ${o.file}`,
        evidence: [],
        fixes: [
          { rank: 2, platform: 'generic', title: 'b', commands: [], verify: 'v' },
          { rank: 1, platform: 'generic', title: 'a', commands: [], verify: 'v' },
        ],
      })),
  });
}

describe('runRules', () => {
  it('orders by severity, then priority, and sorts fixes by rank', () => {
    const findings = runRules([rule('late', 50, 'error'), rule('info', 1, 'info'), rule('early', 10, 'error')], [input('a')]);
    expect(findings.map((f) => f.rule)).toEqual(['early', 'late', 'info']);
    expect(findings[0]!.fixes.map((f) => f.rank)).toEqual([1, 2]);
  });

  it('breaks the last tie by subject in code-unit order, whatever the locale (not localeCompare)', () => {
    // ICU collation puts 'a' before 'B' and '_' before 'a'; code units say 'B' (0x42) < '_' (0x5f) < 'a' (0x61).
    const findings = runRules([rule('same', 10, 'error')], [input('a'), input('_'), input('B')]);
    expect(findings.map((f) => f.subject)).toEqual(['B', '_', 'a']);
  });

  it('then by rule id: the order does not depend on the order of the rule list (rules/wire.ts is a part of it)', () => {
    const a = runRules([rule('zeta', 10, 'error'), rule('alpha', 10, 'error')], [input('a')]);
    const b = runRules([rule('alpha', 10, 'error'), rule('zeta', 10, 'error')], [input('a')]);
    expect(a.map((f) => f.rule)).toEqual(['alpha', 'zeta']);
    expect(b).toEqual(a);
  });

  it('folds a finding explained by another on the same subject, and only there', () => {
    const rules = [rule('symptom', 30, 'error'), rule('cause', 10, 'error', ['symptom'])];
    const same = runRules(rules, [input('a')]);
    expect(same.map((f) => f.rule)).toEqual(['cause']);
    expect(same[0]!.explains).toEqual(['symptom']);
    const onlySymptom = runRules([rule('symptom', 30, 'error')], [input('a')]);
    expect(onlySymptom.map((f) => f.rule)).toEqual(['symptom']);
    const two = runRules(rules, [input('a'), input('b')]);
    expect(two.filter((f) => f.rule === 'symptom')).toHaveLength(0);
    expect(two.filter((f) => f.rule === 'cause')).toHaveLength(2);
  });

  it('drops an explains list that folded nothing', () => {
    const [f] = runRules([rule('cause', 10, 'error', ['symptom'])], [input('a')]);
    expect(f!.explains).toBeUndefined();
  });
});

describe('report', () => {
  const f = (rule: string, subject: string, severity: Finding['severity']): Finding => ({
    rule, subject, severity, confidence: 0.5, title: rule, evidence: [{ text: `${rule} ${subject}` }], fixes: [],
  });

  it('merges the same rule and subject across inputs, keeping both evidences', () => {
    const merged = mergeFindings([[f('a', 'h', 'warning'), f('b', 'h', 'info')], [f('a', 'h', 'error'), f('c', 'x', 'error')]]);
    expect(merged.map((m) => m.rule)).toEqual(['a', 'c', 'b']);
    expect(merged[0]!.severity).toBe('error');
    expect(merged[0]!.evidence).toHaveLength(2);
  });

  it('exit status is 1 only for warning or worse', () => {
    expect(exitStatus(buildReport({ findings: [f('a', 'h', 'info')] }))).toBe(0);
    expect(exitStatus(buildReport({ findings: [f('a', 'h', 'warning')] }))).toBe(1);
    expect(exitStatus(buildReport({ findings: [] }))).toBe(0);
  });

  it('bounds the exchanges it lists and counts the rest', () => {
    const x = { client: { ip: 'a', port: 1 }, server: { ip: 'b', port: 123 }, requestFrame: 1, requestTime: 0, requestVersion: 4, requestMode: 3, requestTransmit: { seconds: 0, fraction: 0 }, outcome: 'none' as const };
    const r = buildReport({ findings: [], exchanges: Array.from({ length: REPORT_EXCHANGES + 5 }, () => x) });
    expect(r.exchanges).toHaveLength(REPORT_EXCHANGES);
    expect(r.exchangesOmitted).toBe(5);
  });
});
