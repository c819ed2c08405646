import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { cli: 'src/cli/bin.ts', index: 'src/index.ts', rules: 'rules/index.ts', 'shard-worker': 'src/parallel/worker.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  splitting: true,
  sourcemap: false,
  clean: true,
  external: ['cap', 'ink', 'react'],
  // The text renderer measures with string-width (Ink's own measure): bundled, so dist/ alone runs every non-TUI command.
  noExternal: ['string-width'],
});
