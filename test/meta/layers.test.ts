/**
 * House rules that keep the pipeline's dependencies pointing one way (docs/architecture.md, "Layers"). There is no
 * per-file whitelist: every folder has a tier, and a file may import only its own folder and lower tiers.
 */
import { existsSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { files, read, root } from './_files.js';

function imports(file: string): string[] {
  const text = read(file);
  return [...text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!);
}

/**
 * Tiers, lowest first (the table in docs/architecture.md). Folders in one tier are siblings: they may not import
 * each other. `src/errors.ts` and `src/index.ts` are files at the top of src/ and count as folders here.
 */
const TIERS: readonly (readonly string[])[] = [
  ['src/errors', 'src/ntp'],
  ['src/net', 'src/kernel'],
  ['src/model'],
  ['src/capture'],
  ['src/decode'],
  ['src/observe'],
  ['src/correlate', 'src/probe'],
  ['src/parallel', 'src/inspect', 'src/serve'],
  ['src/diagnose'],
  ['src/shell'],
  ['src/cluster'],
  ['rules'],
  ['src/render'],
  ['src/docs'],
  ['src/lint'],
  ['src/run'],
  ['src/ui'],
  ['src/cli', 'src/index'],
];

/** The folder (tier member) a file in src/ or rules/ belongs to. */
function layerOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] === 'rules') return 'rules';
  if (parts.length === 2) return `src/${parts[1]!.replace(/\.tsx?$/, '')}`;
  return `src/${parts[1]}`;
}

const tierOf = (layer: string): number => TIERS.findIndex((t) => t.includes(layer));

/** A relative import resolved to a repository path ('src/model/exchange.ts'); bare modules are undefined. */
function resolveImport(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const target = normalize(join(dirname(from), spec));
  const ts = target.replace(/\.js$/, '.ts');
  if (existsSync(join(root, ts))) return ts;
  const tsx = target.replace(/\.js$/, '.tsx');
  return existsSync(join(root, tsx)) ? tsx : target;
}

const sources = () => [...files('src'), ...files('rules')].filter((f) => /\.tsx?$/.test(f));

describe('layers', () => {
  it('every folder of src/ and rules/ has a tier', () => {
    const missing = [...new Set(sources().map(layerOf))].filter((l) => tierOf(l) < 0);
    expect(missing).toEqual([]);
  });

  it('imports point down the tiers only: no arrow runs back up the stack, none between siblings', () => {
    const upward: string[] = [];
    for (const f of sources()) {
      const from = layerOf(f);
      for (const spec of imports(f)) {
        const target = resolveImport(f, spec);
        if (target === undefined) continue;
        const to = layerOf(relative(root, join(root, target)));
        if (to === from) continue;
        if (!(tierOf(to) < tierOf(from))) upward.push(`${f} (${from}) -> ${target} (${to})`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('the scan sees the imports it is about (a stage importing model/, a run importing rules/)', () => {
    expect(imports('src/run/capture-file.ts').map((s) => resolveImport('src/run/capture-file.ts', s))).toContain('rules/wire.ts');
    expect(layerOf('src/capture/live/open.ts')).toBe('src/capture');
    expect(tierOf('src/model')).toBeLessThan(tierOf('src/capture'));
  });

  it('the rule list is handed in only from run/ or cli/ (and the public index)', () => {
    const offenders = sources()
      .filter((f) => !/^src\/(run|cli)\//.test(f) && f !== 'src/index.ts' && !f.startsWith('rules/'))
      .filter((f) => imports(f).some((s) => ['rules/index.ts', 'rules/wire.ts'].includes(resolveImport(f, s) ?? '')));
    expect(offenders).toEqual([]);
  });

  it('observations become a report in one place: only diagnose/judge.ts calls the engine and builds reports', () => {
    const offenders = sources()
      .filter((f) => !f.startsWith('src/diagnose/'))
      .filter((f) => /\brunRules\(|\bbuildReport\(|\bmergeFindings\(/.test(read(f)));
    expect(offenders).toEqual([]);
  });

  it('only src/ui/ imports ink or react', () => {
    const offenders = files('src')
      .filter((f) => !f.startsWith(join('src', 'ui')))
      .filter((f) => imports(f).some((m) => m === 'ink' || m === 'react' || m.startsWith('react/') || m.startsWith('ink/')));
    expect(offenders).toEqual([]);
  });

  it('the UI is loaded only lazily (dynamic import), never statically from the CLI or core', () => {
    const staticUi = files('src')
      .filter((f) => !f.startsWith(join('src', 'ui')))
      .filter((f) => /^\s*import [^(]*from\s+['"][^'"]*\/ui\//m.test(read(f)));
    expect(staticUi).toEqual([]);
  });

  it('rules read observations, never decoders or raw bytes', () => {
    const forbidden = /\/(capture|decode|correlate|observe|inspect|probe|serve|parallel|run)\//;
    const offenders = files('rules').flatMap((f) => imports(f).filter((m) => forbidden.test(m)).map((m) => `${f}: ${m}`));
    expect(offenders).toEqual([]);
  });
});

/** Files a reader takes in at one sitting (issue 14): no exceptions. */
const MAX_LINES = 400;

describe('file size', () => {
  it(`no file in src/ or rules/ is over ${MAX_LINES} lines`, () => {
    const long = sources()
      .map((f) => ({ f, lines: read(f).split('\n').length - (read(f).endsWith('\n') ? 1 : 0) }))
      .filter((x) => x.lines > MAX_LINES)
      .map((x) => `${x.f}: ${x.lines}`);
    expect(long).toEqual([]);
  });
});
