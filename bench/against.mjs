// `npm run bench -- --against REF [--against REF...] [--rounds N] [--case NAME...]`: analyze of this tree against
// other commits, on the bench captures, in one command (issues 11 and 13: "npm run bench shows analyze no slower").
//
// Each REF is built once into bench/out/builds/<sha>/ (`git archive`, node_modules linked from this tree, `npx tsup`)
// and kept for the next run. Then, per capture, `node DIST/cli.js analyze FILE --json` of every build runs in turn,
// ROUNDS times, so that whatever else the machine does hits each build alike. Reported per build: wall and CPU
// (user + sys, from GNU time) as minimum and median, peak RSS as median, and this tree against each REF in percent.
//
// Which figure to read: on a shared 2-core machine wall time moves by 10–30 % from run to run. The minimum is the
// least disturbed run of each build and the median the typical one; a difference smaller than the spread of either
// is not a difference. CPU counts the V8 helper threads (concurrent GC and compilation) that wall time can hide.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

/** The commit REF names, in full, or undefined when git does not know it. */
function commitOf(root, ref) {
  const r = spawnSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd: root, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** DIST of REF, built once into bench/out/builds/<sha>/ and reused. Throws with one line when it cannot. */
export function buildOf(root, out, ref) {
  const sha = commitOf(root, ref);
  if (sha === undefined) throw new Error(`--against ${ref}: not a commit here`);
  const dir = join(out, 'builds', sha.slice(0, 12));
  const dist = join(dir, 'dist');
  if (existsSync(join(dist, 'cli.js'))) return { ref, sha, dist };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // The commit's files as committed (no working-tree changes), and this tree's dependencies.
  const unpack = spawnSync('sh', ['-c', 'git archive "$1" | tar -x -C "$2"', 'sh', sha, dir], { cwd: root, encoding: 'utf8' });
  if (unpack.status !== 0) throw new Error(`--against ${ref}: git archive failed: ${(unpack.stderr || '').trim().split('\n').pop()}`);
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  const build = spawnSync('npx', ['tsup'], { cwd: dir, encoding: 'utf8', maxBuffer: 16 << 20 });
  if (build.status !== 0 || !existsSync(join(dist, 'cli.js'))) {
    throw new Error(`--against ${ref}: npx tsup failed in ${dir}: ${(build.stderr || build.stdout || '').trim().split('\n').pop()}`);
  }
  return { ref, sha, dist };
}

/** One run of `analyze FILE --json` of DIST: wall and CPU seconds and peak RSS (MiB), from GNU time. */
function runOnce(dist, file) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', process.execPath, join(dist, 'cli.js'), 'analyze', file, '--json'], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  // analyze exits 0–2 by its findings (README "Exit codes"); 3 and up, or a signal, is a failed run.
  const m = /([\d.]+) ([\d.]+) ([\d.]+) (\d+)\s*$/.exec(r.stderr || '');
  if (r.status === null || r.status > 2 || !m) throw new Error(`${dist}: analyze ${file} failed (status ${r.status}): ${(r.stderr || '').trim().split('\n').slice(-2).join(' ')}`);
  return { wall: Number(m[1]), cpu: Number(m[2]) + Number(m[3]), rssMiB: Number(m[4]) / 1024 };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const min = (xs) => Math.min(...xs);
const round2 = (x) => Math.round(x * 100) / 100;
const pct = (now, then) => `${now >= then ? '+' : '−'}${(Math.abs(now / then - 1) * 100).toFixed(1)} %`;

/**
 * Interleaved runs of every build on one capture. `builds`: [{ label, dist }], this tree first.
 * Returns one row per build and the comparison lines (this tree against each of the others).
 */
export function compare(file, builds, rounds) {
  const runs = new Map(builds.map((b) => [b.label, []]));
  for (let r = 0; r < rounds; r++) for (const b of builds) runs.get(b.label).push(runOnce(b.dist, file));
  const rows = builds.map((b) => {
    const xs = runs.get(b.label);
    return {
      build: b.label,
      wall_min: round2(min(xs.map((x) => x.wall))),
      wall_med: round2(median(xs.map((x) => x.wall))),
      cpu_min: round2(min(xs.map((x) => x.cpu))),
      cpu_med: round2(median(xs.map((x) => x.cpu))),
      rss_MiB_med: Number(median(xs.map((x) => x.rssMiB)).toFixed(0)),
    };
  });
  const [self, ...others] = rows;
  const lines = others.map(
    (o) =>
      `${self.build} against ${o.build}: wall min ${self.wall_min.toFixed(2)} vs ${o.wall_min.toFixed(2)} s (${pct(self.wall_min, o.wall_min)}), ` +
      `median ${self.wall_med.toFixed(2)} vs ${o.wall_med.toFixed(2)} s (${pct(self.wall_med, o.wall_med)}); ` +
      `CPU min ${self.cpu_min.toFixed(2)} vs ${o.cpu_min.toFixed(2)} s (${pct(self.cpu_min, o.cpu_min)}), ` +
      `median ${self.cpu_med.toFixed(2)} vs ${o.cpu_med.toFixed(2)} s (${pct(self.cpu_med, o.cpu_med)}); ` +
      `RSS ${self.rss_MiB_med} vs ${o.rss_MiB_med} MiB`,
  );
  return { rows, lines };
}
