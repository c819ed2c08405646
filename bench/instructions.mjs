// `npm run bench:instructions -- FILE DIST...`: an A/B of `analyze FILE --json` between builds by instruction count.
//
// Why: on a shared machine the time of one run varies by 10–30 %, more than the differences an A/B is after. The
// instructions a run executes do not: valgrind's callgrind counts them (every thread, user space), and with
// `node --single-threaded` V8 compiles on the main thread at a fixed point of the run, so repeat runs of one build agree
// to ±0.3 % on a small capture and ±0.5 % on 500 k frames of few paths (±1–5 % on 100 k paths: V8's GC heuristics read
// the clock). Instructions are not time: cache misses do not show, so confirm a win with interleaved timed runs
// (bench/run.mjs says how). Under callgrind a run is ~50× slower: use a 20-frame fixture for start-up and
// bench/out/500k-few-clients.pcap for the packet path. Two runs go in parallel.
//
//   npm run bench:instructions -- fixtures/checksum-offload.pcap /tmp/other/dist dist
//   REPEAT=2 node bench/instructions.mjs bench/out/500k-few-clients.pcap /tmp/other/dist dist
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const [file, ...dists] = process.argv.slice(2);
if (!file || dists.length === 0) {
  console.error('usage: node bench/instructions.mjs FILE DIST... (a dist/ folder of each build to compare)');
  process.exit(2);
}
if (spawnSync('sh', ['-c', 'command -v valgrind']).status !== 0) {
  console.error('bench/instructions.mjs: valgrind is not installed (Debian: apt-get install valgrind)');
  process.exit(2);
}
for (const d of dists) {
  if (!existsSync(join(d, 'cli.js'))) {
    console.error(`bench/instructions.mjs: ${d}: no cli.js (build it with npx tsup)`);
    process.exit(2);
  }
}
const repeat = Math.max(1, Number(process.env.REPEAT ?? 1));

/** Instructions of one `analyze FILE --json` of build `dist` under callgrind. */
function count(dist) {
  const args = ['--tool=callgrind', '--callgrind-out-file=/dev/null', '--smc-check=all-non-file', 'node', '--single-threaded', join(resolve(dist), 'cli.js'), 'analyze', file, '--json'];
  return new Promise((done, fail) => {
    const child = spawn('valgrind', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b) => (err += b));
    child.on('error', fail);
    child.on('close', () => {
      const m = /I\s+refs:\s+([\d,]+)/.exec(err);
      if (m) done(Number(m[1].replaceAll(',', '')));
      else fail(new Error(`${dist}: no instruction count from callgrind:\n${err.slice(-500)}`));
    });
  });
}

const jobs = [];
for (let r = 0; r < repeat; r++) for (const d of dists) jobs.push(d);
const results = new Map(dists.map((d) => [d, []]));
// Two at a time: the counts do not depend on load, only the waiting does.
for (let i = 0; i < jobs.length; i += 2) {
  const pair = jobs.slice(i, i + 2);
  const counts = await Promise.all(pair.map(count));
  pair.forEach((d, k) => results.get(d).push(counts[k]));
}
const first = Math.min(...results.get(dists[0]));
for (const d of dists) {
  const c = results.get(d);
  const best = Math.min(...c);
  const rel = ((best / first - 1) * 100).toFixed(1);
  console.log(`${d.padEnd(28)} ${(best / 1e6).toFixed(0).padStart(8)} M instructions  ${d === dists[0] ? '' : `${rel >= 0 ? '+' : ''}${rel} % vs ${dists[0]}`}${c.length > 1 ? `  (runs: ${c.map((x) => (x / 1e6).toFixed(0)).join(', ')} M)` : ''}`);
}
