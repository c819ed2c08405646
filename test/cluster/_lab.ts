/**
 * The seed's cluster in network namespaces (issue 16): node0 (198.51.100.100, real NTPsec ntpd behind CentOS 7's
 * iptables REJECT, `server <its own address>`) and three clients (.131 chronyd -x, .132 NTPsec ntpd as a client,
 * .133 chronyd -x), all on one bridge in a fifth "admin" namespace (.10) from which `cluster --ssh` runs. Each node
 * has its own UTS namespace for its hostname (node0…node3), so its report names itself. Every daemon runs without
 * CAP_SYS_TIME (setpriv), chronyd with -x, ntpd with `disable kernel`. sshd (optional) runs per node on a config,
 * host key and authorized key this lab makes, in a private mount namespace with a tmpfs /run (its privilege
 * separation directory), and is killed by PID. Nothing leaves the namespaces; everything is removed in down().
 */
import { execFileSync, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labUnavailable as unavailable, readLog, SETPRIV, spawnLogged, stopChild, teardown, until } from '../_netns.js';

export { CLI, ensureCli, NTPSEC_NTPD, ROOT, SETPRIV } from '../_netns.js';
export const SSHD = '/usr/sbin/sshd';
export const NODE0 = '198.51.100.100';
export const ADMIN = '198.51.100.10';
export const NODES = [
  { name: 'node0', address: NODE0 },
  { name: 'node1', address: '198.51.100.131' },
  { name: 'node2', address: '198.51.100.132' },
  { name: 'node3', address: '198.51.100.133' },
] as const;

export function labUnavailable(tools: string[]): string | undefined {
  return unavailable(tools, 'ndclu');
}

export class ClusterLab {
  readonly dir = mkdtempSync(join(tmpdir(), 'ndclu-'));
  readonly hub = `ndclu-${process.pid}-hub`;
  private children: ChildProcess[] = [];
  private namespaces: string[] = [];

  ns(i: number): string {
    return `ndclu-${process.pid}-n${i}`;
  }

  up(): void {
    execFileSync('ip', ['netns', 'add', this.hub]);
    this.namespaces.push(this.hub);
    execFileSync('ip', ['-n', this.hub, 'link', 'set', 'lo', 'up']);
    execFileSync('ip', ['-n', this.hub, 'link', 'add', 'br0', 'type', 'bridge']);
    execFileSync('ip', ['-n', this.hub, 'addr', 'add', `${ADMIN}/24`, 'dev', 'br0']);
    execFileSync('ip', ['-n', this.hub, 'link', 'set', 'br0', 'up']);
    NODES.forEach((n, i) => {
      const ns = this.ns(i);
      execFileSync('ip', ['netns', 'add', ns]);
      this.namespaces.push(ns);
      execFileSync('ip', ['link', 'add', 'eth0', 'netns', ns, 'type', 'veth', 'peer', 'name', `p${i}`, 'netns', this.hub]);
      execFileSync('ip', ['-n', this.hub, 'link', 'set', `p${i}`, 'master', 'br0']);
      execFileSync('ip', ['-n', this.hub, 'link', 'set', `p${i}`, 'up']);
      execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      execFileSync('ip', ['-n', ns, 'addr', 'add', `${n.address}/24`, 'dev', 'eth0']);
      execFileSync('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
    });
  }

  /** argv run in node i's namespace under its own hostname, without CAP_SYS_TIME. */
  private inNode(i: number, argv: string[], extra: string[] = []): string[] {
    // `sh -c` with the values as positional parameters: nothing is spliced into the script.
    const script = `${extra.join(' && ')}${extra.length ? ' && ' : ''}hostname "$1" && shift && exec "$@"`;
    return ['netns', 'exec', this.ns(i), 'unshare', ...(extra.length ? ['--mount'] : []), '--uts', '--', 'sh', '-c', script, 'sh', NODES[i]!.name, ...SETPRIV, ...argv];
  }

  run(i: number, argv: string[]): { status: number | null; stdout: string; stderr: string; ms: number } {
    const t0 = Date.now();
    const r = spawnSync('ip', this.inNode(i, argv), { encoding: 'utf8', timeout: 60_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - t0 };
  }

  /** In the admin namespace (no hostname games), without CAP_SYS_TIME. */
  admin(argv: string[], input?: string): { status: number | null; stdout: string; stderr: string; ms: number } {
    const t0 = Date.now();
    const r = spawnSync('ip', ['netns', 'exec', this.hub, ...SETPRIV, ...argv], { encoding: 'utf8', timeout: 120_000, ...(input !== undefined ? { input } : {}) });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - t0 };
  }

  exec(i: number, argv: string[], input?: string): string {
    return execFileSync('ip', ['netns', 'exec', this.ns(i), ...SETPRIV, ...argv], { encoding: 'utf8', timeout: 30_000, ...(input !== undefined ? { input } : {}) });
  }

  spawn(name: string, i: number, argv: string[], privateRun = false): ChildProcess {
    const extra = privateRun ? ['mount -t tmpfs -o mode=755 tmpfs /run', 'mkdir -m 755 /run/sshd'] : [];
    const child = spawnLogged(this.inNode(i, argv, extra), join(this.dir, `${name}.log`));
    this.children.push(child);
    return child;
  }

  log(name: string): string {
    return readLog(this.dir, name);
  }

  write(name: string, text: string): string {
    const p = join(this.dir, name);
    writeFileSync(p, text, { mode: 0o600 });
    return p;
  }

  until(seconds: number, what: string, check: () => boolean): Promise<void> {
    return until(seconds, what, check);
  }

  bound(i: number, proto: 'u' | 't', port: number): boolean {
    const r = spawnSync('ip', ['netns', 'exec', this.ns(i), 'ss', `-Hl${proto}n`, `sport = :${port}`], { encoding: 'utf8' });
    return r.stdout.trim() !== '';
  }

  stop(child: ChildProcess): Promise<void> {
    return stopChild(child);
  }

  /** What we started (by PID), anything left in our namespaces, the namespaces, the work dir. */
  down(): Promise<void> {
    return teardown(this.children, this.namespaces, this.dir);
  }
}
