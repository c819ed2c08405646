/**
 * Meta-test over rules/ (ESLint's rule-tester habit): every rule file is registered once, named after its id,
 * documented, has its own test file whose rule-tester cases (test/rules/_tester.ts) include a trigger, and that
 * trigger produces findings whose fix ranks are unique; the README lists every id. Each failure message says the
 * step that was missed (the whole checklist: docs/adding-a-rule.md).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { rules } from '../../rules/index.js';
import type { Rule } from '../../src/diagnose/types.js';
import { assertFindingShape, collectRuleCases, type RegisteredCases, ruleTestFile, ruleTestFiles } from './_tester.js';
import { findingsOf } from './_build.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const rulesDir = join(root, 'rules');
const ruleFiles = readdirSync(rulesDir)
  .filter((f) => f.endsWith('.ts') && !f.startsWith('_') && f !== 'index.ts' && f !== 'wire.ts')
  .sort();
const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const CHECKLIST = 'see docs/adding-a-rule.md';

describe('rules/ meta', () => {
  const modules = new Map<string, Rule>();
  let cases: ReadonlyMap<string, RegisteredCases[]> = new Map();
  beforeAll(async () => {
    for (const f of ruleFiles) {
      const mod = (await import(join(rulesDir, f))) as { default?: Rule };
      if (mod.default) modules.set(f.replace(/\.ts$/, ''), mod.default);
    }
    cases = await collectRuleCases(ruleFiles.map((f) => f.replace(/\.ts$/, '')));
  });

  it('finds the rule files', () => {
    expect(ruleFiles.length).toBeGreaterThanOrEqual(14);
  });

  it('every rule file default-exports a rule whose meta.id is the file name', () => {
    for (const f of ruleFiles) {
      const name = f.replace(/\.ts$/, '');
      const rule = modules.get(name);
      expect(rule, `rules/${f} has no default export: \`export default defineRule({ meta, match })\` (${CHECKLIST})`).toBeDefined();
      expect(rule!.meta.id, `rules/${f}: meta.id must be the file name, '${name}' (${CHECKLIST})`).toBe(name);
      expect(typeof rule!.match, `rules/${f}: no match(ctx) function`).toBe('function');
    }
  });

  it('registers every rule file exactly once, in rules/wire.ts or rules/index.ts (imported explicitly, listed once)', () => {
    // rules/wire.ts lists the rules a capture alone can fire (analyze loads only those), rules/index.ts the others
    // and ...wireRules: one list of every rule.
    const imports = new Map<string, string>();
    const listed: string[] = [];
    for (const [file, array] of [['wire.ts', 'wireRules'], ['index.ts', 'rules']] as const) {
      const text = readFileSync(join(rulesDir, file), 'utf8');
      for (const m of text.matchAll(/^import\s+(\w+)\s+from\s+'\.\/([\w-]+)\.js';/gm)) imports.set(m[2]!, m[1]!);
      const list = new RegExp(`export const ${array}: Rule\\[\\] = \\[([\\s\\S]*?)\\];`).exec(text)?.[1] ?? '';
      listed.push(...list.replace(/\/\/.*$/gm, '').split(/[\s,]+/).filter((x) => x && !x.startsWith('...')));
    }
    for (const f of ruleFiles) {
      const name = f.replace(/\.ts$/, '');
      const binding = imports.get(name);
      expect(binding, `neither rules/wire.ts nor rules/index.ts imports ./${name}.js: add \`import … from './${name}.js';\` to one (${CHECKLIST})`).toBeDefined();
      expect(listed.filter((x) => x === binding), `${binding} (rules/${f}) must be listed exactly once, in wireRules (rules/wire.ts) or rules (rules/index.ts) (${CHECKLIST})`).toHaveLength(1);
    }
    // And at run time: each module's rule object is in the list exactly once, and nothing else is.
    for (const [name, rule] of modules) expect(rules.filter((r) => r === rule), `rules/${name}.ts in rules[]`).toHaveLength(1);
    expect(rules.length, `rules/index.ts lists ${rules.length} rules for ${ruleFiles.length} files in rules/: every rule has its own rules/<id>.ts (${CHECKLIST})`).toBe(ruleFiles.length);
  });

  it('ids are kebab-case and unique', () => {
    const ids = rules.map((r) => r.meta.id);
    for (const id of ids) expect(id, id).toMatch(KEBAB);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('every rule has a summary, a why and references', () => {
    for (const { meta } of rules) {
      expect(meta.summary.trim().length, `${meta.id}: meta.summary, one line for the README (${CHECKLIST})`).toBeGreaterThan(10);
      expect(meta.why.trim().length, `${meta.id}: meta.why, the mechanism with its numbers (${CHECKLIST})`).toBeGreaterThan(40);
      expect(meta.references.length, `${meta.id}: meta.references, RFC sections and man pages (${CHECKLIST})`).toBeGreaterThan(0);
      for (const r of meta.references) expect(r.trim(), `${meta.id} reference`).not.toBe('');
      expect(meta.confidence).toBeGreaterThan(0);
      expect(meta.confidence).toBeLessThanOrEqual(1);
    }
  });

  it('explains lists name registered rules only', () => {
    const ids = new Set(rules.map((r) => r.meta.id));
    for (const { meta } of rules) for (const e of meta.explains ?? []) expect(ids.has(e), `${meta.id} explains ${e}`).toBe(true);
  });

  it('every rule has its own test file calling ruleTester.run with valid and invalid cases', () => {
    for (const rule of rules) {
      const id = rule.meta.id;
      const [packet, node] = ruleTestFiles(id);
      const file = ruleTestFile(id);
      expect(file, `${id} has no test file: create ${packet} (packet, probe, capture rules) or ${node} (node rules) calling ruleTester.run('${id}', rule, { valid, invalid }) from test/rules/_tester.ts (${CHECKLIST})`).toBeDefined();
      const registered = cases.get(id) ?? [];
      expect(registered.length, `${file} does not call ruleTester.run('${id}', rule, { valid, invalid }) (test/rules/_tester.ts, ${CHECKLIST})`).toBeGreaterThan(0);
      for (const r of registered) {
        expect(r.rule, `${file}: ruleTester.run('${id}', …) is handed another rule object than rules/index.ts registers`).toBe(rule);
        expect(r.valid.length, `${file}: ${id} needs at least one valid (non-triggering) case`).toBeGreaterThan(0);
        expect(r.invalid.length, `${file}: ${id} needs at least one invalid (triggering) case`).toBeGreaterThan(0);
      }
    }
    // Cases for an id no rule has: a renamed rule whose test was left behind.
    const ids = new Set(rules.map((r) => r.meta.id));
    expect([...cases.keys()].filter((id) => !ids.has(id)), 'ruleTester.run for ids no registered rule has').toEqual([]);
  });

  it('every rule fires on its trigger (its first invalid case), with unique fix ranks, evidence and a verify step per fix', () => {
    for (const rule of rules) {
      const id = rule.meta.id;
      const trigger = cases.get(id)?.[0]?.invalid[0];
      expect(trigger, `no triggering case for ${id}: give ruleTester.run('${id}', …) an invalid case (${CHECKLIST})`).toBeDefined();
      const findings = findingsOf(rule, trigger!.observations());
      expect(findings.length, `${id} did not fire on its trigger (${trigger!.name})`).toBeGreaterThan(0);
      for (const f of findings) assertFindingShape(id, f, true);
    }
  });

  it('README.md at the repo root mentions every rule id', () => {
    const readme = join(root, 'README.md');
    expect(existsSync(readme), 'README.md is missing at the repo root: it must document every rule id').toBe(true);
    const text = readFileSync(readme, 'utf8');
    const missing = rules.map((r) => r.meta.id).filter((id) => !text.includes(id));
    expect(missing, `README.md does not mention: ${missing.join(', ')}: run \`npm run docs:rules\` to rewrite its rule table (${CHECKLIST})`).toEqual([]);
  });
});
