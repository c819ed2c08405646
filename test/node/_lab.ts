/**
 * Lab building blocks for the node tests: a pair of network namespaces joined by a veth ("node0"
 * 198.51.100.100/24, client 198.51.100.130/24), real daemons started without the right to set the clock
 * (`setpriv --bounding-set -sys_time`, chronyd -x, ntpd with `disable kernel`), bounded polls, and cleanup of every
 * PID and namespace we made. Traffic stays inside these namespaces.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = join(ROOT, 'dist/cli.js');
export const NTPSEC_NTPD = '/opt/ntpsec/usr/sbin/ntpd';
export const SETPRIV = ['setpriv', '--bounding-set', '-sys_time', '--inh-caps', '-sys_time', '--'];
export const NODE0 = '198.51.100.100';
export const CLIENT = '198.51.100.130';

/** Why the lab cannot run here, or undefined when it can. */
export function labUnavailable(tools: string[]): string | undefined {
  if (process.getuid?.() !== 0) return 'not root: network namespaces need CAP_SYS_ADMIN';
  const probe = `ndnode-pf-${process.pid}`;
  if (spawnSync('ip', ['netns', 'add', probe]).status !== 0) return "'ip netns add' does not work here";
  spawnSync('ip', ['netns', 'del', probe]);
  for (const t of tools) {
    if (t.startsWith('/') ? !existsSync(t) : spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0) return `missing tool: ${t}`;
  }
  return undefined;
}

export class Lab {
  readonly dir: string;
  readonly srv: string;
  readonly cli: string;
  readonly srvIf = 'ndn-srv0';
  private children: ChildProcess[] = [];
  private namespaces: string[] = [];

  constructor(tag: string) {
    this.srv = `ndnode-${tag}-${process.pid}-s`;
    this.cli = `ndnode-${tag}-${process.pid}-c`;
    this.dir = mkdtempSync(join(tmpdir(), `ndnode-${tag}-`));
  }

  up(): void {
    for (const ns of [this.srv, this.cli]) {
      execFileSync('ip', ['netns', 'add', ns]);
      this.namespaces.push(ns);
    }
    execFileSync('ip', ['link', 'add', this.srvIf, 'netns', this.srv, 'type', 'veth', 'peer', 'name', 'ndn-cli0', 'netns', this.cli]);
    for (const [ns, ifname, addr] of [
      [this.srv, this.srvIf, `${NODE0}/24`],
      [this.cli, 'ndn-cli0', `${CLIENT}/24`],
    ] as const) {
      execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      execFileSync('ip', ['-n', ns, 'addr', 'add', addr, 'dev', ifname]);
      execFileSync('ip', ['-n', ns, 'link', 'set', ifname, 'up']);
    }
  }

  /** Runs a command inside a namespace (without CAP_SYS_TIME), returns stdout; throws on failure. */
  exec(ns: string, argv: string[], input?: string): string {
    return execFileSync('ip', ['netns', 'exec', ns, ...SETPRIV, ...argv], { encoding: 'utf8', ...(input !== undefined ? { input } : {}), timeout: 30_000 });
  }

  /** Like exec but returns status and output instead of throwing (diagnose exits 1 when it finds something). */
  run(ns: string, argv: string[]): { status: number | null; stdout: string; stderr: string; ms: number } {
    const t0 = Date.now();
    const r = spawnSync('ip', ['netns', 'exec', ns, ...SETPRIV, ...argv], { encoding: 'utf8', timeout: 30_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - t0 };
  }

  /** Starts a daemon in the background inside a namespace; its output goes to DIR/NAME.log. */
  spawn(name: string, ns: string, argv: string[]): ChildProcess {
    const log = join(this.dir, `${name}.log`);
    writeFileSync(log, '');
    const child = spawn('ip', ['netns', 'exec', ns, ...SETPRIV, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => writeFileSync(log, d, { flag: 'a' }));
    child.stderr?.on('data', (d: Buffer) => writeFileSync(log, d, { flag: 'a' }));
    this.children.push(child);
    return child;
  }

  log(name: string): string {
    const p = join(this.dir, `${name}.log`);
    return existsSync(p) ? readFileSync(p, 'utf8') : '';
  }

  /** A config fixture with @DIR@ replaced by the work dir, written into it. */
  config(fixture: string, name: string): string {
    const text = readFileSync(join(ROOT, 'fixtures/configs', fixture), 'utf8').replaceAll('@DIR@', this.dir);
    const path = join(this.dir, name);
    writeFileSync(path, text);
    return path;
  }

  /** Bounded poll: `check` every 100 ms until true, or throw after `seconds`. */
  async until(seconds: number, what: string, check: () => boolean): Promise<void> {
    const deadline = Date.now() + seconds * 1000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out after ${seconds} s waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  udpBound(ns: string, port: number): boolean {
    const r = spawnSync('ip', ['netns', 'exec', ns, 'ss', '-Hlun', `sport = :${port}`], { encoding: 'utf8' });
    return r.stdout.trim() !== '';
  }

  async stop(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const deadline = Date.now() + 5000;
    while (child.exitCode === null && child.signalCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }

  /** Kills what we started (by PID), anything left inside our namespaces, deletes them and the work dir. */
  async down(): Promise<void> {
    for (const c of this.children) await this.stop(c);
    for (const ns of this.namespaces) {
      const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout.split(/\s+/).filter(Boolean);
      for (const pid of pids) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      spawnSync('ip', ['netns', 'del', ns]);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** dist/cli.js, built with tsup when missing (the suite's `npm test` builds it first). */
export function ensureCli(): void {
  if (!existsSync(CLI)) execFileSync('npx', ['tsup'], { cwd: ROOT, stdio: 'ignore', timeout: 120_000 });
}
