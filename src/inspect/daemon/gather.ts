/**
 * Asks each running daemon for its own view: chronyd through `chronyc -c -n` (sources, sourcestats,
 * tracking), ntpd through mode 6 over loopback (./mode6.ts). chronyc is pointed at the command socket the
 * daemon's config names (`bindcmdaddress /path`), then the default socket, then UDP 323 on loopback, which
 * unprivileged users may use for these monitoring commands (chrony.conf(5) cmdallow, bindcmdaddress).
 */
import type { DaemonStateObservation, TimeDaemonProcess } from '../../model/daemon.js';
import type { ChronyConfig } from '../../model/config.js';
import { CHRONY_MAXDISTANCE, NTPD_MAXDIST } from '../../ntp/constants.js';
import { whyFailed, type CommandResult, type Runner } from '../run.js';
import { mergeAuthdata, parseChronycAuthdata } from './authdata.js';
import { mergeChronycNames, mergeChronycSelection, parseChronycActivity } from './chrony-select.js';
import { mergeChronycSourcestats, parseChronycSources, parseChronycTracking } from './chronyc.js';
import { MAX_ASSOCIATIONS, readNtpdState, type Mode6State } from './mode6.js';
import { readNtsLog } from './nts-log.js';
import { sourceFromVariables, systemFromVariables } from './ntpq.js';

export interface DaemonGather {
  states: DaemonStateObservation[];
  gaps: Array<{ what: string; why: string }>;
}

/**
 * chronyc's -h list: the config's own command socket first, then UDP on loopback (which in a network namespace is
 * that namespace's chronyd, and which unprivileged users may use for monitoring), then the default Unix socket.
 */
export function chronycHosts(config?: ChronyConfig): string {
  // `bindcmdaddress /` switches the Unix socket off (chrony.conf(5)): not a path to use.
  const sockets = (config?.bindCmdAddresses ?? []).map((b) => b.address).filter((a) => a.startsWith('/') && a !== '/');
  const udp = config?.cmdPort === 0 ? [] : ['127.0.0.1', '::1'];
  return [...sockets, ...udp, '/run/chrony/chronyd.sock'].join(',');
}

/** chronyc's base arguments: -h list, and -p when the config moves the command port. */
export function chronycArgs(config?: ChronyConfig): string[] {
  const args = ['-h', chronycHosts(config)];
  if (config?.cmdPort !== undefined && config.cmdPort !== 0) args.push('-p', String(config.cmdPort));
  return args;
}

function uptimeOf(d: TimeDaemonProcess, now: number): number | undefined {
  return d.startedAt !== undefined ? Math.max(0, now - d.startedAt) : undefined;
}

/**
 * The Unix command sockets only: chronyd answers `ntpdata` and `selectdata` there alone ("501 Not authorised" over
 * UDP, chronyc(1)), and only to root or chronyd's user. Empty when `bindcmdaddress /` switches the socket off.
 */
export function chronycSocketArgs(config?: ChronyConfig): string[] | undefined {
  const binds = config?.bindCmdAddresses ?? [];
  if (binds.some((b) => b.address === '/')) return undefined;
  const sockets = binds.map((b) => b.address).filter((a) => a.startsWith('/'));
  return ['-h', [...sockets, '/run/chrony/chronyd.sock'].join(',')];
}

/** chrony.conf(5) maxjitter default (seconds): sources whose jitter exceeds it are not selectable (selectdata `~`). */
export const CHRONY_MAXJITTER = 1;

/** chrony.conf `maxdistance` (default 3 s) and `maxjitter` (default 1 s): the selection limits (chrony.conf(5)). */
export function chronyLimits(config?: ChronyConfig): NonNullable<DaemonStateObservation['limits']> {
  const last = (kw: string): number | undefined => {
    const d = [...(config?.directives ?? [])].reverse().find((x) => x.keyword.toLowerCase() === kw);
    const n = Number(d?.args[0]);
    return d && Number.isFinite(n) && n > 0 ? n : undefined;
  };
  return { maxDistance: last('maxdistance') ?? CHRONY_MAXDISTANCE, maxJitter: last('maxjitter') ?? CHRONY_MAXJITTER };
}

/** chronyc prints "501 Not authorised" (and exits 1) when the command needs the Unix socket. */
function privilegedWhy(r: CommandResult, timeoutMs: number): string {
  if (/501 Not authorised/.test(r.stdout + r.stderr)) return 'chronyd answers it only on its Unix command socket, to root or its own user: run ntpdoctor as root';
  return whyFailed(r, timeoutMs);
}

export async function askChronyd(run: Runner, d: TimeDaemonProcess, config: ChronyConfig | undefined, now: number, timeoutMs: number): Promise<DaemonGather> {
  const base = chronycArgs(config);
  const o = { timeoutMs };
  const socket = chronycSocketArgs(config);
  const skipped: CommandResult = { ok: false, stdout: '', stderr: '', code: null, command: 'chronyc (not run)' };
  // authdata (chrony ≥ 4.0) only when a source uses NTS: older chronyc lacks the command.
  const nts = config?.sources.some((s) => s.options.includes('nts')) ?? false;
  const [sources, named, stats, tracking, activity, ntpdata, selectdata, auth, authNamed, ntsLog] = await Promise.all([
    // -a: sources without an address yet too (unresolved names show as ID#…: sources-not-polled).
    run('chronyc', [...base, '-c', '-n', 'sources', '-a'], o),
    run('chronyc', [...base, '-c', '-n', '-N', 'sources', '-a'], o),
    run('chronyc', [...base, '-c', '-n', 'sourcestats'], o),
    run('chronyc', [...base, '-c', '-n', 'tracking'], o),
    run('chronyc', [...base, '-c', 'activity'], o),
    socket ? run('chronyc', [...socket, '-c', '-n', 'ntpdata'], o) : Promise.resolve(skipped),
    socket ? run('chronyc', [...socket, '-c', '-n', 'selectdata', '-a'], o) : Promise.resolve(skipped),
    nts ? run('chronyc', [...base, '-c', '-n', 'authdata'], o) : undefined,
    nts ? run('chronyc', [...base, '-c', '-N', 'authdata'], o) : undefined,
    nts ? readNtsLog(run, timeoutMs) : undefined,
  ]);
  if (!sources.ok) return { states: [], gaps: [{ what: `chronyd (pid ${d.pid}) sources`, why: whyFailed(sources, timeoutMs) }] };
  let list = mergeChronycSourcestats(parseChronycSources(sources.stdout), stats.ok ? stats.stdout : '');
  if (named.ok) list = mergeChronycNames(list, named.stdout);
  list = mergeChronycSelection(list, ntpdata.ok ? ntpdata.stdout : '', selectdata.ok ? selectdata.stdout : '');
  const state: DaemonStateObservation = {
    kind: 'daemon-state',
    source: 'daemon',
    daemon: 'chronyd',
    via: 'chronyc -c -n sources -a/sourcestats/tracking/activity/ntpdata/selectdata',
    sources: list,
    limits: chronyLimits(config),
  };
  const up = uptimeOf(d, now);
  if (up !== undefined) state.uptime = up;
  const system = tracking.ok ? parseChronycTracking(tracking.stdout) : undefined;
  if (system) state.system = system;
  const act = activity.ok ? parseChronycActivity(activity.stdout) : undefined;
  if (act) state.activity = act;
  const gaps: DaemonGather['gaps'] = [];
  // Without ntpdata a `^?` source cannot be told apart: no reply, or replies that fail the tests (source-rejected).
  if (!socket) gaps.push({ what: `chronyd (pid ${d.pid}) ntpdata/selectdata`, why: 'its Unix command socket is off (bindcmdaddress /), the only place chronyd answers them' });
  else if (!ntpdata.ok) gaps.push({ what: `chronyd (pid ${d.pid}) ntpdata`, why: privilegedWhy(ntpdata, timeoutMs) });
  if (auth?.ok) {
    mergeAuthdata(state.sources, parseChronycAuthdata(auth.stdout, authNamed?.ok ? authNamed.stdout : undefined));
    state.via += '/authdata';
  } else if (auth) gaps.push({ what: `chronyd (pid ${d.pid}) NTS state (authdata)`, why: whyFailed(auth, timeoutMs) });
  if (ntsLog?.lines.length) state.ntsLog = ntsLog.lines;
  if (ntsLog?.gap) gaps.push({ what: `chronyd's NTS-KE log lines (${ntsLog.command})`, why: ntsLog.gap });
  return { states: [state], gaps };
}

/** The associations past MAX_ASSOCIATIONS were not read: a gap (inspection-incomplete), never a silent cut. */
export function associationsCapGap(d: Pick<TimeDaemonProcess, 'pid'>, m: Pick<Mode6State, 'peers' | 'listed'>): DaemonGather['gaps'] {
  if (m.listed <= m.peers.length) return [];
  return [
    {
      what: `ntpd (pid ${d.pid}) associations ${m.peers.length + 1}–${m.listed} of ${m.listed}`,
      why: `READSTAT listed ${m.listed} associations; ntpdoctor reads the first ${MAX_ASSOCIATIONS} only (a bound against a hostile or broken responder), so the sources past them were not judged: \`ntpq -pn\` lists them all`,
    },
  ];
}

/** Turns a mode 6 reading into the daemon's state. */
export function ntpdStateFrom(m: Pick<Mode6State, 'system' | 'peers'>): Pick<DaemonStateObservation, 'sources' | 'system' | 'limits'> {
  const sources = m.peers.map((p) => sourceFromVariables(p.vars, p.tally === '*' || p.tally === 'o', p.tally));
  const system = systemFromVariables(m.system);
  // `tos maxdist` (ntp_misc(5)) is not among the system variables: its default, which TEST11 (peer_dist) uses.
  const limits = { maxDistance: NTPD_MAXDIST };
  return system ? { sources, system, limits } : { sources, limits };
}

export async function askNtpd(d: TimeDaemonProcess, now: number, timeoutMs: number, host = '127.0.0.1', port = 123): Promise<DaemonGather> {
  try {
    const m = await readNtpdState(host, port, timeoutMs);
    // The daemon says which ntpd it is: `version="ntpd ntpsec-1.2.2"` vs `"ntpd 4.2.8p15@1.3728-o"`.
    const version = m.system.version ?? '';
    if (version.includes('ntpsec')) d.variant = 'ntpsec';
    else if (version.startsWith('ntpd 4')) d.variant = 'ntpd';
    const state: DaemonStateObservation = { kind: 'daemon-state', source: 'daemon', daemon: 'ntpd', via: 'mode 6 READSTAT/READVAR (as ntpq)', ...ntpdStateFrom(m) };
    const up = uptimeOf(d, now);
    if (up !== undefined) state.uptime = up;
    return { states: [state], gaps: associationsCapGap(d, m) };
  } catch (err) {
    return { states: [], gaps: [{ what: `ntpd (pid ${d.pid}) peers and system variables`, why: (err as Error).message }] };
  }
}
