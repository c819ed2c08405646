/**
 * A throw-away lab of network namespaces joined by a bridge, for tests against real daemons and firewalls.
 * Addresses only from 198.51.100.0/24 and 2001:db8::/32; every namespace name starts with the caller's prefix
 * and is deleted on destroy() (and before creation, if a crashed run left it). Daemons and client tools run
 * without CAP_SYS_TIME (`setpriv`), so nothing here can touch the shared clock.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const NO_CLOCK = ['setpriv', '--bounding-set', '-sys_time', '--inh-caps', '-sys_time', '--'];

export interface LabHost {
  name: string;
  ipv4: string;
  ipv6: string;
}

function run(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], ...(input ? { input } : {}) });
}

function tryRun(cmd: string, args: string[]): void {
  try {
    run(cmd, args);
  } catch {
    /* best effort */
  }
}

/** Why the lab cannot run here, or undefined when it can (root, ip netns, the tools asked for). */
export function labUnavailable(tools: string[] = []): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root for network namespaces';
  try {
    run('ip', ['netns', 'list']);
  } catch {
    return 'ip netns unavailable';
  }
  for (const t of tools) if (!existsSync(t)) return `${t} not installed`;
  return undefined;
}

export function skipLine(what: string, why: string): void {
  process.stderr.write(`SKIPPED: ${what} (${why})\n`);
}

export interface ExecResult {
  /** Exit status; -1 when killed by a signal or not run. */
  status: number;
  out: string;
  stdout: string;
  stderr: string;
  how: string;
  seconds: number;
}

export class Lab {
  readonly dir: string;
  private readonly children: ChildProcess[] = [];
  private readonly bridgeNs: string;
  /** Root-namespace names of the veth ends must be unique while they exist: a random tag per lab. */
  private readonly tag = `np${Math.floor(Math.random() * 0xffff).toString(16).padStart(4, '0')}`;

  constructor(
    readonly prefix: string,
    readonly hosts: LabHost[],
  ) {
    this.dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
    this.bridgeNs = `${prefix}-br`;
  }

  ns(host: string): string {
    return `${this.prefix}-${host}`;
  }

  host(name: string): LabHost {
    const h = this.hosts.find((x) => x.name === name);
    if (!h) throw new Error(`no lab host ${name}`);
    return h;
  }

  create(): this {
    this.destroy(false);
    run('ip', ['netns', 'add', this.bridgeNs]);
    run('ip', ['-n', this.bridgeNs, 'link', 'add', 'br0', 'type', 'bridge']);
    run('ip', ['-n', this.bridgeNs, 'link', 'set', 'br0', 'up']);
    this.hosts.forEach((h, i) => {
      const ns = this.ns(h.name);
      run('ip', ['netns', 'add', ns]);
      const inner = `v${i}`;
      run('ip', ['link', 'add', `${this.tag}${i}a`, 'type', 'veth', 'peer', 'name', `${this.tag}${i}b`]);
      run('ip', ['link', 'set', `${this.tag}${i}a`, 'netns', ns, 'name', inner]);
      run('ip', ['link', 'set', `${this.tag}${i}b`, 'netns', this.bridgeNs]);
      run('ip', ['-n', this.bridgeNs, 'link', 'set', `${this.tag}${i}b`, 'master', 'br0', 'up']);
      run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      run('ip', ['-n', ns, 'addr', 'add', `${h.ipv4}/24`, 'dev', inner]);
      // nodad: the address is usable at once (no duplicate address detection wait).
      run('ip', ['-n', ns, 'addr', 'add', `${h.ipv6}/64`, 'dev', inner, 'nodad']);
      run('ip', ['-n', ns, 'link', 'set', inner, 'up']);
    });
    return this;
  }

  /** Runs a command in a host's namespace, without the right to set the clock. */
  exec(host: string, args: string[], input?: string): string {
    return run('ip', ['netns', 'exec', this.ns(host), ...NO_CLOCK, ...args], input);
  }

  /**
   * Like exec but returns stdout+stderr and the status instead of throwing (stdout first, then stderr).
   * `how` says how it ended in words, for failure messages: "exit 1", "killed by SIGTERM after the 30 s bound".
   */
  execStatus(host: string, args: string[], timeoutMs = 30_000): ExecResult {
    const started = Date.now();
    const r = spawnSync('ip', ['netns', 'exec', this.ns(host), ...NO_CLOCK, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
    });
    const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
    return ended(r.status, r.signal, timedOut, r.error, r.stdout ?? '', r.stderr ?? '', started, timeoutMs);
  }

  /** execStatus without blocking: several clients against one server at once (test/serve/lab-serve.test.ts). */
  execStatusAsync(host: string, args: string[], timeoutMs = 30_000): Promise<ExecResult> {
    const started = Date.now();
    const child = spawn('ip', ['netns', 'exec', this.ns(host), ...NO_CLOCK, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
    }, timeoutMs);
    return new Promise((resolve) => {
      let error: Error | undefined;
      child.once('error', (e) => (error = e));
      child.once('close', (status, signal) => {
        clearTimeout(timer);
        resolve(ended(status, signal, timedOut, error, stdout, stderr, started, timeoutMs));
      });
    });
  }

  /** Starts a long-running process (a daemon in the foreground) in a host's namespace; killed on destroy(). */
  spawn(host: string, args: string[]): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', this.ns(host), ...NO_CLOCK, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.resume();
    child.stderr?.resume();
    this.children.push(child);
    return child;
  }

  nft(host: string, ruleset: string): void {
    run('ip', ['netns', 'exec', this.ns(host), 'nft', '-f', '-'], ruleset);
  }

  async stop(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const done = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 3000);
    await done;
    clearTimeout(t);
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.children.map((c) => this.stop(c)));
    this.children.length = 0;
  }

  destroy(removeDir = true): void {
    for (const c of this.children) if (c.exitCode === null && c.pid) tryRun('kill', ['-9', String(c.pid)]);
    // Daemons that forked (ntpd) live on inside the namespace: kill every pid still in it, by pid.
    for (const h of this.hosts) {
      const ns = this.ns(h.name);
      let pids: string[] = [];
      try {
        pids = run('ip', ['netns', 'pids', ns]).split(/\s+/).filter(Boolean);
      } catch {
        /* namespace absent */
      }
      for (const pid of pids) tryRun('kill', ['-9', pid]);
      tryRun('ip', ['netns', 'del', ns]);
    }
    tryRun('ip', ['netns', 'del', this.bridgeNs]);
    if (removeDir) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Polls `check` every 100 ms until it returns a value or `timeoutMs` passes (bounded, never a fixed sleep). */
export async function waitFor<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** An ExecResult, with `how` it ended in words. */
function ended(
  status: number | null,
  signal: NodeJS.Signals | null,
  timedOut: boolean,
  error: Error | undefined,
  stdout: string,
  stderr: string,
  started: number,
  timeoutMs: number,
): ExecResult {
  const seconds = (Date.now() - started) / 1000;
  const how = timedOut
    ? `killed by ${signal ?? 'SIGTERM'} after the ${timeoutMs / 1000} s bound`
    : signal
      ? `killed by ${signal} after ${seconds.toFixed(1)} s`
      : error
        ? `failed to run: ${error.message}`
        : `exit ${status} after ${seconds.toFixed(1)} s`;
  return { status: status ?? -1, out: `${stdout}${stderr}`, stdout, stderr, how, seconds };
}
