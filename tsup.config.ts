import { defineConfig } from 'tsup';
// Shared with scripts/build-cli.mjs, which bundles the command itself (dist/cli.cjs) after this build.
import { buildCli } from './scripts/build-cli.mjs';
import { lazyChildProcess } from './scripts/esbuild-plugins.mjs';

export default defineConfig((cli) => ({
  // cli: the launcher (package.json "bin"), which runs dist/cli.cjs with its code cache (src/cli/launch.ts); tui: the
  // terminal UI, an ES module that bundle imports (Ink is ESM-only). The library (index, rules) and the --threads
  // worker are ES modules as before.
  entry: {
    cli: 'src/cli/launch.ts',
    index: 'src/index.ts',
    rules: 'rules/index.ts',
    'shard-worker': 'src/parallel/worker.ts',
    tui: 'src/ui/run.tsx',
  },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  splitting: true,
  sourcemap: false,
  clean: true,
  external: ['cap', 'ink', 'react'],
  // Bundled: string-width (the text renderer measures with Ink's own measure), so dist/ alone runs every non-TUI
  // command; commander, for start-up time (scripts/esbuild-plugins.mjs lazyChildProcess).
  noExternal: ['string-width', 'commander'],
  // The bundled CommonJS (commander) requires Node built-ins: an ESM bundle has no `require` of its own.
  banner: { js: "import { createRequire as __ntpdoctorCreateRequire } from 'node:module'; const require = __ntpdoctorCreateRequire(import.meta.url);" },
  // Keep `node:` specifiers (Node 20 knows them) so that lazyChildProcess, which runs after tsup's own plugins, sees commander's.
  removeNodeProtocol: false,
  esbuildPlugins: [lazyChildProcess],
  esbuildOptions(o) { o.minifyWhitespace = true; o.legalComments = 'none'; },
  // Then the command's bundle and its code cache, beside the rest (`tsup --out-dir` too), after clean.
  onSuccess: () => buildCli(cli.outDir ?? 'dist'),
}));
