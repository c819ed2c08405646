/**
 * Asks systemd-timesyncd for its own view, read-only and bounded: `timedatectl show-timesync --all` and
 * `timedatectl timesync-status` (D-Bus org.freedesktop.timesync1; absent without a system bus), the last lines of
 * its journal (`journalctl -u systemd-timesyncd -b -n 400`), and /run/systemd/timesync/synchronized (created at
 * the first synchronisation since boot; what systemd-time-wait-sync waits for). Then builds a daemon-state
 * observation whose sources carry what the log says: no reply, rejected for root distance (RootDistanceMaxSec),
 * rejected as unsynchronized.
 *
 * timesyncd keeps no RFC 5905 §13 reach register and polls one server at a time, so `reach` here is derived:
 * 0xff for the server it is synchronised to, 0 otherwise, with `reachRegister: false` so rules do not read it as
 * eight polls' worth of history.
 */
import { stat } from 'node:fs/promises';
import type { DaemonSource, DaemonStateObservation, TimeDaemonProcess, TimesyncdState } from '../../model/daemon.js';
import type { TimesyncdConfig } from '../../model/config.js';
import { configuredServers } from '../config/timesyncd-conf.js';
import { canonicalAddress, parseAddress } from '../../net/ip.js';
import { whyFailed, type Runner } from '../run.js';
import type { DaemonGather } from './gather.js';
import { parseShowTimesync, parseTimesyncdLog, parseTimesyncStatus, type ShowTimesync, type TimesyncdLog } from './timesyncd-parse.js';

export const SYNCHRONIZED_FLAG = '/run/systemd/timesync/synchronized';
/** Journal lines read: enough for hours of a failing timesyncd (one line per attempt, ~30 s apart at worst). */
const JOURNAL_LINES = 400;

export interface TimesyncdInputs {
  show?: ShowTimesync;
  status?: { offset?: number; delay?: number; jitter?: number };
  log?: TimesyncdLog;
  /** mtime (Unix seconds) of /run/systemd/timesync/synchronized; undefined = not there (never synced since boot). */
  synchronizedAt?: number;
  config?: TimesyncdConfig;
  uptime?: number;
}

const canon = (a: string) => (parseAddress(a) ? canonicalAddress(a) : a);

/** Pure: the pieces above → one daemon-state observation. */
export function timesyncdStateFrom(inp: TimesyncdInputs, via: string[]): DaemonStateObservation {
  const show = inp.show;
  const limitFromConfig = inp.config?.settings.rootDistanceMaxSec;
  const limit = show?.rootDistanceMax ?? limitFromConfig?.value ?? 5;
  const sources = new Map<string, DaemonSource>();
  // Only literal addresses become sources: a log line or a bus reply is text from the node, and a source's
  // address ends up in evidence and probe commands.
  const scratch: DaemonSource = { address: '', kind: 'server', state: '?', selected: false, reach: 0 };
  const source = (address: string, name?: string): DaemonSource => {
    if (!parseAddress(address)) return { ...scratch };
    const key = canon(address);
    let s = sources.get(key);
    if (!s) {
      s = { address: key, kind: 'server', state: '?', selected: false, reach: 0, reachRegister: false };
      sources.set(key, s);
    }
    if (name && name !== key && s.name === undefined) s.name = name;
    return s;
  };
  // Configured servers first (names until the log or D-Bus says which address they are).
  const names = show ? [...show.systemServers, ...show.linkServers, ...show.runtimeServers] : [];
  const fromFiles = inp.config ? configuredServers(inp.config).servers.map((s) => s.address) : [];
  for (const n of names.length ? names : fromFiles) if (parseAddress(n)) source(n);
  for (const l of inp.log?.servers ?? []) {
    const s = source(l.address, l.name);
    if (l.lastContact !== undefined) s.lastContact = l.lastContact;
    if (l.noReply) s.noReply = l.noReply;
    if (l.rootDistance) {
      s.rejected = { test: 'root-distance', limit, ...l.rootDistance };
      s.rejected.limitFrom = limitFromConfig?.at ?? 'default';
    } else if (l.unsynchronized) {
      s.rejected = { test: 'unsynchronized', ...l.unsynchronized };
    }
  }
  const msg = show?.message;
  // The current server, and whether timesyncd took its last reply: NTPMessage is only there once one was accepted.
  if (show?.serverAddress && parseAddress(show.serverAddress)) {
    const s = source(show.serverAddress, show.serverName);
    if (show.pollInterval && show.pollInterval > 0) s.poll = Math.round(Math.log2(show.pollInterval));
    const accepted = msg !== undefined && msg.ignored !== true && (msg.packetCount ?? 1) > 0 && !s.rejected;
    if (accepted) {
      s.selected = true;
      s.state = '*';
      s.reach = 0xff;
      if (msg.stratum !== undefined) s.stratum = msg.stratum;
      if (msg.reference) s.refid = msg.reference;
      if (inp.status?.offset !== undefined) s.offset = inp.status.offset;
      if (inp.status?.delay !== undefined) s.delay = inp.status.delay;
      if (inp.status?.jitter !== undefined) s.jitter = inp.status.jitter;
      else if (msg.jitter !== undefined) s.jitter = msg.jitter;
    }
  } else if (!show) {
    // No D-Bus: the log's latest contact without a later failure is the server in use.
    for (const l of inp.log?.servers ?? []) {
      const s = sources.get(canon(l.address));
      if (s && l.contacted && !l.noReply && !l.rootDistance && !l.unsynchronized) {
        s.selected = true;
        s.state = '*';
        s.reach = 0xff;
      }
    }
  }
  const st: DaemonStateObservation = { kind: 'daemon-state', source: 'daemon', daemon: 'systemd-timesyncd', via: via.join(', '), sources: [...sources.values()].slice(0, 64) };
  if (inp.uptime !== undefined) st.uptime = inp.uptime;
  const selected = st.sources.find((s) => s.selected);
  if (selected && msg) {
    const system: NonNullable<DaemonStateObservation['system']> = {
      // A client one step below its server (RFC 5905 §7.3: stratum = the server's + 1).
      stratum: Math.min(16, (msg.stratum ?? 15) + 1),
      leap: msg.leap ?? 0,
      refid: selected.address,
      // It took this server's last reply (NTPMessage present, not ignored) and that server was not unsynchronized.
      synchronized: msg.leap !== 3,
    };
    if (inp.status?.offset !== undefined) system.offset = inp.status.offset;
    if (msg.rootDelay !== undefined) system.rootDelay = msg.rootDelay;
    if (msg.rootDispersion !== undefined) system.rootDispersion = msg.rootDispersion;
    st.system = system;
  }
  const t: TimesyncdState = { from: via };
  if (show?.serverName) t.serverName = show.serverName;
  if (show?.serverAddress && parseAddress(show.serverAddress)) t.serverAddress = canon(show.serverAddress);
  if (show?.pollInterval !== undefined) t.pollInterval = show.pollInterval;
  t.rootDistanceMax = limit;
  if (inp.synchronizedAt !== undefined) t.synchronizedAt = inp.synchronizedAt;
  if (inp.log?.adjtimeFailed) t.adjtimeFailed = inp.log.adjtimeFailed;
  st.timesyncd = t;
  return st;
}

/** mtime of the flag file, or undefined when it is not there. */
async function flagTime(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs / 1000;
  } catch {
    return undefined;
  }
}

export async function askTimesyncd(
  run: Runner,
  d: TimeDaemonProcess,
  config: TimesyncdConfig | undefined,
  now: number,
  timeoutMs: number,
  flagPath: string = SYNCHRONIZED_FLAG,
): Promise<DaemonGather> {
  const o = { timeoutMs };
  const [show, status, journal, synchronizedAt] = await Promise.all([
    run('timedatectl', ['show-timesync', '--all'], o),
    run('timedatectl', ['timesync-status'], o),
    run('journalctl', ['-u', 'systemd-timesyncd.service', '-b', '-n', String(JOURNAL_LINES), '-o', 'short-unix', '--no-pager', '-q'], o),
    flagTime(flagPath),
  ]);
  const gaps: DaemonGather['gaps'] = [];
  const via: string[] = [];
  const inp: TimesyncdInputs = {};
  if (config) inp.config = config;
  if (d.startedAt !== undefined) inp.uptime = Math.max(0, now - d.startedAt);
  if (show.ok) {
    inp.show = parseShowTimesync(show.stdout);
    via.push('timedatectl show-timesync --all');
    if (status.ok) inp.status = parseTimesyncStatus(status.stdout);
  } else {
    gaps.push({ what: `systemd-timesyncd (pid ${d.pid}) state over D-Bus (timedatectl show-timesync)`, why: whyFailed(show, timeoutMs) });
  }
  if (journal.ok && journal.stdout.trim() !== '') {
    inp.log = parseTimesyncdLog(journal.stdout);
    via.push(`journalctl -u systemd-timesyncd (last ${JOURNAL_LINES} lines this boot)`);
  } else {
    gaps.push({ what: `systemd-timesyncd (pid ${d.pid}) journal`, why: journal.ok ? 'no journal lines readable (not root or not in the systemd-journal/adm group, or no persistent journal)' : whyFailed(journal, timeoutMs) });
  }
  if (synchronizedAt !== undefined) {
    inp.synchronizedAt = synchronizedAt;
    via.push(flagPath);
  }
  if (!inp.show && !inp.log) return { states: [], gaps };
  return { states: [timesyncdStateFrom(inp, via)], gaps };
}
