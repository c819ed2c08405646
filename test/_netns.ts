/**
 * What every namespace lab in the tests shares (test/node/_lab.ts, test/cluster/_lab.ts, test/ui/tmux-e2e.test.ts):
 * the no-CAP_SYS_TIME prefix, the "can a lab run here" check, the built CLI, bounded polls, and a cleanup that stops
 * our children by PID, kills what is left inside our namespaces and deletes them, even after a failure.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const CLI = join(ROOT, 'dist/cli.js');
export const NTPSEC_NTPD = '/opt/ntpsec/usr/sbin/ntpd';
/** Every daemon and client in a lab runs without the right to set the clock. */
export const SETPRIV = ['setpriv', '--bounding-set', '-sys_time', '--inh-caps', '-sys_time', '--'];

/** Why a lab cannot run here (not root, no `ip netns`, a tool missing), or undefined when it can. */
export function labUnavailable(tools: readonly string[], prefix: string): string | undefined {
  if (process.getuid?.() !== 0) return 'not root: network namespaces need CAP_SYS_ADMIN';
  const probe = `${prefix}-pf-${process.pid}`;
  if (spawnSync('ip', ['netns', 'add', probe]).status !== 0) return "'ip netns add' does not work here";
  spawnSync('ip', ['netns', 'del', probe]);
  for (const t of tools) {
    // The name as a positional parameter: nothing is spliced into the script.
    if (t.startsWith('/') ? !existsSync(t) : spawnSync('sh', ['-c', 'command -v "$1"', 'sh', t]).status !== 0) return `missing tool: ${t}`;
  }
  return undefined;
}

/** dist/cli.js, built with tsup when missing (the suite's `npm test` builds it first). */
export function ensureCli(): void {
  if (!existsSync(CLI)) execFileSync('npx', ['tsup'], { cwd: ROOT, stdio: 'ignore', timeout: 120_000 });
}

/** Bounded poll: `check` every 100 ms until true, or throw after `seconds`. */
export async function until(seconds: number, what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${seconds} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** SIGTERM, up to 5 s for it to go, then SIGKILL: by the child's own handle (its PID). */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const deadline = Date.now() + 5000;
  while (child.exitCode === null && child.signalCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Kills whatever still runs inside each of our namespaces (`ip netns pids`), then deletes them. */
export function deleteNamespaces(namespaces: readonly string[]): void {
  for (const ns of namespaces) {
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
}

/** Everything a lab made: its children by PID, what is left in its namespaces, the namespaces, its work dir. */
export async function teardown(children: readonly ChildProcess[], namespaces: readonly string[], dir: string): Promise<void> {
  for (const c of children) await stopChild(c);
  deleteNamespaces(namespaces);
  rmSync(dir, { recursive: true, force: true });
}

/** `ip ARGS` in the background, its stdout and stderr appended to `log` (emptied first). */
export function spawnLogged(ipArgs: readonly string[], log: string): ChildProcess {
  writeFileSync(log, '');
  const child = spawn('ip', [...ipArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => writeFileSync(log, d, { flag: 'a' }));
  child.stderr?.on('data', (d: Buffer) => writeFileSync(log, d, { flag: 'a' }));
  return child;
}

/** A log written by spawnLogged, or '' when there is none. */
export function readLog(dir: string, name: string): string {
  const p = join(dir, `${name}.log`);
  return existsSync(p) ? readFileSync(p, 'utf8') : '';
}
