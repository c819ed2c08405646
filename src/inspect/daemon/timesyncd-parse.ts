/**
 * systemd-timesyncd's own words, parsed (pure: text in, facts out). Formats recorded from the real binary
 * (Debian 12, systemd 252.39) in the lab: fixtures/timesyncd/*.
 * - `timedatectl show-timesync --all`: Key=Value lines; NTPMessage={ Leap=0, Stratum=2, RootDelay=0, ... } only
 *   once a reply was accepted (a reply rejected for root distance leaves it absent and "Packet count: 0").
 * - `timedatectl timesync-status`: "  Offset: +482us" style lines.
 * - its log (`journalctl -o short-unix` lines, or bare messages as on stderr), messages of timesyncd-manager.c:
 *   "Timed out waiting for reply from ADDR:123 (NAME).", "Server has too large root distance. Disconnecting."
 *   (no address: it is the server last connected to), "Contacted time server ADDR:123 (NAME).",
 *   "Failed to call clock_adjtime(): Operation not permitted".
 */
import type { LoggedEvent } from '../../model/daemon.js';
import { parseTimespan } from '../config/timesyncd-conf.js';

export interface TimesyncdNtpMessage {
  leap?: number;
  stratum?: number;
  rootDelay?: number;
  rootDispersion?: number;
  reference?: string;
  packetCount?: number;
  ignored?: boolean;
  jitter?: number;
}

export interface ShowTimesync {
  systemServers: string[];
  linkServers: string[];
  runtimeServers: string[];
  fallbackServers: string[];
  serverName?: string;
  serverAddress?: string;
  /** Seconds. */
  rootDistanceMax?: number;
  pollIntervalMin?: number;
  pollIntervalMax?: number;
  pollInterval?: number;
  message?: TimesyncdNtpMessage;
}

const list = (v: string | undefined) => (v ?? '').split(/\s+/).filter(Boolean).slice(0, 64);

/** `timedatectl show-timesync --all`. */
export function parseShowTimesync(text: string): ShowTimesync {
  const kv = new Map<string, string>();
  for (const line of text.split('\n').slice(0, 200)) {
    const eq = line.indexOf('=');
    if (eq > 0) kv.set(line.slice(0, eq), line.slice(eq + 1).trim());
  }
  const out: ShowTimesync = {
    systemServers: list(kv.get('SystemNTPServers')),
    linkServers: list(kv.get('LinkNTPServers')),
    runtimeServers: list(kv.get('RuntimeNTPServers')),
    fallbackServers: list(kv.get('FallbackNTPServers')),
  };
  const name = kv.get('ServerName');
  if (name) out.serverName = name.slice(0, 255);
  const addr = kv.get('ServerAddress');
  if (addr) out.serverAddress = addr.slice(0, 64);
  const spans: Array<[string, 'rootDistanceMax' | 'pollIntervalMin' | 'pollIntervalMax' | 'pollInterval']> = [
    ['RootDistanceMaxUSec', 'rootDistanceMax'],
    ['PollIntervalMinUSec', 'pollIntervalMin'],
    ['PollIntervalMaxUSec', 'pollIntervalMax'],
    ['PollIntervalUSec', 'pollInterval'],
  ];
  for (const [key, field] of spans) {
    const v = parseTimespan(kv.get(key) ?? '');
    if (v !== undefined) out[field] = v;
  }
  const msg = kv.get('NTPMessage');
  if (msg && msg.startsWith('{')) out.message = parseNtpMessage(msg);
  return out;
}

/** `{ Leap=0, Version=4, ..., RootDispersion=15us, Reference=7F7F0101, ..., Ignored=no, PacketCount=2, Jitter=182us }`. */
export function parseNtpMessage(text: string): TimesyncdNtpMessage {
  const fields = new Map<string, string>();
  for (const part of text.replace(/^\{|\}$/g, '').split(',').slice(0, 40)) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const m: TimesyncdNtpMessage = {};
  const int = (k: string) => {
    const v = fields.get(k);
    return v !== undefined && /^-?\d+$/.test(v) ? Number(v) : undefined;
  };
  const span = (k: string) => parseTimespan(fields.get(k) ?? '');
  const set = <K extends keyof TimesyncdNtpMessage>(k: K, v: TimesyncdNtpMessage[K] | undefined) => {
    if (v !== undefined) m[k] = v;
  };
  set('leap', int('Leap'));
  set('stratum', int('Stratum'));
  set('rootDelay', span('RootDelay'));
  set('rootDispersion', span('RootDispersion'));
  set('packetCount', int('PacketCount'));
  set('jitter', span('Jitter'));
  const ref = fields.get('Reference');
  if (ref) m.reference = ref.slice(0, 64);
  const ignored = fields.get('Ignored');
  if (ignored === 'yes' || ignored === 'no') m.ignored = ignored === 'yes';
  return m;
}

/** `timedatectl timesync-status`: the measured offset, delay and jitter (seconds). */
export function parseTimesyncStatus(text: string): { offset?: number; delay?: number; jitter?: number } {
  const out: { offset?: number; delay?: number; jitter?: number } = {};
  for (const [label, field] of [['Offset', 'offset'], ['Delay', 'delay'], ['Jitter', 'jitter']] as const) {
    const m = new RegExp(`^\\s*${label}: ([+-]?)(.+)$`, 'm').exec(text);
    const v = m ? parseTimespan(m[2] ?? '') : undefined;
    if (m && v !== undefined) out[field] = m[1] === '-' ? -v : v;
  }
  return out;
}

/** What the log says about one server address. Events before its last contact are history and are dropped. */
export interface ServerLog {
  address: string;
  name?: string;
  noReply?: LoggedEvent;
  rootDistance?: LoggedEvent;
  unsynchronized?: LoggedEvent;
  lastContact?: number;
  contacted: boolean;
}

export interface TimesyncdLog {
  servers: ServerLog[];
  adjtimeFailed?: LoggedEvent;
  /** Lines read (after the bound). */
  lines: number;
}

/** "198.51.100.1:123" / "[2001:db8::1]:123" → the address alone. */
export function hostOf(endpoint: string): string {
  const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(endpoint);
  if (v6) return v6[1] as string;
  const v4 = /^([^:]+):\d+$/.exec(endpoint);
  return v4 ? (v4[1] as string) : endpoint;
}

/** journalctl -o short-unix prefix: "1796573172.785000 host systemd-timesyncd[123]: ". */
const JOURNAL_PREFIX = /^(\d{1,12}(?:\.\d+)?)\s+\S+\s+systemd-timesyncd\[\d+\]:\s+/;
const MAX_LINES = 2000;

export function parseTimesyncdLog(text: string): TimesyncdLog {
  const byAddress = new Map<string, ServerLog>();
  let current: ServerLog | undefined;
  let adjtimeFailed: LoggedEvent | undefined;
  const lines = text.split('\n').slice(-MAX_LINES);
  const server = (endpoint: string, name?: string): ServerLog => {
    const address = hostOf(endpoint);
    let s = byAddress.get(address);
    if (!s && byAddress.size < 64) {
      s = { address, contacted: false };
      byAddress.set(address, s);
    }
    s ??= { address, contacted: false };
    if (name && name !== address) s.name = name.slice(0, 255);
    return s;
  };
  const bump = (prev: LoggedEvent | undefined, message: string, at: number | undefined): LoggedEvent => {
    const e: LoggedEvent = { message: message.slice(0, 300), count: (prev?.count ?? 0) + 1 };
    const last = at ?? prev?.lastAt;
    if (last !== undefined) e.lastAt = last;
    return e;
  };
  for (const raw of lines) {
    const pre = JOURNAL_PREFIX.exec(raw);
    const at = pre ? Number(pre[1]) : undefined;
    const msg = (pre ? raw.slice(pre[0].length) : raw).trim();
    let m: RegExpExecArray | null;
    if ((m = /^(?:Connecting to|Sent NTP request to) (?:time server )?(\S+) \((.*)\)\.$/.exec(msg))) {
      current = server(m[1] as string, m[2]);
    } else if ((m = /^Timed out waiting for reply from (\S+) \((.*)\)\.$/.exec(msg))) {
      current = server(m[1] as string, m[2]);
      current.noReply = bump(current.noReply, msg, at);
    } else if ((m = /^(?:Contacted time server|Initial synchronization to time server) (\S+) \((.*)\)\.$/.exec(msg))) {
      // "Initial synchronization to time server" is the wording of systemd ≤ 245.
      current = server(m[1] as string, m[2]);
      current.contacted = true;
      delete current.noReply;
      delete current.rootDistance;
      delete current.unsynchronized;
      if (at !== undefined) current.lastContact = at;
    } else if (/^Server has too large root distance\. Disconnecting\.$/.test(msg)) {
      if (current) current.rootDistance = bump(current.rootDistance, msg, at);
    } else if (/^Server (?:is )?not synchronized/i.test(msg)) {
      if (current) current.unsynchronized = bump(current.unsynchronized, msg, at);
    } else if (/^Failed to call clock_adjtime\(\)/.test(msg)) {
      adjtimeFailed = bump(adjtimeFailed, msg, at);
    }
  }
  const out: TimesyncdLog = { servers: [...byAddress.values()], lines: lines.length };
  if (adjtimeFailed) out.adjtimeFailed = adjtimeFailed;
  return out;
}
