// `npm run bench:passes -- FILE DIST...`: analysis passes over one capture in one process, per build, to tell the
// packet path's steady state from start-up and warm-up (which `analyze` on the command line always includes).
//
// Why: a CLI run of 2 M frames is start-up (~0.2 s) + warm-up (the first ~100 k frames run in V8's interpreter and
// baseline tiers while the optimizing compiler works) + the steady state. The three move for different reasons: more
// code to load, more code to optimize, more work per frame. Each child process imports DIST/index.js (the public API)
// and times PASSES passes of `analyzeCaptures` + `renderJson` (or `observeCapture` alone with OBSERVE=1): pass 1
// includes warm-up, the later ones are steady. Children run interleaved across builds, RUNS times; the minimum per pass
// is printed (on a shared machine the least disturbed run is the fastest). Builds older than the bench (1dd0702) export
// the same three functions.
//
//   npm run bench:passes -- bench/out/2M-few-clients.pcap /tmp/other/dist dist
//   RUNS=6 PASSES=5 OBSERVE=1 node bench/passes.mjs bench/out/2M-many-clients.pcap /tmp/other/dist dist
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [file, ...dists] = process.argv.slice(2);
if (!file || dists.length === 0) {
  console.error('usage: node bench/passes.mjs FILE DIST... (a dist/ folder of each build to compare)');
  process.exit(2);
}
for (const d of dists) {
  if (!existsSync(join(d, 'index.js'))) {
    console.error(`bench/passes.mjs: ${d}: no index.js (build it with npx tsup)`);
    process.exit(2);
  }
}
const runs = Math.max(1, Number(process.env.RUNS ?? 4));
const passes = Math.max(1, Number(process.env.PASSES ?? 4));
const observeOnly = process.env.OBSERVE === '1';

/** The child's program: PASSES timed passes, one line of milliseconds. */
const child = `
const api = await import(process.argv[1]);
const file = process.argv[2];
const out = [];
for (let i = 0; i < ${passes}; i++) {
  const t0 = process.hrtime.bigint();
  ${observeOnly ? 'await api.observeCapture(file, {});' : 'api.renderJson(await api.analyzeCaptures([file], {}));'}
  out.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
console.log(JSON.stringify(out));
`;

const best = new Map(dists.map((d) => [d, new Array(passes).fill(Infinity)]));
for (let r = 0; r < runs; r++) {
  for (const d of dists) {
    const index = pathToFileURL(join(resolve(d), 'index.js')).href;
    const res = spawnSync(process.execPath, ['--input-type=module', '-e', child, index, file], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (res.status !== 0) {
      console.error(`bench/passes.mjs: ${d}: ${(res.stderr || '').trim().split('\n').pop()}`);
      process.exit(1);
    }
    const ms = JSON.parse(res.stdout.trim().split('\n').pop());
    const b = best.get(d);
    ms.forEach((v, i) => (b[i] = Math.min(b[i], v)));
  }
}
console.log(`${observeOnly ? 'observeCapture' : 'analyzeCaptures + renderJson'} of ${file}: min over ${runs} runs, ms per pass (pass 1 includes warm-up)`);
for (const [d, b] of best) console.log(`${d.padEnd(32)} ${b.map((v) => v.toFixed(0).padStart(6)).join(' ')}`);
