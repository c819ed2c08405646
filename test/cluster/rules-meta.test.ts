/**
 * rules/cluster/ as test/rules/meta.test.ts and test/shell/rules-static.test.ts hold rules/ (they read rules/*.ts
 * only): every cluster rule file registered once and named after its id, documented, its ids the DESIGN.md ones,
 * no command text made by hand.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { rules } from '../../rules/index.js';
import { clusterRules } from '../../rules/cluster/index.js';
import type { ClusterRule } from '../../src/cluster/types.js';

const dir = join(__dirname, '../../rules/cluster');
const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.startsWith('_') && f !== 'index.ts');
const PROGRAMS = 'sed|echo|printf|nft|iptables|ip6tables|firewall-cmd|chronyc|ntpq|ntpdc|systemctl|ss|ethtool|ntpdoctor|tcpdump|ping|ip|service|grep|watch|hwclock';

describe('rules/cluster meta', () => {
  it('the five ids DESIGN.md fixes, one file each, registered once, none reusing a node rule id', async () => {
    expect(files.map((f) => f.replace(/\.ts$/, '')).sort()).toEqual(['mixed-smear', 'offset-outlier', 'server-unsynchronized-cascade', 'shared-upstream-down', 'sync-loop']);
    for (const f of files) {
      const rule = ((await import(join(dir, f))) as { default: ClusterRule }).default;
      expect(rule.meta.id).toBe(f.replace(/\.ts$/, ''));
      expect(clusterRules.filter((r) => r === rule)).toHaveLength(1);
    }
    expect(clusterRules).toHaveLength(files.length);
    const nodeIds = new Set(rules.map((r) => r.meta.id));
    for (const r of clusterRules) expect(nodeIds.has(r.meta.id), r.meta.id).toBe(false);
  });

  it('each has a summary, a why with its numbers, references, a confidence in (0, 1]', () => {
    for (const { meta } of clusterRules) {
      expect(meta.summary.length, meta.id).toBeGreaterThan(10);
      expect(meta.why.length, meta.id).toBeGreaterThan(40);
      expect(meta.references.length, meta.id).toBeGreaterThan(0);
      expect(meta.confidence > 0 && meta.confidence <= 1, meta.id).toBe(true);
    }
  });

  it('no words() with a template literal, no template string that starts like a command', () => {
    const offenders: string[] = [];
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.ts'))) {
      readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/words\(\s*`/.test(line)) offenders.push(`${f}:${i + 1}`);
          if (new RegExp(`(^|[\\[(,=:]\\s*)\`(${PROGRAMS}) [^\`]*\\$\\{`).test(line)) offenders.push(`${f}:${i + 1}`);
        });
    }
    expect(offenders).toEqual([]);
  });
});

const ROOT_FOR_PAGES = fileURLToPath(new URL('../../', import.meta.url));

describe('cluster rule pages (docs/rules/<id>.md, issue 15: a page per rule)', () => {
  for (const rule of clusterRules) {
    it(`${rule.meta.id}: a page with the summary, the sections, the references; explain prints it`, () => {
      const page = readFileSync(join(ROOT_FOR_PAGES, 'docs', 'rules', `${rule.meta.id}.md`), 'utf8');
      expect(page.startsWith(`# ${rule.meta.id}\n\n**${rule.meta.summary}**`)).toBe(true);
      for (const section of ['## Problem', '## What the evidence looks like', '## Fixes', '## When it does not apply', '## References']) {
        const at = page.indexOf(`${section}\n\n`);
        expect(at, `${rule.meta.id}: ${section}`).toBeGreaterThan(0);
        expect(page.slice(at + section.length + 2).trim().length, `${rule.meta.id}: ${section} is empty`).toBeGreaterThan(20);
      }
      for (const r of rule.meta.references) expect(page).toContain(`- ${r}`);
      expect(page).not.toMatch(/TODO/);
      const r = spawnSync(process.execPath, [join(ROOT_FOR_PAGES, 'dist', 'cli.js'), 'explain', rule.meta.id], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain(rule.meta.summary);
    });
  }
});
