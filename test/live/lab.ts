/**
 * A two-namespace lab for live-capture tests: `<prefix>-srv` (198.51.100.100) and `<prefix>-cli` (198.51.100.130)
 * joined by one veth pair created directly inside them (its names exist only there, so runs never collide).
 * Addresses only from 198.51.100.0/24. Every daemon and client tool runs without CAP_SYS_TIME (setpriv) — the
 * namespaces share the host clock — and chronyd only with -x. destroy() kills what we started and whatever is
 * left in our namespaces, by PID, and deletes them.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const NO_CLOCK = ['setpriv', '--bounding-set', '-sys_time', '--inh-caps', '-sys_time', '--'];
export const CHRONYD = '/usr/sbin/chronyd';
export const SRV_IP = '198.51.100.100';
export const CLI_IP = '198.51.100.130';
export const SRV_IF = 'lv-srv';
export const CLI_IF = 'lv-cli';

function run(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], ...(input !== undefined ? { input } : {}) });
}

function tryRun(cmd: string, args: string[]): void {
  try {
    run(cmd, args);
  } catch {
    /* best effort */
  }
}

function which(tool: string): boolean {
  try {
    run('sh', ['-c', `command -v ${tool}`]);
    return true;
  } catch {
    return false;
  }
}

/** Why this lab cannot run here, or undefined when it can. */
export function labUnavailable(tools: string[]): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root for network namespaces';
  const probe = `ndliv-pre-${process.pid}`;
  try {
    run('ip', ['netns', 'add', probe]);
    run('ip', ['netns', 'del', probe]);
  } catch {
    return "'ip netns add' does not work here";
  }
  for (const t of tools) if (!(t.startsWith('/') ? existsSync(t) : which(t))) return `${t} not installed`;
  return undefined;
}

export function skipLine(what: string, why: string): void {
  process.stderr.write(`SKIPPED: ${what} (${why})\n`);
}

export class VethLab {
  readonly dir: string;
  readonly srv: string;
  readonly cli: string;
  private readonly children: ChildProcess[] = [];

  constructor(readonly prefix: string) {
    this.dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
    this.srv = `${prefix}-srv`;
    this.cli = `${prefix}-cli`;
  }

  create(): this {
    this.destroy(false);
    run('ip', ['netns', 'add', this.srv]);
    run('ip', ['netns', 'add', this.cli]);
    run('ip', ['link', 'add', SRV_IF, 'netns', this.srv, 'type', 'veth', 'peer', 'name', CLI_IF, 'netns', this.cli]);
    for (const [ns, ifname, ip] of [[this.srv, SRV_IF, SRV_IP], [this.cli, CLI_IF, CLI_IP]] as const) {
      run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      run('ip', ['-n', ns, 'addr', 'add', `${ip}/24`, 'dev', ifname]);
      // tx checksum offload off, as test/lab/lib.sh does: the capture then carries the checksums a real NIC puts
      // on the wire (veth leaves them unfilled in both directions otherwise, a separate story: the checksum rules).
      run('ip', ['netns', 'exec', ns, 'ethtool', '-K', ifname, 'tx', 'off']);
      run('ip', ['-n', ns, 'link', 'set', ifname, 'up']);
    }
    return this;
  }

  /**
   * Both veth ends up with carrier (LOWER_UP). Until then libuv's interface list (os.networkInterfaces, which
   * the capture reads its own addresses from) leaves the interface out: it lists only IFF_UP and IFF_RUNNING.
   */
  async ready(): Promise<this> {
    const up = (ns: string, ifname: string) => run('ip', ['-n', ns, '-br', 'link', 'show', ifname]).includes('LOWER_UP');
    await waitFor(() => (up(this.srv, SRV_IF) && up(this.cli, CLI_IF) ? true : undefined), 5_000, 'the veth pair to come up');
    return this;
  }

  /** Runs a command in a namespace without the right to set the clock; stdout+stderr and status, never throws. */
  exec(ns: string, args: string[], timeoutMs = 30_000): { status: number; stdout: string; stderr: string } {
    try {
      const stdout = execFileSync('ip', ['netns', 'exec', ns, ...NO_CLOCK, ...args], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: timeoutMs,
      });
      return { status: 0, stdout, stderr: '' };
    } catch (err) {
      const e = err as { status?: number | null; stdout?: string; stderr?: string };
      return { status: e.status ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    }
  }

  /** Like exec, without blocking the event loop (the capture runs while the test waits on it). */
  execAsync(ns: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ status: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn('ip', ['netns', 'exec', ns, ...NO_CLOCK, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
      this.children.push(child);
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
      child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
      child.on('close', (code) => resolve({ status: code ?? -1, stdout, stderr }));
    });
  }

  nft(ns: string, ruleset: string): void {
    run('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], ruleset);
  }

  /**
   * chronyd -x -d (foreground, never touching the clock) with `lines`; its files in a private state dir, no
   * command socket (`bindcmdaddress /`, `cmdport 0`), so nothing under /run/chrony is touched.
   */
  chronyd(ns: string, name: string, lines: string[]): ChildProcess {
    const state = join(this.dir, name);
    mkdirSync(state, { recursive: true });
    // chronyd drops root for user _chrony after start: it must still write its drift file here.
    chmodSync(this.dir, 0o711);
    chmodSync(state, 0o777);
    const conf = join(this.dir, `${name}.conf`);
    writeFileSync(
      conf,
      [...lines, 'cmdport 0', 'bindcmdaddress /', `pidfile ${join(state, 'chronyd.pid')}`, `driftfile ${join(state, 'drift')}`].join('\n') + '\n',
    );
    const child = spawn('ip', ['netns', 'exec', ns, ...NO_CLOCK, CHRONYD, '-x', '-d', '-f', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.resume();
    child.stderr?.resume();
    this.children.push(child);
    return child;
  }

  udpBound(ns: string, port: number): boolean {
    try {
      return run('ip', ['netns', 'exec', ns, 'ss', '-Hlun', `sport = :${port}`]).trim() !== '';
    } catch {
      return false;
    }
  }

  destroy(removeDir = true): void {
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null && c.pid) tryRun('kill', ['-9', String(c.pid)]);
    this.children.length = 0;
    for (const ns of [this.srv, this.cli]) {
      let pids: string[] = [];
      try {
        pids = run('ip', ['netns', 'pids', ns]).split(/\s+/).filter(Boolean);
      } catch {
        /* namespace absent */
      }
      for (const pid of pids) tryRun('kill', ['-9', pid]);
      tryRun('ip', ['netns', 'del', ns]);
    }
    if (removeDir) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Polls `check` every 100 ms until it returns a value or `timeoutMs` passes (bounded, never a fixed sleep). */
export async function waitFor<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
