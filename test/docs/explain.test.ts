/** `ntpdoctor explain`: the page as it is, terminal-safe; typos get suggestions and exit 2; the help link's forms. */
import { clusterRules } from '../../rules/cluster/index.js';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CommandIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { helpLink, repositoryWebUrl, ruleHelp } from '../../src/diagnose/help.js';
import { packageRoot, pageForTerminal, pageFromMeta, readRulePage } from '../../src/docs/pages.js';
import { editDistance, suggest } from '../../src/docs/suggest.js';
import { rules } from '../../rules/index.js';
import { expectOneLine, expectTerminalSafe } from '../hostile.js';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CommandIo = { stdout: (t) => (out += t), stderr: (t) => (err += t), isTTY: false };
  const code = await main(argv, io);
  return { code, out, err };
}

describe('ntpdoctor explain', () => {
  it('prints the rule\'s page (without the generated blocks\' markers), exit 0', async () => {
    const r = await cli('explain', 'firewall-reject');
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const page = readRulePage('firewall-reject')!;
    expect(r.out).toBe(`${pageForTerminal(page).join('\n')}\n`);
    expect(r.out).not.toContain('<!--');
    expect(r.out.startsWith('# firewall-reject\n')).toBe(true);
    expect(r.out).toContain('## When it does not apply');
    expectTerminalSafe(r.out, 'explain output');
  });

  it('every rule explains', async () => {
    for (const rule of rules) {
      const r = await cli('explain', rule.meta.id);
      expect(r.code, rule.meta.id).toBe(0);
      expect(r.out, rule.meta.id).toContain(`# ${rule.meta.id}\n`);
    }
  });

  it('no id: one line per rule, sorted', async () => {
    const r = await cli('explain');
    expect(r.code).toBe(0);
    const ids = r.out.split('\n').filter((l) => /^[a-z]/.test(l) && !l.startsWith('ntpdoctor')).map((l) => l.split(/\s+/)[0]);
    expect(ids).toEqual([...rules, ...clusterRules].map((x) => x.meta.id).sort());
  });

  it.each([
    ['firewal-reject', 'firewall-reject'],
    ['no-repsonse', 'no-response'],
    ['offload', 'checksum-offload-artifact'],
    ['KISS-OF-DEATH', 'kiss-of-death'],
  ])('unknown %s: exit 2, one line suggesting %s', async (typo, wanted) => {
    const r = await cli('explain', typo);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expectOneLine(r.err);
    expect(r.err).toContain(`did you mean ${wanted}`);
  });

  it('a hostile id is escaped, bounded and never a path', async () => {
    const r = await cli('explain', `../../etc/passwd\x1b[2J${'x'.repeat(10_000)}`);
    expect(r.code).toBe(2);
    expectOneLine(r.err);
    expect(r.err.length).toBeLessThan(2200);
    expect(readRulePage('../../package')).toBeUndefined();
  });

  it('without the page installed, the rule\'s own metadata is printed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ntpdoctor-pages-'));
    try {
      writeFileSync(join(dir, 'package.json'), '{"name":"ntpdoctor"}');
      mkdirSync(join(dir, 'dist'));
      expect(packageRoot(join(dir, 'dist'))).toBe(dir);
      expect(readRulePage('no-response', dir)).toBeUndefined();
      const meta = rules.find((x) => x.meta.id === 'no-response')!.meta;
      expect(pageFromMeta(meta)).toContain(meta.why);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('suggest', () => {
  it('counts a transposition as one edit and stops early past the limit', () => {
    expect(editDistance('no-repsonse', 'no-response')).toBe(1);
    expect(editDistance('abc', 'abc')).toBe(0);
    expect(editDistance('a'.repeat(5000), 'b', 3)).toBe(4);
  });
  it('returns nothing for something unrelated', () => {
    expect(suggest('zzzzzzzz', rules.map((r) => r.meta.id))).toEqual([]);
  });
});

describe('help links', () => {
  it('every finding links its page; without a GitHub repository it is the path in the package', () => {
    expect(helpLink('no-response', undefined)).toBe('docs/rules/no-response.md');
    expect(helpLink('no-response', 'https://gitlab.com/o/r')).toBe('docs/rules/no-response.md');
    expect(ruleHelp('no-response')).toMatch(/(^|\/)docs\/rules\/no-response\.md$/);
  });

  it.each([
    ['github:o/r', 'https://github.com/o/r'],
    ['o/r', 'https://github.com/o/r'],
    ['git+https://github.com/o/r.git', 'https://github.com/o/r'],
    ['git@github.com:o/r.git', 'https://github.com/o/r'],
    ['git+ssh://git@github.com/o/r.git', 'https://github.com/o/r'],
  ])('repository %s → %s', (repository, base) => {
    expect(repositoryWebUrl(repository)?.base).toBe(base);
    expect(helpLink('self-sync', { type: 'git', url: repository })).toBe(`${base}/blob/HEAD/docs/rules/self-sync.md`);
  });

  it('a monorepo directory goes into the link', () => {
    expect(helpLink('self-sync', { url: 'https://github.com/o/r', directory: 'tools/ntpdoctor/' })).toBe('https://github.com/o/r/blob/HEAD/tools/ntpdoctor/docs/rules/self-sync.md');
  });
});
