#!/usr/bin/env node
/**
 * The `ntpdoctor` command (package.json "bin": dist/cli.js). It runs the command's one-file CommonJS bundle,
 * dist/cli.cjs (src/cli/bin.ts and all it loads, built by scripts/build-cli.mjs), with the V8 code cache the build
 * made of it, dist/cli.cjs.cache: the bytecode of every function a run of `analyze` compiled. A run then neither
 * parses the bundle nor compiles those functions again; on Node 22 `module.enableCompileCache` would do this for
 * ES modules, Node 20 has only vm.Script's `cachedData`. Measured (docs/architecture.md, "Start-up and speed"):
 * ~20 ms of every start.
 *
 * The cache is only ever read here, never written: the build made it, beside the bundle, with the same trust. It is
 * not used when it is older than the bundle (a bundle changed since, as make and Python's .pyc decide), and V8
 * itself refuses data made by another V8 version, other flags or a source of another length
 * (`script.cachedDataRejected`): either way the bundle is compiled from its text, as slow as before and as correct.
 */
import { readFileSync, statSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

/** What the bundle's TUI stand-in imports dist/tui.js with (scripts/esbuild-plugins.mjs tuiStub). */
const IMPORT_ESM = Symbol.for('ntpdoctor.importEsm');

/** The code cache, when it was made after the bundle was (the build writes the bundle, then the cache). */
function cachedData(bundle: string, cache: string): Buffer | undefined {
  try {
    if (statSync(cache).mtimeMs < statSync(bundle).mtimeMs) return undefined;
    return readFileSync(cache);
  } catch {
    return undefined;
  }
}

function launch(): void {
  const bundle = fileURLToPath(new URL('./cli.cjs', import.meta.url));
  let source: string;
  try {
    source = readFileSync(bundle, 'utf8');
  } catch (err) {
    // An installation without its bundle (a build that stopped half-way): one line, as every error of ntpdoctor,
    // control characters escaped (src/render/terminal.ts is inside the bundle, so this one line does it itself).
    const why = err instanceof Error ? err.message : String(err);
    const line = `cannot load the command: ${why} (run npm run build)`.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
    process.stderr.write(`ntpdoctor: ${line}\n`);
    process.exitCode = 2;
    return;
  }
  // Node's own CommonJS wrapper: the build compiles the very same text when it makes the cache.
  const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData: cachedData(bundle, `${bundle}.cache`) });
  (globalThis as Record<symbol, unknown>)[IMPORT_ESM] = (url: string) => import(url);
  const module = { exports: {} };
  const run = script.runInThisContext() as (exports: object, require: NodeRequire, module: object, filename: string, dirname: string) => void;
  run.call(module.exports, module.exports, createRequire(bundle), module, bundle, dirname(bundle));
}

launch();
