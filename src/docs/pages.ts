/**
 * Reading a rule's page (docs/rules/<id>.md) where the package is installed, for `ntpdoctor explain`. The page
 * ships with the package (package.json `files`); the bundle lives in dist/, the sources in src/docs/, so the
 * package root is found by walking up from this module to the package.json named ntpdoctor (a few levels, no
 * further: never a page from some other directory).
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RuleMeta } from '../diagnose/types.js';
import { rulePagePath } from '../diagnose/help.js';

/** A page is a few KiB; anything past this is not ours. */
const MAX_PAGE = 256 * 1024;
const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** The package root (where package.json names ntpdoctor), from `start` up at most 4 levels. */
export function packageRoot(start = dirname(fileURLToPath(import.meta.url))): string | undefined {
  let dir = start;
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown };
      if (pkg.name === 'ntpdoctor') return dir;
    } catch {
      // no package.json here: one level up
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

/** The page's text, or undefined when the package has none for `id` (an id that is not kebab-case is never a path). */
export function readRulePage(id: string, root = packageRoot()): string | undefined {
  if (!root || !KEBAB.test(id)) return undefined;
  let fd: number;
  try {
    fd = openSync(join(root, rulePagePath(id)), 'r');
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return undefined;
    const buf = Buffer.alloc(Math.min(st.size, MAX_PAGE));
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** What `explain` prints when the page is not installed: the rule's own metadata, so the answer is never empty. */
export function pageFromMeta(meta: RuleMeta): string {
  return [
    `# ${meta.id}`,
    '',
    `**${meta.summary}**`,
    '',
    `Severity: ${meta.severity}`,
    '',
    '## Why',
    '',
    meta.why,
    '',
    '## References',
    '',
    ...meta.references.map((r) => `- ${r}`),
    '',
    `(The full page, ${rulePagePath(meta.id)}, is not installed here.)`,
    '',
  ].join('\n');
}

/** The page as `explain` prints it: the markdown without the generated blocks' marker comments (noise in a terminal). */
export function pageForTerminal(page: string): string[] {
  return page
    .replace(/\n+$/, '')
    .split('\n')
    .filter((line) => !/^<!-- [a-z]+:(begin|end)\b.*-->$/.test(line));
}
