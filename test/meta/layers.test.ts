/** House rules that keep the pipeline's dependencies pointing one way (DESIGN.md, STYLE.md). */
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { files, read, root } from './_files.js';

function imports(file: string): string[] {
  const text = read(file);
  return [...text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!);
}

describe('layers', () => {
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

  it('the engine and the pipeline stages never import rules/', () => {
    const offenders = files('src')
      .filter((f) => !['src/analyze.ts'].includes(f) && !f.startsWith(join('src', 'cli')))
      .filter((f) => imports(f).some((m) => /(^|\/)rules\//.test(m) && !m.includes('/diagnose/')));
    // Those that run a diagnosis end to end (analyze, node diagnosis, probe, live capture) may hand rules to the engine.
    const allowed = /^src\/(inspect\/diagnose|inspect\/lint|probe\/run|capture\/live\/live-capture)\.ts$/;
    expect(offenders.filter((f) => !allowed.test(f))).toEqual([]);
    expect(imports('src/diagnose/engine.ts').filter((m) => m.includes('rules'))).toEqual([]);
  });

  it('rules read observations, never decoders or raw bytes', () => {
    const forbidden = /\/(capture|decode|correlate\/correlator|inspect|probe|serve)\//;
    const offenders = files('rules').flatMap((f) => imports(f).filter((m) => forbidden.test(m)).map((m) => `${relative(root, join(root, f))}: ${m}`));
    expect(offenders).toEqual([]);
  });
});
