// `npm run bench:cluster`: `ntpdoctor cluster` over 200 generated node reports (issue 16: judged in under 1 s),
// end to end through the CLI (Node start, read NDJSON, graph, rules, JSON out), best of 5; then 2000 reports.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCluster } from './gen-cluster.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench', 'out');
mkdirSync(out, { recursive: true });
const cli = join(root, 'dist', 'cli.js');

for (const n of [200, 2000]) {
  const file = join(out, `cluster-${n}.ndjson`);
  writeFileSync(file, generateCluster(n).map((r) => JSON.stringify(r)).join('\n') + '\n');
  let best = Infinity;
  let status = null;
  let findings = 0;
  for (let i = 0; i < 5; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync('node', [cli, 'cluster', file, '--json'], { encoding: 'utf8', maxBuffer: 1 << 30 });
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    status = r.status;
    findings = JSON.parse(r.stdout).findings.length;
    best = Math.min(best, s);
  }
  // What Node itself takes to load the CLI (same bundle, no work): the rest is reading, judging and writing.
  let startup = Infinity;
  for (let i = 0; i < 5; i++) {
    const t0 = process.hrtime.bigint();
    spawnSync('node', [cli, '--version']);
    startup = Math.min(startup, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  const row = { case: `cluster-${n}`, reports: n, best_s: Number(best.toFixed(3)), cli_startup_s: Number(startup.toFixed(3)), judged_s: Number((best - startup).toFixed(3)), exit: status, clusterFindings: findings };
  if (n === 200) row.target = `${best < 1 ? 'met' : 'NOT met'} end to end (< 1 s); ${best - startup < 1 ? 'met' : 'NOT met'} for the judgement`;
  console.log(JSON.stringify(row));
}
