/**
 * The generated parts of a rule's page (docs/rules/<id>.md), ShellCheck-wiki style. A page is hand-written prose
 * (Problem, Fixes, When it does not apply) around three blocks made from data: the rule's metadata at the top,
 * an example finding taken from a fixture's real output, and the rule's own why and references at the end.
 * test/docs/rule-pages.test.ts regenerates the blocks and fails when a page disagrees with its rule;
 * `UPDATE_RULE_PAGES=1 npx vitest run test/docs/rule-pages.test.ts` rewrites them, keeping the prose.
 */
import type { Finding, RuleMeta } from '../diagnose/types.js';
import { formatFrames } from '../render/format.js';

export const BLOCKS = ['meta', 'example', 'why'] as const;
export type Block = (typeof BLOCKS)[number];

/** Sections a person writes; each must be there and say something. */
export const PROSE_SECTIONS = ['## Problem', '## Fixes', '## When it does not apply'] as const;

const UPDATE = 'UPDATE_RULE_PAGES=1 npx vitest run test/docs/rule-pages.test.ts';

export function begin(block: Block): string {
  return `<!-- ${block}:begin (generated: ${UPDATE}) -->`;
}
export function end(block: Block): string {
  return `<!-- ${block}:end -->`;
}

/** Inline code that survives a backtick inside the value. */
function code(s: string): string {
  const ticks = /`+/.exec(s)?.[0].length ?? 0;
  const fence = '`'.repeat(ticks + 1);
  return ticks ? `${fence} ${s} ${fence}` : `${fence}${s}${fence}`;
}

export function metaBlock(meta: RuleMeta): string {
  const facts = [
    `severity **${meta.severity}**`,
    `confidence ${Math.round(meta.confidence * 100)}%`,
    ...(meta.explains?.length ? [`explains ${meta.explains.map((e) => `[${code(e)}](${e}.md)`).join(', ')}`] : []),
    `rule [rules/${meta.id}.ts](../../rules/${meta.id}.ts)`,
    `${code(`ntpdoctor explain ${meta.id}`)}`,
  ];
  return [begin('meta'), `# ${meta.id}`, '', `**${meta.summary}**`, '', facts.join(' · '), end('meta')].join('\n');
}

export function whyBlock(meta: RuleMeta): string {
  return [begin('why'), '## Why (the rule\'s rationale)', '', meta.why, '', '## References', '', ...meta.references.map((r) => `- ${r}`), end('why')].join('\n');
}

/** Where an example finding came from: the command that makes it again. */
export interface ExampleSource {
  /** `ntpdoctor analyze fixtures/x.pcap`, or a description of a test case. */
  command: string;
  /** One line on what the input is. */
  note: string;
}

const MAX_EVIDENCE = 6;
const MAX_FIXES = 4;

export function exampleBlock(f: Finding, source: ExampleSource): string {
  const out = [begin('example'), `From ${source.command} (${source.note}):`, '', '```text', `[${f.severity.toUpperCase()}] ${f.title}`];
  out.push(`subject ${f.subject} · confidence ${Math.round(f.confidence * 100)}%`, 'Evidence:');
  for (const e of f.evidence.slice(0, MAX_EVIDENCE)) {
    const where = [formatFrames(e.frames, e.total, e.unit ?? 'frame'), e.file ? `${e.file}${e.line !== undefined ? `:${e.line}` : ''}` : ''].filter(Boolean).join('; ');
    out.push(`  - ${e.text}${where ? ` (${where})` : ''}`);
  }
  if (f.evidence.length > MAX_EVIDENCE) out.push(`  … ${f.evidence.length - MAX_EVIDENCE} more`);
  out.push('```', '', 'The fixes it prints for that case, best first:', '');
  for (const fix of f.fixes.slice(0, MAX_FIXES)) {
    out.push(`${fix.rank}. [${fix.platform}] ${fix.title}`);
    const lines = [...fix.commands, ...(fix.manual ?? []).map((m) => `# ${m}`)];
    if (lines.length) out.push('   ```sh', ...lines.map((l) => `   ${l}`), '   ```');
    if (fix.verify) out.push(`   Verify: ${code(fix.verify)}${fix.expect ? ` — ${fix.expect}` : ''}`);
  }
  if (f.fixes.length > MAX_FIXES) out.push('', `(${f.fixes.length - MAX_FIXES} more for other platforms.)`);
  out.push(end('example'));
  return out.join('\n');
}

/** The text of `block` in `page` (markers included), or undefined. */
export function findBlock(page: string, block: Block): { start: number; stop: number; text: string } | undefined {
  const start = page.indexOf(`<!-- ${block}:begin`);
  if (start < 0) return undefined;
  const close = end(block);
  const at = page.indexOf(close, start);
  if (at < 0) return undefined;
  const stop = at + close.length;
  return { start, stop, text: page.slice(start, stop) };
}

export function replaceBlock(page: string, block: Block, text: string): string {
  const found = findBlock(page, block);
  return found ? page.slice(0, found.start) + text + page.slice(found.stop) : page;
}

/** A new page: the generated blocks with the prose sections to write. */
export function skeleton(meta: RuleMeta, example: string): string {
  return [
    metaBlock(meta),
    '',
    '## Problem',
    '',
    'TODO',
    '',
    '## What the evidence looks like',
    '',
    example,
    '',
    '## Fixes',
    '',
    'TODO',
    '',
    '## When it does not apply',
    '',
    'TODO',
    '',
    whyBlock(meta),
    '',
  ].join('\n');
}

/** The prose under `heading` up to the next `## ` heading or generated block. */
export function section(page: string, heading: string): string | undefined {
  const at = page.indexOf(`\n${heading}\n`);
  if (at < 0) return undefined;
  const rest = page.slice(at + heading.length + 2);
  const next = rest.search(/\n## |\n<!-- [a-z]+:begin/);
  return (next < 0 ? rest : rest.slice(0, next)).trim();
}
