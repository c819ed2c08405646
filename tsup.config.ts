import { defineConfig } from 'tsup';
import type { Plugin } from 'esbuild';

/**
 * commander is bundled (loading it as a CommonJS package from ESM cost ~20 ms of every start: the CJS loader, the
 * export lexer, five files). It requires node:child_process at load only for executable subcommands, which
 * ntpdoctor never uses; loading that built-in costs ~7 ms of every start. Inside commander it becomes a stand-in that
 * loads the real module on first use. Measured in README (bench) and docs/architecture.md (start-up).
 */
const lazyChildProcess: Plugin = {
  name: 'lazy-child-process',
  setup(build) {
    build.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: 'child_process', namespace: 'lazy-builtin' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, () => ({
      contents: "let real; module.exports = new Proxy({}, { get: (_t, k) => (real ??= require('node:child_process'))[k] });",
      loader: 'js',
    }));
  },
};

export default defineConfig({
  entry: { cli: 'src/cli/bin.ts', index: 'src/index.ts', rules: 'rules/index.ts', 'shard-worker': 'src/parallel/worker.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  splitting: true,
  sourcemap: false,
  clean: true,
  external: ['cap', 'ink', 'react'],
  // Bundled: string-width (the text renderer measures with Ink's own measure), so dist/ alone runs every non-TUI
  // command; commander, for start-up time (above).
  noExternal: ['string-width', 'commander'],
  // The bundled CommonJS (commander) requires Node built-ins: an ESM bundle has no `require` of its own.
  banner: { js: "import { createRequire as __ntpdoctorCreateRequire } from 'node:module'; const require = __ntpdoctorCreateRequire(import.meta.url);" },
  // Keep `node:` specifiers (Node 20 knows them) so that lazyChildProcess, which runs after tsup's own plugins, sees commander's.
  removeNodeProtocol: false,
  esbuildPlugins: [lazyChildProcess],
  esbuildOptions(o) { o.minifyWhitespace = true; o.legalComments = 'none'; },
});
