/**
 * Which time daemons run here, read from /proc (proc(5)) rather than parsed from `ps`: the command line
 * (/proc/PID/cmdline), the start time (/proc/PID/stat field 22, in clock ticks since boot, + btime from
 * /proc/stat) and the network namespace (/proc/PID/ns/net). Processes in another network namespace are another
 * "node" (containers, `ip netns`), so they are left out when the namespace can be read.
 */
import { readFile, readdir, readlink } from 'node:fs/promises';
import { basename } from 'node:path';
import type { TimeDaemonName, TimeDaemonProcess } from '../../model/daemon.js';

/** USER_HZ: the unit of /proc/PID/stat times; 100 on every mainstream Linux architecture (proc(5), times(2)). */
const CLOCK_TICKS = 100;

export interface ProcScan {
  daemons: TimeDaemonProcess[];
  /** False when some processes could not be read (hidepid, or they vanished), or /proc is absent. */
  complete: boolean;
  note?: string;
}

/** Which daemon a command line is, by its program name. */
export function daemonOf(argv: readonly string[]): TimeDaemonName | undefined {
  const prog = basename(argv[0] ?? '');
  if (prog === 'chronyd') return 'chronyd';
  if (prog === 'ntpd') return 'ntpd';
  if (prog === 'systemd-timesyncd') return 'systemd-timesyncd';
  if (prog === 'openntpd') return 'openntpd';
  return undefined;
}

/** The config file a daemon was started with: chronyd `-f FILE`, ntpd `-c FILE` / `--configfile=FILE`. */
export function configFromArgv(name: TimeDaemonName, argv: readonly string[]): string | undefined {
  const flag = name === 'chronyd' ? '-f' : name === 'ntpd' ? '-c' : undefined;
  if (!flag) return undefined;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === flag && argv[i + 1] !== undefined) return argv[i + 1];
    if (a.startsWith(flag) && a.length > 2 && !a.startsWith('--')) return a.slice(2);
    if (name === 'ntpd' && a.startsWith('--configfile=')) return a.slice('--configfile='.length);
  }
  return undefined;
}

/** /proc/PID/stat: the fields after the parenthesised comm (which may hold spaces); field 22 is starttime. */
export function startTicks(stat: string): number | undefined {
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  const rest = stat.slice(close + 2).split(' ');
  // rest[0] is field 3 (state): field 22 is rest[19].
  const ticks = Number(rest[19]);
  return Number.isFinite(ticks) ? ticks : undefined;
}

export async function scanProcesses(procRoot = '/proc'): Promise<ProcScan> {
  let pids: string[];
  try {
    pids = (await readdir(procRoot)).filter((n) => /^\d+$/.test(n));
  } catch (err) {
    return { daemons: [], complete: false, note: `${procRoot} not readable: ${(err as Error).message}` };
  }
  let btime: number | undefined;
  try {
    const m = /^btime (\d+)$/m.exec(await readFile(`${procRoot}/stat`, 'utf8'));
    if (m) btime = Number(m[1]);
  } catch {
    /* start times stay unknown */
  }
  let ownNet: string | undefined;
  try {
    ownNet = await readlink(`${procRoot}/self/ns/net`);
  } catch {
    /* cannot tell namespaces apart: keep every daemon */
  }
  let complete = true;
  let hidden = '';
  try {
    // hidepid (proc(5)): other users' processes are not even listed, so a daemon running as ntp/_chrony is unseen.
    const mounts = await readFile(`${procRoot}/mounts`, 'utf8');
    const m = /^\S+ \/proc proc \S*hidepid=(\w+)/m.exec(mounts);
    if (m && m[1] !== '0' && m[1] !== 'off' && process.getuid?.() !== 0) {
      complete = false;
      hidden = `/proc is mounted with hidepid=${m[1]}: other users' processes are hidden`;
    }
  } catch {
    /* no mounts table: nothing to say */
  }
  let otherNamespace = 0;
  const daemons: TimeDaemonProcess[] = [];
  await Promise.all(
    pids.map(async (pid) => {
      let argv: string[];
      try {
        const raw = await readFile(`${procRoot}/${pid}/cmdline`, 'utf8');
        argv = raw.split('\0').filter((a, i, all) => a !== '' || i < all.length - 1);
      } catch (err) {
        // A process that ended meanwhile is no loss; one we may not read is.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') complete = false;
        return;
      }
      const name = daemonOf(argv);
      if (!name) return;
      if (ownNet !== undefined) {
        try {
          if ((await readlink(`${procRoot}/${pid}/ns/net`)) !== ownNet) {
            otherNamespace++;
            return;
          }
        } catch {
          // Another user's process (ntpd runs as ntp): its namespace is hidden; on a real node it is this one.
        }
      }
      const d: TimeDaemonProcess = { name, pid: Number(pid), argv };
      const config = configFromArgv(name, argv);
      if (config !== undefined) d.configPath = config;
      if (name === 'ntpd') {
        let exe = argv[0] ?? '';
        try {
          exe = await readlink(`${procRoot}/${pid}/exe`);
        } catch {
          /* keep argv[0] */
        }
        if (exe.includes('ntpsec') || (config ?? '').includes('ntpsec')) d.variant = 'ntpsec';
      }
      if (btime !== undefined) {
        try {
          const ticks = startTicks(await readFile(`${procRoot}/${pid}/stat`, 'utf8'));
          if (ticks !== undefined) d.startedAt = btime + ticks / CLOCK_TICKS;
        } catch {
          /* unknown start */
        }
      }
      daemons.push(d);
    }),
  );
  daemons.sort((a, b) => a.pid - b.pid);
  const scan: ProcScan = { daemons, complete };
  const notes = [hidden, otherNamespace > 0 ? `${otherNamespace} time daemon(s) in other network namespaces left out` : ''].filter(Boolean);
  if (notes.length) scan.note = notes.join('; ');
  return scan;
}
