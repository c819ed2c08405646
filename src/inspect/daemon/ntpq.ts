/**
 * ntpd's own view, from `ntpq -pn` (the peers billboard) and mode 6 variable lists (`ntpq -c rv`, or the text
 * a READVAR response carries: `name=value, name=value`, RFC 9327 §3). Pure: text in, data out.
 */
import type { DaemonSource, DaemonStateObservation, SourcePackets } from '../../model/daemon.js';

/** `ntpq -pn` type column (ntpq(1)): l local (refclock), u unicast, s symmetric peer, b/B broadcast, m/M multicast, p pool. */
const TYPE_KIND: Record<string, DaemonSource['kind']> = { l: 'refclock', u: 'server', s: 'peer', p: 'server' };

/**
 * Peers billboard: `tally remote refid st t when poll reach delay offset jitter` (ms). ntpq wraps a long
 * remote name onto a line of its own; such a line is joined with the next. `when` is '-' before the first packet.
 */
export function parseNtpqPeers(text: string): DaemonSource[] {
  const out: DaemonSource[] = [];
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^=+$/.test(l.trim()));
  let carry = '';
  for (const raw of lines.slice(start + 1)) {
    if (raw.trim() === '') continue;
    const line = carry ? `${carry} ${raw.trim()}` : raw;
    const tally = line[0] ?? ' ';
    const fields = line.slice(1).trim().split(/\s+/);
    if (fields.length === 1) {
      carry = line;
      continue;
    }
    carry = '';
    if (fields.length < 10) continue;
    const [remote = '', refid = '', st, t = '', when, poll, reach, delay, offset, jitter] = fields;
    const s: DaemonSource = {
      address: remote,
      kind: TYPE_KIND[t] ?? 'other',
      state: tally,
      selected: tally === '*' || tally === 'o',
      reach: parseInt(reach ?? '0', 8) || 0,
      refid: refid.replace(/^\.|\.$/g, ''),
    };
    const stratum = Number(st);
    if (Number.isFinite(stratum)) s.stratum = stratum;
    const pollSeconds = Number(poll);
    if (pollSeconds > 0) s.poll = Math.round(Math.log2(pollSeconds));
    const w = parseWhen(when);
    if (w !== undefined && s.reach !== 0) s.lastRx = w;
    if (s.reach !== 0) {
      const d = Number(delay);
      const o = Number(offset);
      if (Number.isFinite(d)) s.delay = d / 1000;
      if (Number.isFinite(o)) s.offset = o / 1000;
    }
    const j = Number(jitter);
    if (Number.isFinite(j)) s.jitter = j / 1000;
    out.push(s);
  }
  return out;
}

/** `when`: seconds, or with a unit suffix m/h/d (ntpq prints 12m, 3h, 2d); '-' = never. */
function parseWhen(w: string | undefined): number | undefined {
  if (w === undefined || w === '-') return undefined;
  const m = /^(\d+)([mhd]?)$/.exec(w);
  if (!m) return undefined;
  const unit = { '': 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

/**
 * A variable list: `associd=0 status=c016 leap_alarm, ..., \nleap=11, stratum=16, refid=INIT, ...`.
 * Values may be quoted and hold commas; the `associd=… status=…` banner ntpq prints is skipped.
 */
export function parseNtpqVariables(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  const body = text.replace(/^associd=\d+ status=[0-9a-f]+[^\n]*\n/i, '');
  const re = /([A-Za-z_][\w.]*)\s*=\s*("(?:[^"]*)"|[^,\r\n]*)/g;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    const value = (m[2] as string).trim();
    vars[m[1] as string] = value.startsWith('"') ? value.slice(1, -1) : value;
  }
  return vars;
}

/** System variables (association 0) → the daemon's own state. */
export function systemFromVariables(v: Record<string, string>): DaemonStateObservation['system'] | undefined {
  if (v.stratum === undefined && v.leap === undefined) return undefined;
  const leap = parseLeap(v.leap);
  const stratum = Number(v.stratum ?? 16);
  const system: NonNullable<DaemonStateObservation['system']> = {
    stratum,
    leap,
    refid: v.refid ?? '',
    // RFC 5905 §7.3: leap 3 = alarm (unsynchronized); stratum 16 likewise (§7.2 MAXSTRAT).
    synchronized: leap !== 3 && stratum < 16,
  };
  const ms = (k: string) => (v[k] !== undefined && Number.isFinite(Number(v[k])) ? Number(v[k]) / 1000 : undefined);
  const offset = ms('offset');
  if (offset !== undefined) system.offset = offset;
  const rootDelay = ms('rootdelay');
  if (rootDelay !== undefined) system.rootDelay = rootDelay;
  const rootDispersion = ms('rootdisp') ?? ms('rootdispersion');
  if (rootDispersion !== undefined) system.rootDispersion = rootDispersion;
  return system;
}

/** `leap=11` (ntpq prints two binary digits), or a number. */
function parseLeap(s: string | undefined): number {
  if (s === undefined) return 3;
  if (/^[01]{2}$/.test(s)) return parseInt(s, 2);
  const n = Number(s);
  return Number.isFinite(n) ? n & 3 : 3;
}

/** One association's variables (READVAR on its id) → a source. reach arrives as hex (0xff) or octal text. */
export function sourceFromVariables(v: Record<string, string>, selected: boolean, tally = ' '): DaemonSource {
  const address = (v.srcadr ?? '').replace(/^\[|\](:\d+)?$/g, '');
  const reachText = v.reach ?? '0';
  const reach = reachText.startsWith('0x') ? parseInt(reachText, 16) : parseInt(reachText, 8);
  const hmode = Number(v.hmode ?? 3);
  const s: DaemonSource = {
    address,
    kind: address.startsWith('127.127.') ? 'refclock' : hmode === 1 || hmode === 2 ? 'peer' : 'server',
    state: tally,
    selected,
    reach: Number.isFinite(reach) ? reach : 0,
  };
  if (v.stratum !== undefined) s.stratum = Number(v.stratum);
  const poll = Number(v.hpoll ?? v.ppoll);
  if (Number.isFinite(poll)) s.poll = poll;
  if (v.refid !== undefined) s.refid = v.refid;
  const ms = (k: string) => (v[k] !== undefined && Number.isFinite(Number(v[k])) ? Number(v[k]) / 1000 : undefined);
  if (s.reach !== 0) {
    const offset = ms('offset');
    if (offset !== undefined) s.offset = offset;
    const delay = ms('delay');
    if (delay !== undefined) s.delay = delay;
  }
  const jitter = ms('jitter');
  if (jitter !== undefined) s.jitter = jitter;
  const packets = packetsFromVariables(v, ms);
  if (packets) s.packets = packets;
  return s;
}

/**
 * The peer's last reply and ntpd's verdict: `flash` holds the failed tests (ntp.h TEST1..TEST13; mode 6 sends
 * `flash=0x400`, ntpq prints `flash=400 peer_dist`), `leap`, `rootdelay` / `rootdisp` (ms) the reply's header.
 */
function packetsFromVariables(v: Record<string, string>, ms: (k: string) => number | undefined): SourcePackets | undefined {
  const p: SourcePackets = {};
  const flash = /^(?:0x)?([0-9a-f]+)\b/i.exec(v.flash ?? '');
  if (flash) p.flash = parseInt(flash[1] as string, 16);
  if (v.leap !== undefined) p.leap = parseLeap(v.leap);
  if (v.stratum !== undefined && Number.isInteger(Number(v.stratum))) p.stratum = Number(v.stratum);
  const rootDelay = ms('rootdelay');
  if (rootDelay !== undefined) p.rootDelay = rootDelay;
  const rootDispersion = ms('rootdisp') ?? ms('rootdispersion');
  if (rootDispersion !== undefined) p.rootDispersion = rootDispersion;
  if (v.authentic !== undefined || v.keyid !== undefined) p.authenticated = v.authentic === '1' || v.authentic === 'yes';
  return p.flash !== undefined ? p : undefined;
}
