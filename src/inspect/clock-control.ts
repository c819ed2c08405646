/**
 * Can the running time daemons adjust the clock? Setting or slewing the clock (adjtimex(2) with modes ≠ 0,
 * clock_settime, settimeofday) needs CAP_SYS_TIME (capabilities(7), bit 25) in the initial user namespace: the
 * clock is not namespaced, so a capability held inside a user namespace (rootless containers) does not count.
 * Read from /proc/PID/status (CapEff, CapBnd) and /proc/PID/uid_map, chronyd's `-x` from its command line, where
 * the daemon runs (container or not: `systemd-detect-virt -c`, /.dockerenv, /run/.containerenv, /proc/1/cgroup),
 * and the daemons' own complaints from the journal (read-only, bounded, only where journalctl exists).
 */
import { access, readFile } from 'node:fs/promises';
import type { TimeDaemonProcess } from '../model/daemon.js';
import type { Runner } from './run.js';

/** capabilities(7): CAP_SYS_TIME is capability number 25. */
export const CAP_SYS_TIME = 25;

export interface ProcCaps {
  /** Hex as /proc prints it. */
  eff: string;
  bnd?: string;
  /** CAP_SYS_TIME in the effective set. */
  effSysTime: boolean;
  /** CAP_SYS_TIME in the bounding set (absent: whatever started the daemon removed it, not the daemon itself). */
  bndSysTime?: boolean;
}

function bit(hex: string, n: number): boolean {
  return ((BigInt(`0x${hex}`) >> BigInt(n)) & 1n) === 1n;
}

/** CapEff / CapBnd lines of /proc/PID/status (proc(5)). */
export function parseCaps(status: string): ProcCaps | undefined {
  const eff = /^CapEff:\s*([0-9a-fA-F]{1,16})\s*$/m.exec(status)?.[1];
  if (eff === undefined) return undefined;
  const caps: ProcCaps = { eff, effSysTime: bit(eff, CAP_SYS_TIME) };
  const bnd = /^CapBnd:\s*([0-9a-fA-F]{1,16})\s*$/m.exec(status)?.[1];
  if (bnd !== undefined) {
    caps.bnd = bnd;
    caps.bndSysTime = bit(bnd, CAP_SYS_TIME);
  }
  return caps;
}

/** /proc/PID/uid_map: the initial user namespace maps 0 → 0 over the whole range (user_namespaces(7)). */
export function initialUserNamespace(uidMap: string): boolean {
  const lines = uidMap.trim().split('\n').map((l) => l.trim().split(/\s+/));
  return lines.length === 1 && lines[0]?.[0] === '0' && lines[0]?.[1] === '0' && lines[0]?.[2] === '4294967295';
}

/**
 * chronyd's `-x` ("do not control the system clock", chronyd(8)): options parsed as getopt does, so `-dx` counts
 * and the argument of -f/-F/-l/-L/-P/-t/-u does not.
 */
export function chronydNoClock(argv: readonly string[]): boolean {
  // chronyd 4.x getopt string "46df:F:hl:L:mnP:qQrRst:u:Uvx": these take an argument.
  const withArg = new Set(['f', 'F', 'l', 'L', 'P', 't', 'u']);
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') return false;
    if (!a.startsWith('-') || a === '-') return false; // first directive on the command line: options end
    for (let j = 1; j < a.length; j++) {
      const c = a[j] as string;
      if (c === 'x') return true;
      if (withArg.has(c)) {
        if (j === a.length - 1) i++;
        break;
      }
    }
  }
  return false;
}

/** Container runtimes named by /proc/1/cgroup paths (cgroup v1 and v2). */
export function containerFromCgroup(text: string): string | undefined {
  for (const line of text.split('\n').slice(0, 200)) {
    const path = line.split(':').slice(2).join(':');
    if (/\/kubepods/.test(path)) return 'kubernetes';
    if (/\/docker[-/]/.test(path)) return 'docker';
    if (/\/libpod-|\/machine\.slice\/libpod/.test(path)) return 'podman';
    if (/\/lxc[./]|\/lxc\.payload/.test(path)) return 'lxc';
    if (/containerd/.test(path)) return 'containerd';
  }
  return undefined;
}

export interface ContainerInfo {
  /** 'docker', 'podman', 'lxc', 'kubernetes', … or undefined: not in a container as far as the signs go. */
  kind?: string;
  /** What said so (or what said nothing). */
  signs: string[];
  /**
   * CAP_SYS_TIME in PID 1's bounding set (this node's init, or the container's): true means the runtime left it and
   * whatever started the daemon removed it; absent when /proc/1/status could not be read.
   */
  initBndSysTime?: boolean;
}

const readText = async (path: string): Promise<string | undefined> => {
  try {
    return (await readFile(path, 'utf8')).slice(0, 64 * 1024);
  } catch {
    return undefined;
  }
};
const exists = async (path: string): Promise<boolean> => {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
};

/** Are we in a container? systemd-detect-virt -c first, then the runtimes' marker files, then /proc/1/cgroup. */
export async function detectContainer(run: Runner, timeoutMs: number, root = ''): Promise<ContainerInfo> {
  const signs: string[] = [];
  let kind: string | undefined;
  const v = await run('systemd-detect-virt', ['-c'], { timeoutMs });
  const answer = v.stdout.trim().split('\n')[0]?.trim() ?? '';
  if (/^[a-z][a-z0-9-]{0,30}$/.test(answer) && answer !== 'none') {
    kind = answer;
    signs.push(`systemd-detect-virt -c: ${answer}`);
  }
  if (await exists(`${root}/.dockerenv`)) {
    kind ??= 'docker';
    signs.push('/.dockerenv exists');
  }
  if (await exists(`${root}/run/.containerenv`)) {
    kind ??= 'podman';
    signs.push('/run/.containerenv exists');
  }
  const cg = await readText(`${root}/proc/1/cgroup`);
  const fromCg = cg !== undefined ? containerFromCgroup(cg) : undefined;
  if (fromCg) {
    kind ??= fromCg;
    signs.push(`/proc/1/cgroup names ${fromCg}`);
  }
  const info: ContainerInfo = { signs };
  if (kind !== undefined) info.kind = kind;
  const init = parseCaps((await readText(`${root}/proc/1/status`)) ?? '');
  if (init?.bndSysTime !== undefined) info.initBndSysTime = init.bndSysTime;
  return info;
}

/** Log lines that say a daemon was refused the clock (failure-modes.md row 1; recorded in test/inspect/fixtures/clock). */
const REFUSED: readonly RegExp[] = [
  /adjtimex\(0x[0-9a-f]+\) failed\s*:\s*Operation not permitted/i, // chronyd: "Fatal error : adjtimex(0x8001) failed : Operation not permitted"
  /CAP_SYS_TIME not present/, // chronyd 4.x, just before the fatal error
  /Disabled control of system clock/, // chronyd -x
  /ntp_adjtime:\s*Operation not permitted/i, // NTPsec: "CLOCK: start_kern_loop: ... ntp_adjtime: Operation not permitted"
  /ntp_adjtime\(\) failed:?\s*Operation not permitted/i, // classic ntpd
  /(adj_systime|step_systime|step-systime|settimeofday|clock_settime)\b.*Operation not permitted/i,
  /adjtime failed: Operation not permitted/i, // openntpd
];

export function refusedLines(log: string, max = 10): string[] {
  const out: string[] = [];
  for (const line of log.split('\n').slice(-5000)) {
    if (REFUSED.some((re) => re.test(line))) out.push(line.trim().slice(0, 300));
  }
  return out.slice(-max);
}

/** The units whose journal is read (Debian and RHEL names). */
const UNITS = ['chronyd', 'chrony', 'ntpd', 'ntp', 'ntpsec', 'openntpd', 'systemd-timesyncd'];

/** This boot's last lines of the time daemons' units, read-only and bounded (-n, --no-pager, a time limit). */
export async function journalRefusals(run: Runner, timeoutMs: number): Promise<{ lines: string[]; gap?: string }> {
  const args = ['--no-pager', '-q', '-b', '-n', '400', '-o', 'short-iso', ...UNITS.flatMap((u) => ['-u', u])];
  const r = await run('journalctl', args, { timeoutMs });
  if (r.problem === 'not-found') return { lines: [] };
  if (r.problem === 'permission' || /not seeing messages from other users|insufficient permissions/i.test(r.stderr)) {
    return { lines: refusedLines(r.stdout), gap: 'journalctl: not allowed to read the system journal (run as root or in group systemd-journal)' };
  }
  return { lines: refusedLines(r.stdout) };
}

export interface DaemonClockControl {
  name: TimeDaemonProcess['name'];
  pid: number;
  argv: string[];
  caps?: ProcCaps;
  /** False when the daemon runs in a user namespace other than the initial one (its capabilities do not reach the clock). */
  initialUserNs?: boolean;
  /** chronyd -x. */
  noClockOption: boolean;
}

/** /proc/PID/status and uid_map of each daemon; a process we may not read gets no caps (the rule then says nothing). */
export async function daemonClockControl(daemons: readonly TimeDaemonProcess[], procRoot = '/proc'): Promise<DaemonClockControl[]> {
  return Promise.all(
    daemons.map(async (d) => {
      const out: DaemonClockControl = { name: d.name, pid: d.pid, argv: d.argv.slice(0, 64), noClockOption: d.name === 'chronyd' && chronydNoClock(d.argv) };
      const status = await readText(`${procRoot}/${d.pid}/status`);
      const caps = status !== undefined ? parseCaps(status) : undefined;
      if (caps) out.caps = caps;
      const uidMap = await readText(`${procRoot}/${d.pid}/uid_map`);
      if (uidMap !== undefined && uidMap.trim() !== '') out.initialUserNs = initialUserNamespace(uidMap);
      return out;
    }),
  );
}
