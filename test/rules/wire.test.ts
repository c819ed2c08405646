/**
 * rules/wire.ts: analyze and capture load only the wire rules (start-up: docs/architecture.md). What makes that safe
 * is checked here on every capture in the repository (fixtures/, test/rules/captures/): the rules left out (the node
 * rules of rules/index.ts) find nothing in what a capture alone shows, and the report of the wire rules is the report
 * of every rule. A node rule that starts to judge packets fails this test and belongs in rules/wire.ts.
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { rules } from '../../rules/index.js';
import { wireRules } from '../../rules/wire.js';
import { runRules } from '../../src/diagnose/engine.js';
import { observeCapture } from '../../src/run/capture-file.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Every .pcap and .pcapng under `dir`, recursively. */
function capturesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...capturesUnder(p));
    else if (/\.pcap(ng)?$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

const CAPTURES = [...capturesUnder(join(root, 'fixtures')), ...capturesUnder(join(root, 'test/rules/captures'))];
const nodeRules = rules.filter((r) => !wireRules.includes(r));

describe('rules/wire.ts: all that a capture needs', () => {
  it('splits the rules in two: every rule once, in one list or the other', () => {
    expect(CAPTURES.length).toBeGreaterThanOrEqual(60);
    expect(wireRules.length).toBeGreaterThan(0);
    expect(nodeRules.length).toBeGreaterThan(0);
    for (const r of wireRules) expect(rules.filter((x) => x === r), r.meta.id).toHaveLength(1);
    expect(wireRules.length + nodeRules.length).toBe(rules.length);
  });

  it('the node rules find nothing on any capture, and the wire rules report what every rule would', async () => {
    let judged = 0;
    for (const file of CAPTURES) {
      const name = relative(root, file);
      let observations;
      try {
        observations = (await observeCapture(file)).observations;
      } catch {
        // A capture kept as bad input (fixtures/decode: truncated, not a capture at all): nothing to judge.
        continue;
      }
      judged++;
      const left = runRules(nodeRules, observations).map((f) => `${f.rule}: ${f.title}`);
      expect(left, `${name}: node rules fired on a capture alone; move them to rules/wire.ts`).toEqual([]);
      expect(runRules(wireRules, observations), name).toEqual(runRules(rules, observations));
    }
    expect(judged).toBeGreaterThanOrEqual(55);
  }, 120_000);
});
