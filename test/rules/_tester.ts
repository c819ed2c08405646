/**
 * The rule tester, after ESLint's `RuleTester.run(name, rule, { valid, invalid })`: a rule's triggering and
 * non-triggering cases sit in its own test file, test/rules/<id>.test.ts (packet, probe and capture rules) or
 * test/node/<id>.test.ts (node rules). Example:
 *
 *   import rule from '../../rules/port-unreachable.js';
 *   import { icmp, icmpPath, path, SERVER } from './_build.js';
 *   import { ruleTester } from './_tester.js';
 *
 *   ruleTester.run('port-unreachable', rule, {
 *     valid: [{ name: 'a healthy path', observations: () => [path()] }],
 *     invalid: [
 *       {
 *         name: 'ICMP 3/3 from the server',
 *         observations: () => [icmpPath(icmp(3, 3, [2, 4]))],
 *         findings: [{ subject: SERVER, severity: 'error', evidence: ['ICMP type 3 code 3 (port unreachable)'] }],
 *       },
 *     ],
 *   });
 *
 * Each valid case must give no finding; each invalid case exactly the findings listed, in the engine's order, each
 * with the rule's id, that severity and subject, and every `evidence` string inside one evidence line ("file:line:
 * text" when the evidence points at a line), plus the shape every finding needs (evidence, fixes with unique ranks,
 * commands and a verify step each). `check` adds any other assertion on the findings.
 *
 * invalid[0] is the rule's trigger: test/rules/meta.test.ts runs the trigger of every registered rule, and
 * test/shell/hostile-fixes.test.ts swaps hostile values into it. The meta-test finds the cases by importing
 * <id>.test.ts with `collectRuleCases` (so `run` then only records them: vitest ignores describe/it called after
 * collection, and `run` does not call them at all).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rules } from '../../rules/index.js';
import type { Evidence, Finding, Rule, Severity } from '../../src/diagnose/types.js';
import type { Observation } from '../../src/model/observation.js';
import { findingsOf } from './_build.js';

export interface ExpectedFinding {
  subject: string;
  severity: Severity;
  /** Key evidence: each string must appear inside one evidence line. At least one. */
  evidence: readonly [string, ...string[]];
  /** A part of the title, when the case is about it. */
  title?: string;
}

export interface ValidCase {
  name: string;
  /** A fresh set of observations on every call (a rule or a test may change what it is handed). */
  observations: () => Observation[];
}

export interface InvalidCase extends ValidCase {
  findings: readonly [ExpectedFinding, ...ExpectedFinding[]];
  /** Any further assertion on the findings (fix commands, evidence frames…). */
  check?: (findings: Finding[]) => void;
}

export interface RuleCases {
  valid: readonly [ValidCase, ...ValidCase[]];
  invalid: readonly [InvalidCase, ...InvalidCase[]];
}

export interface RegisteredCases extends RuleCases {
  id: string;
  rule: Rule;
}

/** Every `run` call in this module graph, by rule id (the meta-test reads it after `collectRuleCases`). */
const registry = new Map<string, RegisteredCases[]>();
let collecting = false;

/** One evidence item as the text report prints it: "file:line: text", or the text alone. */
export function evidenceLine(e: Evidence): string {
  if (e.file === undefined) return e.text;
  return `${e.file}${e.line !== undefined ? `:${e.line}` : ''}: ${e.text}`;
}

/**
 * What every finding must carry, whatever the rule: a title, a subject, evidence, unique fix ranks, and for each fix
 * commands and a verify step, or plain-language steps where a value could not be pasted safely. A finding may have
 * no fix (nothing to do but look); `needsFix` (the meta-test, on each rule's trigger) asks for at least one, with
 * commands.
 */
export function assertFindingShape(id: string, f: Finding, needsFix = false): void {
  expect(f.title.trim(), `${id}: empty title`).not.toBe('');
  expect(f.subject.trim(), `${id}: empty subject`).not.toBe('');
  expect(f.evidence.length, `${id}: no evidence`).toBeGreaterThan(0);
  if (needsFix) expect(f.fixes.length, `${id}: no fixes`).toBeGreaterThan(0);
  const ranks = f.fixes.map((x) => x.rank);
  expect(new Set(ranks).size, `${id}: duplicate fix ranks ${ranks.join(',')}`).toBe(ranks.length);
  for (const fix of f.fixes) {
    const manual = !needsFix && (fix.manual?.length ?? 0) > 0;
    if (!manual) expect(fix.verify.trim(), `${id} fix ${fix.rank} verify`).not.toBe('');
    if (!manual) expect(fix.commands.length, `${id} fix ${fix.rank} commands`).toBeGreaterThan(0);
  }
}

/** Runs one invalid case and asserts it; returns the findings. */
export function assertInvalid(id: string, rule: Rule, c: InvalidCase): Finding[] {
  const findings = findingsOf(rule, c.observations());
  const where = `${id} / ${c.name}`;
  expect(
    findings.map((f) => f.subject),
    `${where}: the findings' subjects`,
  ).toEqual(c.findings.map((f) => f.subject));
  c.findings.forEach((want, n) => {
    const got = findings[n]!;
    expect(got.rule, where).toBe(id);
    expect(got.severity, `${where}: severity of ${got.subject}`).toBe(want.severity);
    if (want.title !== undefined) expect(got.title, `${where}: title`).toContain(want.title);
    const lines = got.evidence.map(evidenceLine);
    for (const e of want.evidence) expect(lines.some((l) => l.includes(e)), `${where}: no evidence line contains ${JSON.stringify(e)} in\n${lines.join('\n')}`).toBe(true);
    assertFindingShape(id, got);
  });
  c.check?.(findings);
  return findings;
}

export function assertValid(id: string, rule: Rule, c: ValidCase): void {
  const findings = findingsOf(rule, c.observations());
  expect(findings.map((f) => `${f.subject}: ${f.title}`), `${id} / ${c.name} should give no finding`).toEqual([]);
}

export const ruleTester = {
  run(id: string, rule: Rule, cases: RuleCases): void {
    registry.set(id, [...(registry.get(id) ?? []), { id, rule, ...cases }]);
    if (collecting) return;
    describe(`${id} (rule tester)`, () => {
      it('is the rule of that id', () => expect(rule.meta.id).toBe(id));
      describe('valid', () => {
        for (const c of cases.valid) it(c.name, () => assertValid(id, rule, c));
      });
      describe('invalid', () => {
        for (const c of cases.invalid) it(c.name, () => void assertInvalid(id, rule, c));
      });
    });
  },
};

const root = join(__dirname, '..', '..');

/** Where a rule's cases live, relative to the repository root (packet rules first, node rules second). */
export function ruleTestFiles(id: string): [string, string] {
  return [`test/rules/${id}.test.ts`, `test/node/${id}.test.ts`];
}

/** The test file that holds a rule's cases, if there is one. */
export function ruleTestFile(id: string): string | undefined {
  return ruleTestFiles(id).find((f) => existsSync(join(root, f)));
}

/**
 * Imports the test file of each rule id (every registered rule by default) without declaring its tests, and returns
 * every case registered, by rule id. For test/rules/meta.test.ts and test/shell/hostile-fixes.test.ts: call it from
 * a hook (beforeAll), never at the top of a test file.
 */
export async function collectRuleCases(ids: readonly string[] = rules.map((r) => r.meta.id)): Promise<ReadonlyMap<string, RegisteredCases[]>> {
  collecting = true;
  try {
    for (const id of ids) {
      const f = ruleTestFile(id);
      if (f !== undefined) await import(join(root, f));
    }
  } finally {
    collecting = false;
  }
  return registry;
}

/** Each rule's trigger (the first invalid case of its first ruleTester.run), by id, in rules/index.ts order. */
export function triggers(cases: ReadonlyMap<string, RegisteredCases[]>): Map<string, () => Observation[]> {
  const out = new Map<string, () => Observation[]>();
  for (const r of rules) {
    const t = cases.get(r.meta.id)?.[0]?.invalid[0];
    if (t) out.set(r.meta.id, t.observations);
  }
  return out;
}
