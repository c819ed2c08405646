/**
 * A page per rule (docs/rules/<id>.md), checked against the rule: the metadata block and the why/references block
 * must be exactly what the rule's metadata gives today, the example must come from the first fixture that
 * triggers the rule (real captures first, then real configs, then the rule's test case), and the prose sections
 * must be written. `UPDATE_RULE_PAGES=1 npx vitest run test/docs/rule-pages.test.ts` rewrites the generated
 * blocks (and makes a skeleton for a new rule), keeping the prose.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { clusterRules } from '../../rules/cluster/index.js';
import { rules } from '../../rules/index.js';
import { analyzeCaptures } from '../../src/run/capture-file.js';
import type { Finding, Report, Rule } from '../../src/diagnose/types.js';
import { lintConfig } from '../../src/run/lint.js';
import { exampleBlock, findBlock, metaBlock, PROSE_SECTIONS, replaceBlock, section, skeleton, whyBlock, type ExampleSource } from '../../src/docs/page.js';
import { findingsOf } from '../rules/_build.js';
import { collectRuleCases, ruleTestFile, triggers } from '../rules/_tester.js';
import type { Observation } from '../../src/model/observation.js';

const root = join(__dirname, '..', '..');
const pagesDir = join(root, 'docs', 'rules');
const UPDATE = process.env.UPDATE_RULE_PAGES === '1';

function list(dir: string, pattern: RegExp): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => pattern.test(f))
    .map((f) => join(dir, f))
    .sort();
}

interface Candidate {
  source: ExampleSource;
  report: Report;
  /** 0: the lab's story captures (fixtures/*.pcap), 1: decoder/format captures in subfolders, 2: configs, 3: configs in subfolders. */
  tier: number;
}

/** Every fixture's real output, in the order examples are taken from: captures, then configs. */
async function candidates(): Promise<Candidate[]> {
  const out: Candidate[] = [];
  for (const file of list('fixtures', /\.pcap(ng)?$/)) {
    const report = await analyzeCaptures([file]);
    const tier = file.split('/').length === 2 ? 0 : 1;
    out.push({ source: { command: `\`ntpdoctor analyze ${file}\``, note: 'a capture in the repository: its README says how it was made' }, report, tier });
  }
  for (const file of list('fixtures/configs', /\.conf$/)) {
    // The seed's node0 is 192.168.1.100 (its configs only); no address of this host, so the example is the same everywhere.
    const own = /node0/.test(file) ? ['192.168.1.100'] : [];
    const report = await lintConfig(file, { addresses: [], localIps: own });
    const tier = file.split('/').length === 3 ? 2 : 3;
    out.push({ source: { command: `\`ntpdoctor lint ${file}${own.map((ip) => ` --local-ip ${ip}`).join('')}\``, note: 'a config in the repository: see fixtures/configs/README.md' }, report, tier });
  }
  return out;
}

/** The example for a rule: where it is the top finding, else anywhere, else its trigger (first invalid ruleTester case). */
function exampleFor(rule: Rule, all: readonly Candidate[], trig: ReadonlyMap<string, () => Observation[]>): { finding: Finding; source: ExampleSource } {
  const id = rule.meta.id;
  let any: Candidate | undefined;
  for (let tier = 0; tier <= 3 && !any; tier++) {
    const mine = all.filter((c) => c.tier === tier);
    any = mine.find((c) => c.report.findings[0]?.rule === id) ?? mine.find((c) => c.report.findings.some((f) => f.rule === id));
  }
  if (any) return { finding: any.report.findings.find((f) => f.rule === id) as Finding, source: any.source };
  const trigger = trig.get(id);
  const file = ruleTestFile(id);
  if (!trigger || file === undefined) throw new Error(`${id}: no fixture triggers it and it has no invalid ruleTester case (test/rules/_tester.ts)`);
  const finding = findingsOf(rule, trigger())[0];
  if (!finding) throw new Error(`${id}: its test case does not trigger it`);
  const node = file.startsWith('test/node/');
  const note = node
    ? `${file}: the node observations the collectors make from recorded daemon, kernel and firewall output (test/node, test/inspect/fixtures)`
    : `${file}: the observations a capture or probe of this case makes; no capture in fixtures/ shows it`;
  return { finding, source: { command: 'the rule\'s test case', note } };
}

describe('docs/rules: a page per rule', () => {
  let examples: Map<string, { finding: Finding; source: ExampleSource }>;
  beforeAll(async () => {
    const all = await candidates();
    const trig = triggers(await collectRuleCases());
    examples = new Map(rules.map((r) => [r.meta.id, exampleFor(r, all, trig)]));
    if (!UPDATE) return;
    for (const rule of rules) {
      const path = join(pagesDir, `${rule.meta.id}.md`);
      const ex = examples.get(rule.meta.id)!;
      const example = exampleBlock(ex.finding, ex.source);
      if (!existsSync(path)) {
        writeFileSync(path, skeleton(rule.meta, example));
        continue;
      }
      let page = readFileSync(path, 'utf8');
      page = replaceBlock(page, 'meta', metaBlock(rule.meta));
      page = replaceBlock(page, 'example', example);
      page = replaceBlock(page, 'why', whyBlock(rule.meta));
      writeFileSync(path, page);
    }
  }, 180_000);

  it('every rule has a page, and every page is a rule\'s', () => {
    const pages = readdirSync(pagesDir).filter((f) => f.endsWith('.md') && f !== 'README.md').map((f) => f.replace(/\.md$/, '')).sort();
    // The cluster rules' pages (rules/cluster/) are checked by test/cluster/rules-meta.test.ts.
    expect(pages).toEqual([...rules, ...clusterRules].map((r) => r.meta.id).sort());
  });

  it.each(rules.map((r) => [r.meta.id, r] as const))('%s: the page agrees with the rule', (id, rule) => {
    const page = readFileSync(join(pagesDir, `${id}.md`), 'utf8');
    expect(findBlock(page, 'meta')?.text, `${id}.md: the metadata block is stale`).toBe(metaBlock(rule.meta));
    expect(findBlock(page, 'why')?.text, `${id}.md: the why/references block is stale`).toBe(whyBlock(rule.meta));
    const example = findBlock(page, 'example')?.text;
    expect(example, `${id}.md has no example block`).toBeDefined();
    // The example's source is checked, not every word: rule wording changes; the source must still trigger it.
    const ex = examples.get(id)!;
    const firstLine = exampleBlock(ex.finding, ex.source).split('\n')[1];
    expect(example!.split('\n')[1], `${id}.md: the example should come from ${ex.source.command}`).toBe(firstLine);
    expect(example).toContain(`[${ex.finding.severity.toUpperCase()}] `);
    for (const heading of PROSE_SECTIONS) {
      const text = section(page, heading);
      expect(text, `${id}.md: no "${heading}" section`).toBeDefined();
      expect(text!.length, `${id}.md: "${heading}" is empty`).toBeGreaterThan(60);
      expect(text, `${id}.md: "${heading}" still says TODO`).not.toMatch(/\bTODO\b/);
    }
    // Links between pages and to rule files resolve.
    for (const m of page.matchAll(/\]\(([^)#]+)\)/g)) {
      const target = m[1]!;
      if (/^[a-z]+:/.test(target)) continue;
      expect(existsSync(join(pagesDir, target)), `${id}.md links to ${target}, which does not exist (${relative(root, join(pagesDir, target))})`).toBe(true);
    }
  });
});
