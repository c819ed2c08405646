/**
 * A sandbox for running printed fix commands: a fresh mount + pid namespace (`unshare -m -p -f --mount-proc`, as
 * root) with tmpfs over /etc, /tmp, /srv, /root, /home and /var/tmp, the case's files written into it, and PATH
 * holding only logging stubs for every program a fix may call (sed logs and then runs GNU sed, on the sandbox's
 * copies). Each command runs as `sh -c CMD`; the result is what the stubs logged (each program's argv), stderr,
 * the exit status and every file under the watched roots that changed. Nothing outlives the namespace.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Programs a fix may call: each a stub that logs. `touch`, `rm`, `id`, `reboot`, `curl` are bait (they must never run). */
export const STUBBED = [
  'sed', 'systemctl', 'nft', 'iptables', 'ip6tables', 'firewall-cmd', 'chronyc', 'ntpq', 'ntpdc', 'ntpdoctor', 'ss', 'ethtool', 'ip',
  'ping', 'tcpdump', 'service', 'netfilter-persistent', 'grep', 'cat', 'crontab', 'watch', 'hwclock', 'ntpd', 'yum', 'nstat', 'sudo', 'w32tm',
  'touch', 'rm', 'id', 'reboot', 'curl', 'wget', 'sh', 'bash', 'ls', 'b', 'pwned',
];

export interface RunResult {
  command: string;
  status: number | null;
  stderr: string;
  /** argv of each program that ran, in order (argv[0] the program's name). */
  programs: string[][];
  /** Files under the watched roots whose content changed or appeared (null: removed). */
  changed: Record<string, string | null>;
}

const DRIVER = String.raw`
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, lstatSync, writeFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
const job = JSON.parse(readFileSync(process.argv[2], 'utf8'));
execFileSync('mount', ['--make-rprivate', '/']);
for (const d of ['/etc', '/tmp', '/srv', '/root', '/home', '/var/tmp']) if (existsSync(d)) execFileSync('mount', ['-t', 'tmpfs', 'sbx', d]);
function snap() {
  const out = {};
  const walk = (d) => { for (const e of readdirSync(d)) { const p = join(d, e); const st = lstatSync(p); if (st.isDirectory()) walk(p); else out[p] = readFileSync(p, 'latin1'); } };
  for (const r of job.watch) if (existsSync(r)) walk(r);
  return out;
}
const all = [];
for (const group of job.groups) {
// Each group starts from its own files alone.
for (const r of job.watch) if (existsSync(r)) for (const e of readdirSync(r)) rmSync(join(r, e), { recursive: true, force: true });
for (const [p, text] of Object.entries(group.files)) { mkdirSync(dirname(p), { recursive: true }); writeFileSync(p, text); }
const results = [];
for (const command of group.commands) {
  rmSync(job.log, { force: true });
  const before = snap();
  const r = spawnSync('/bin/sh', ['-c', command], { cwd: job.cwd, env: { PATH: job.stubs, STUBLOG: job.log, HOME: '/root' }, encoding: 'utf8', timeout: 10000 });
  const after = snap();
  const changed = {};
  for (const [p, t] of Object.entries(after)) if (before[p] !== t) changed[p] = Buffer.from(t, 'latin1').toString('utf8');
  for (const p of Object.keys(before)) if (!(p in after)) changed[p] = null;
  const log = existsSync(job.log) ? readFileSync(job.log, 'utf8') : '';
  const programs = log.split('\u001e').filter((x) => x !== '').map((rec) => rec.split('\u0000').slice(0, -1));
  results.push({ command, status: r.status, stderr: r.stderr, programs, changed });
}
all.push(results);
}
writeFileSync(job.out, JSON.stringify(all));
`;

export function sandboxUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root: a mount namespace needs CAP_SYS_ADMIN';
  if (spawnSync('unshare', ['-m', '-p', '-f', '--mount-proc', 'true']).status !== 0) return "'unshare -m -p -f --mount-proc' does not work here";
  return undefined;
}

export class Sandbox {
  /** Outside every tmpfs the sandbox mounts (/run), so the driver, stubs and results survive the mounts. */
  readonly dir = mkdtempSync('/run/ndsh-');
  private readonly stubs = join(this.dir, 'stubs');
  private n = 0;

  constructor() {
    mkdirSync(this.stubs);
    for (const name of STUBBED) {
      // One record per run: argv NUL-separated, records separated by RS (0x1e). sed goes on to the real one.
      const tail = name === 'sed' ? 'exec /usr/bin/sed "$@"\n' : 'exit 0\n';
      const stub = join(this.stubs, name);
      writeFileSync(stub, `#!/bin/sh\n{ printf '%s\\0' ${name} "$@"; printf '\\036'; } >> "$STUBLOG"\n${tail}`);
      chmodSync(stub, 0o755);
    }
    writeFileSync(join(this.dir, 'driver.mjs'), DRIVER);
  }

  /**
   * In one fresh namespace, for each group: the watched roots emptied, the group's files written, then each command
   * in turn (state carries over within a group, as when a user pastes them in order).
   */
  run(groups: ReadonlyArray<{ files: Record<string, string>; commands: readonly string[] }>, watch: readonly string[], cwd: string): RunResult[][] {
    const { args, out } = this.job(groups, watch, cwd);
    const r = spawnSync('unshare', args, { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`sandbox failed (${r.status}): ${r.stderr}`);
    return JSON.parse(readFileSync(out, 'utf8')) as RunResult[][];
  }

  /** run() without blocking: namespaces of their own, so several may run at once (one per core). */
  runAsync(groups: ReadonlyArray<{ files: Record<string, string>; commands: readonly string[] }>, watch: readonly string[], cwd: string): Promise<RunResult[][]> {
    const { args, out } = this.job(groups, watch, cwd);
    return new Promise((resolve, reject) => {
      const child = spawn('unshare', args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.once('error', reject);
      child.once('close', (status, signal) => {
        clearTimeout(timer);
        if (status !== 0) reject(new Error(`sandbox failed (${status ?? signal}): ${stderr}`));
        else resolve(JSON.parse(readFileSync(out, 'utf8')) as RunResult[][]);
      });
    });
  }

  /** The job file of one run and unshare's argv for it. */
  private job(groups: ReadonlyArray<{ files: Record<string, string>; commands: readonly string[] }>, watch: readonly string[], cwd: string): { args: string[]; out: string } {
    const id = ++this.n;
    const job = { groups, watch, cwd, stubs: this.stubs, log: join(this.dir, `log-${id}`), out: join(this.dir, `out-${id}.json`) };
    const jobFile = join(this.dir, `job-${id}.json`);
    writeFileSync(jobFile, JSON.stringify(job));
    return { args: ['-m', '-p', '-f', '--mount-proc', process.execPath, join(this.dir, 'driver.mjs'), jobFile], out: job.out };
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
