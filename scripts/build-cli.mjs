// The command's one-file bundle and its V8 code cache (run by tsup after the ESM build: tsup.config.ts onSuccess).
//
// 1. dist/cli.cjs: src/cli/bin.ts and everything it loads, as one CommonJS file, with the same options as the ESM
//    build (tsup.config.ts): Node 20, whitespace-only minification, commander bundled with its lazy
//    child_process, cap/ink/react left to node_modules. The TUI stays an ES module (dist/tui.js, tuiStub).
// 2. dist/cli.cjs.cache: `node scripts/build-cli.mjs --warm` compiles the bundle as src/cli/launch.ts does (Node's
//    CommonJS wrapper around the same text), runs `analyze` of a fixture capture in it, and at exit writes
//    script.createCachedData(): the bytecode of every function that run compiled. The launcher hands it to V8.
//
// Nothing here touches the network: `analyze` of a capture file reads that file only.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { build } from 'esbuild';
import { IMPORT_ESM_KEY, lazyChildProcess, tuiStub } from './esbuild-plugins.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The warm-up's input: a capture with requests, replies, ICMP errors and findings (fixtures/README.md). */
const WARM_CAPTURE = join(root, 'fixtures', 'firewall-reject-hostprohib.pcap');

/** The bundle and the cache in `dist` (the ESM build's output directory: tsup --out-dir may name another). */
const filesIn = (dist) => ({ bundle: join(dist, 'cli.cjs'), cache: join(dist, 'cli.cjs.cache') });

async function bundleCli(dist) {
  const { bundle, cache } = filesIn(dist);
  rmSync(cache, { force: true });
  await build({
    entryPoints: [join(root, 'src/cli/bin.ts')],
    outfile: bundle,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    // import() of a bundled module stays lazy (esbuild's init wrappers); of cap and node: built-ins, a require():
    // a dynamic import() inside a vm.Script would need --experimental-vm-modules on Node 20.
    supported: { 'dynamic-import': false },
    external: ['cap', 'ink', 'react', 'react/jsx-runtime'],
    jsx: 'automatic',
    minifyWhitespace: true,
    legalComments: 'none',
    // src/ uses import.meta.url (the worker script, the package root): the bundle's own file URL.
    define: { 'import.meta.url': '__ntpdoctorModuleUrl' },
    banner: { js: 'var __ntpdoctorModuleUrl=require("node:url").pathToFileURL(__filename).href;' },
    plugins: [lazyChildProcess, tuiStub],
    logLevel: 'warning',
  });
  // The bundle runs inside Node's wrapper function (src/cli/launch.ts), where a #! line would be a syntax error.
  const text = readFileSync(bundle, 'utf8');
  if (text.startsWith('#!')) writeFileSync(bundle, text.slice(text.indexOf('\n') + 1));
}

/** The child: run the bundle on the warm-up capture, then write what V8 compiled. */
function warm(dist) {
  const { bundle, cache } = filesIn(dist);
  const source = readFileSync(bundle, 'utf8');
  const script = new vm.Script(Module.wrap(source), { filename: bundle });
  globalThis[Symbol.for(IMPORT_ESM_KEY)] = (url) => import(url);
  process.argv = [process.argv[0], join(dist, 'cli.js'), 'analyze', WARM_CAPTURE, '--json'];
  process.on('exit', () => writeFileSync(cache, script.createCachedData()));
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, createRequire(bundle), module, bundle, dist);
}

/** Both files into `dist` (absolute or relative to the repository). Throws with one line when the cache is not made. */
export async function buildCli(dist = 'dist') {
  const out = resolve(root, dist);
  await bundleCli(out);
  // The report goes nowhere; analyze exits 1 on its findings, and only a missing cache is a failed build.
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--warm', out], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (!existsSync(filesIn(out).cache)) throw new Error(`build-cli: no code cache written (warm-up run exited ${child.status ?? child.signal})`);
}

// `node scripts/build-cli.mjs [DIST]`, and the warm-up child.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === '--warm') warm(process.argv[3]);
  else await buildCli(process.argv[2]);
}
