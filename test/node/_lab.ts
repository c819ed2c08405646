/**
 * Lab building blocks for the node tests: a pair of network namespaces joined by a veth ("node0"
 * 198.51.100.100/24, client 198.51.100.130/24), real daemons started without the right to set the clock
 * (`setpriv --bounding-set -sys_time`, chronyd -x, ntpd with `disable kernel`), bounded polls, and cleanup of every
 * PID and namespace we made. Traffic stays inside these namespaces.
 */
import { execFileSync, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labUnavailable as unavailable, readLog, ROOT, SETPRIV, spawnLogged, stopChild, teardown, until } from '../_netns.js';

export { CLI, ensureCli, NTPSEC_NTPD, ROOT, SETPRIV } from '../_netns.js';
export const NODE0 = '198.51.100.100';
export const CLIENT = '198.51.100.130';

/** Why the lab cannot run here, or undefined when it can. */
export function labUnavailable(tools: string[]): string | undefined {
  return unavailable(tools, 'ndnode');
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
    const child = spawnLogged(['netns', 'exec', ns, ...SETPRIV, ...argv], join(this.dir, `${name}.log`));
    this.children.push(child);
    return child;
  }

  log(name: string): string {
    return readLog(this.dir, name);
  }

  /** A config fixture with @DIR@ replaced by the work dir, written into it. */
  config(fixture: string, name: string): string {
    const text = readFileSync(join(ROOT, 'fixtures/configs', fixture), 'utf8').replaceAll('@DIR@', this.dir);
    const path = join(this.dir, name);
    writeFileSync(path, text);
    return path;
  }

  /** Bounded poll: `check` every 100 ms until true, or throw after `seconds`. */
  until(seconds: number, what: string, check: () => boolean): Promise<void> {
    return until(seconds, what, check);
  }

  udpBound(ns: string, port: number): boolean {
    const r = spawnSync('ip', ['netns', 'exec', ns, 'ss', '-Hlun', `sport = :${port}`], { encoding: 'utf8' });
    return r.stdout.trim() !== '';
  }

  stop(child: ChildProcess): Promise<void> {
    return stopChild(child);
  }

  /** Kills what we started (by PID), anything left inside our namespaces, deletes them and the work dir. */
  down(): Promise<void> {
    return teardown(this.children, this.namespaces, this.dir);
  }
}
