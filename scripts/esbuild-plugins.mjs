// esbuild plugins shared by the two builds of ntpdoctor: tsup.config.ts (the ESM modules of dist/) and
// scripts/build-cli.mjs (the command's one-file bundle, dist/cli.cjs). Plain .mjs so that both can import it.

/**
 * commander requires node:child_process at load only for executable subcommands, which ntpdoctor never uses;
 * loading that built-in costs ~7 ms of every start. Inside commander it becomes a stand-in that loads the real
 * module on first use. Measured in README (bench) and docs/architecture.md (start-up).
 */
export const lazyChildProcess = {
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

/** The key under which src/cli/launch.ts puts its `(url) => import(url)` on globalThis (see tuiStub). */
export const IMPORT_ESM_KEY = 'ntpdoctor.importEsm';

/**
 * For dist/cli.cjs: the TUI (src/ui/run.tsx) is not bundled but loaded from dist/tui.js, an ES module of the ESM
 * build. Ink is ESM-only (with yoga-layout's top-level await), which a CommonJS bundle can neither hold nor
 * require(); and a dynamic import() inside a vm.Script needs an experimental flag on Node 20. So the bundle's
 * `import('../../ui/run.js')` gets this stand-in, whose runTui imports dist/tui.js through the launcher's own
 * import() (src/cli/launch.ts puts it on globalThis under IMPORT_ESM_KEY).
 */
export const tuiStub = {
  name: 'tui-stub',
  setup(build) {
    build.onResolve({ filter: /[\\/]ui[\\/]run\.js$/ }, () => ({ path: 'tui', namespace: 'tui-stub' }));
    build.onLoad({ filter: /.*/, namespace: 'tui-stub' }, () => ({
      contents: [
        "import { join } from 'node:path';",
        "import { pathToFileURL } from 'node:url';",
        'export async function runTui(options) {',
        `  const load = globalThis[Symbol.for(${JSON.stringify(IMPORT_ESM_KEY)})];`,
        "  if (typeof load !== 'function') throw new Error('the terminal UI needs the ntpdoctor launcher (dist/cli.js)');",
        "  const tui = await load(pathToFileURL(join(__dirname, 'tui.js')).href);",
        '  return tui.runTui(options);',
        '}',
      ].join('\n'),
      loader: 'js',
    }));
  },
};
