/**
 * src/cli/launch.ts, the `ntpdoctor` bin: it runs dist/cli.cjs with the V8 code cache the build made of it
 * (scripts/build-cli.mjs). The cache only saves start-up time, so it must never change what a run prints: used, refused
 * by V8 (damaged, made by another build), or passed over (older than the bundle), the output is the same. And a
 * missing bundle is one line and exit 2, as every error.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReport } from '../_schema.js';

const ROOT = join(__dirname, '..', '..');
const DIST = join(ROOT, 'dist');
const CAPTURE = join(ROOT, 'fixtures', 'rate-limit-kod.pcap');
const dir = mkdtempSync(join(tmpdir(), 'ntpdoctor-launch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of dist/ to change (the other test files run from dist/ itself). */
function distCopy(name: string): string {
  const to = join(dir, name);
  cpSync(DIST, to, { recursive: true, preserveTimestamps: true });
  return to;
}

const analyze = (dist: string) => spawnSync(process.execPath, [join(dist, 'cli.js'), 'analyze', CAPTURE, '--json'], { encoding: 'utf8' });

/** What V8 says of the cache for the bundle in `dist`: accepted (false) or rejected (true). */
function rejected(dist: string): boolean {
  const bundle = join(dist, 'cli.cjs');
  const script = new vm.Script(Module.wrap(readFileSync(bundle, 'utf8')), { filename: bundle, cachedData: readFileSync(`${bundle}.cache`) });
  return script.cachedDataRejected === true;
}

describe('the launcher and its code cache', () => {
  let expected: ReturnType<typeof analyze>;
  beforeAll(() => {
    if (!existsSync(join(DIST, 'cli.cjs.cache'))) execFileSync('npx', ['tsup'], { cwd: ROOT, stdio: 'ignore', timeout: 120_000 });
    expected = analyze(DIST);
  });

  it('the build made a cache that V8 takes for this bundle, and a run with it analyses as it should', () => {
    expect(existsSync(join(DIST, 'cli.cjs'))).toBe(true);
    expect(rejected(DIST)).toBe(false);
    expect(expected.stderr).toBe('');
    expect(expected.status).toBe(1);
    expect(parseReport<{ findings: { rule: string }[] }>(expected.stdout).findings[0]?.rule).toBe('rate-limited');
  });

  it('a cache older than the bundle is passed over: the same output', () => {
    const d = distCopy('stale');
    const old = new Date(Date.now() - 3600_000);
    utimesSync(join(d, 'cli.cjs.cache'), old, old);
    const r = analyze(d);
    expect([r.status, r.stdout, r.stderr]).toEqual([expected.status, expected.stdout, expected.stderr]);
  });

  it('a damaged cache is refused by V8: the same output', () => {
    const d = distCopy('damaged');
    const cache = readFileSync(join(d, 'cli.cjs.cache'));
    for (let i = 64; i < cache.length; i += 4096) cache[i] = cache[i]! ^ 0xff;
    writeFileSync(join(d, 'cli.cjs.cache'), cache.subarray(0, cache.length >> 1));
    expect(rejected(d)).toBe(true);
    const r = analyze(d);
    expect([r.status, r.stdout, r.stderr]).toEqual([expected.status, expected.stdout, expected.stderr]);
  });

  it('no cache at all: the same output', () => {
    const d = distCopy('none');
    rmSync(join(d, 'cli.cjs.cache'));
    const r = analyze(d);
    expect([r.status, r.stdout, r.stderr]).toEqual([expected.status, expected.stdout, expected.stderr]);
  });

  it('no bundle: one line naming it, exit 2', () => {
    const d = distCopy('broken');
    rmSync(join(d, 'cli.cjs'));
    const r = analyze(d);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^ntpdoctor: cannot load the command: ENOENT: .*cli\.cjs.* \(run npm run build\)\n$/);
  });
});
