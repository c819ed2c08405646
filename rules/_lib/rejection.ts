/**
 * Why a daemon rejects a source that answers: the one question source-rejected asks and source-unreachable must not
 * answer twice. Pure: the daemon's own report (chronyc ntpdata / selectdata / sources, ntpd peer variables) in,
 * the failing test with its threshold out. Names as in chrony ntp_core.c (test1..test7, testA..testD) and
 * ntpd ntp.h (TEST1..TEST13, ntpq's flash names).
 */
import type { DaemonSource, DaemonStateObservation } from '../../src/model/daemon.js';
import { CHRONY_MAXDISTANCE, MAXDISP, NTPD_MAXDIST } from '../../src/ntp/constants.js';

export type RejectionKind = 'distance' | 'jitter' | 'unsynchronized' | 'authentication' | 'bogus' | 'delay' | 'loop' | 'falseticker' | 'denied' | 'unknown';

export interface Rejection {
  kind: RejectionKind;
  /** The daemon's own name for the test: "chrony test6", "selectdata d", "ntpd TEST11 (peer_dist)". */
  test: string;
  /** What fails, with the numbers: "root distance 5.000 s > maxdistance 3 s". */
  detail: string;
  /** Replies arrived: how we know (ntpdata totals, reach). */
  heard: string;
}

/**
 * chrony ntpdata "NTP tests", left to right (ntp_core.c receive_packet): test1 duplicate, test2 bogus (origin ≠ our
 * transmit), test3 invalid timestamps, test5 authentication, test6 leap/stratum (unsynchronised server), test7 root
 * delay/2 + root dispersion ≥ NTP_MAX_DISPERSION (16 s), testA maxdelay, testB maxdelayratio, testC
 * maxdelaydevratio, testD synchronisation loop (the server's reference is this host).
 */
const CHRONY_TESTS: Array<{ test: string; kind: RejectionKind; what: string }> = [
  { test: 'test1', kind: 'bogus', what: 'duplicate reply' },
  { test: 'test2', kind: 'bogus', what: "bogus reply (origin timestamp is not this client's transmit timestamp)" },
  { test: 'test3', kind: 'bogus', what: 'invalid timestamps (zero receive or transmit)' },
  { test: 'test5', kind: 'authentication', what: 'authentication failed (no valid MAC or NTS field for the configured key)' },
  { test: 'test6', kind: 'unsynchronized', what: 'the server is unsynchronised (leap 3 or stratum 0/16 and up)' },
  { test: 'test7', kind: 'distance', what: `root delay/2 + root dispersion ≥ ${MAXDISP} s` },
  { test: 'testA', kind: 'delay', what: 'round-trip delay above maxdelay' },
  { test: 'testB', kind: 'delay', what: 'delay above maxdelayratio × the minimum delay' },
  { test: 'testC', kind: 'delay', what: 'delay deviation above maxdelaydevratio' },
  { test: 'testD', kind: 'loop', what: "synchronisation loop (the server's reference ID is this host)" },
];

/** ntp.h flash bits (TEST1 = 0x1 … TEST13 = 0x1000) with ntpq's names. TEST13 (peer_unreach) is not a rejection. */
const NTPD_FLASH: Array<{ bit: number; name: string; kind: RejectionKind; what: string }> = [
  { bit: 0x1, name: 'TEST1 (pkt_dup)', kind: 'bogus', what: 'duplicate reply' },
  { bit: 0x2, name: 'TEST2 (pkt_bogus)', kind: 'bogus', what: 'bogus reply (origin mismatch)' },
  { bit: 0x4, name: 'TEST3 (pkt_unsync)', kind: 'bogus', what: 'invalid or unsynchronised timestamps' },
  { bit: 0x8, name: 'TEST4 (pkt_denied)', kind: 'denied', what: 'access denied by restrict' },
  { bit: 0x10, name: 'TEST5 (pkt_auth)', kind: 'authentication', what: 'authentication failed' },
  { bit: 0x20, name: 'TEST6 (pkt_stratum)', kind: 'unsynchronized', what: 'the server is unsynchronised (leap 3 or stratum 16)' },
  { bit: 0x40, name: 'TEST7 (pkt_header)', kind: 'distance', what: 'header values out of range (root delay or dispersion)' },
  { bit: 0x100, name: 'TEST9 (pkt_crypto)', kind: 'authentication', what: 'crypto failure' },
  { bit: 0x200, name: 'TEST10 (peer_stratum)', kind: 'unsynchronized', what: 'the server is unsynchronised or its stratum too high' },
  { bit: 0x400, name: 'TEST11 (peer_dist)', kind: 'distance', what: 'root distance beyond tos maxdist' },
  { bit: 0x800, name: 'TEST12 (peer_loop)', kind: 'loop', what: 'synchronisation loop (the server follows this host)' },
];

/** chronyc selectdata states that mean "answers, but not selectable" (chronyc(1) selectdata). M, w, N are not rejections. */
const SELECT_STATES: Record<string, { kind: RejectionKind; what: (s: DaemonSource, st: DaemonStateObservation) => string }> = {
  d: { kind: 'distance', what: (s, st) => `root distance ${distanceText(s)}> maxdistance ${st.limits?.maxDistance ?? CHRONY_MAXDISTANCE} s` },
  '~': { kind: 'jitter', what: (s, st) => `jitter ${s.jitter !== undefined ? `${s.jitter.toFixed(3)} s ` : ''}> maxjitter ${st.limits?.maxJitter ?? 1} s` },
  s: { kind: 'unsynchronized', what: () => 'the server says it is not synchronised (leap 3 or stratum 16)' },
  x: { kind: 'falseticker', what: () => 'falseticker: its interval does not agree with the majority of the other sources' },
  S: { kind: 'unknown', what: () => 'stale: its measurements are older than the other sources\'' },
  O: { kind: 'distance', what: () => 'its stratum is at or above the orphan stratum (`local orphan`)' },
  T: { kind: 'falseticker', what: () => 'does not agree with the sources marked `trust`' },
};

function distanceText(s: DaemonSource): string {
  const d = rootDistanceOf(s);
  return d !== undefined ? `${d.toFixed(3)} s ` : '';
}

/** Root distance the daemon sees: selectdata's interval half-width, else the reply's root delay/2 + dispersion. */
export function rootDistanceOf(s: DaemonSource): number | undefined {
  if (s.selection?.interval) return (s.selection.interval[1] - s.selection.interval[0]) / 2;
  const p = s.packets;
  if (p?.rootDelay !== undefined && p.rootDispersion !== undefined) return p.rootDelay / 2 + p.rootDispersion;
  return s.error;
}

function popcount(n: number): number {
  let c = 0;
  for (let x = n & 0xff; x; x >>= 1) c += x & 1;
  return c;
}

/** How we know replies arrive; undefined when nothing says they do. */
function heardFrom(st: DaemonStateObservation, s: DaemonSource): string | undefined {
  const p = s.packets;
  if (p?.totalRx !== undefined && p.totalRx > 0) {
    return `ntpdata: ${p.totalRx} replies received, ${p.validRx ?? '?'} valid, ${p.goodRx ?? '?'} good${p.totalTx !== undefined ? ` (of ${p.totalTx} requests)` : ''}`;
  }
  if (s.reach !== 0) return `reach ${s.reach.toString(8).padStart(3, '0')} (${popcount(s.reach)} of the last 8 polls answered)`;
  void st;
  return undefined;
}

/** Why the daemon rejects this answering source, or undefined (unanswered, usable, or too young to judge). */
export function rejectionOf(st: DaemonStateObservation, s: DaemonSource): Rejection | undefined {
  if (s.selected || s.unresolved || s.kind === 'refclock') return undefined;
  if (st.daemon === 'systemd-timesyncd') return timesyncdRejection(s);
  const heard = heardFrom(st, s);
  if (!heard) return undefined;
  return st.daemon === 'chronyd' ? chronyRejection(st, s, heard) : ntpdRejection(st, s, heard);
}

function chronyRejection(st: DaemonStateObservation, s: DaemonSource, heard: string): Rejection | undefined {
  // chronyc sources: * selected, + combined, - selectable but not combined: all in use or usable.
  if (s.state === '*' || s.state === '+' || s.state === '-') return undefined;
  const p = s.packets;
  // Every reply failed tests 1–3 or 5 (valid_packet false): ntpdata then keeps no header fields at all.
  if (p && p.totalRx !== undefined && p.totalRx > 0 && p.validRx === 0) {
    if (s.selection?.authenticated) {
      return { kind: 'authentication', test: 'chrony test5', detail: `none of ${p.totalRx} replies passed authentication (the source has a key or NTS; the server does not sign with it)`, heard };
    }
    return { kind: 'bogus', test: 'chrony test1–3', detail: `none of ${p.totalRx} replies was valid (duplicate, bogus origin or invalid timestamps)`, heard };
  }
  const sel = s.selection ? SELECT_STATES[s.selection.state] : undefined;
  if (sel) return { kind: sel.kind, test: `selectdata ${s.selection!.state}`, detail: sel.what(s, st), heard };
  // ntpdata's tests are the last reply's. While good replies keep coming (goodRx > 0) one reply failing testA–C on a
  // busy path says nothing about why the source is not selected; selectdata does. With no good reply at all the
  // failing test is the reason (test6: every reply unsynchronised).
  if (p?.tests && (p.goodRx === undefined || p.goodRx === 0)) {
    // Groups 1–3, 5–7, A–D: chrony evaluates a later group only when the earlier ones pass (A–D read 0000 after a
    // failed test6), so only the first group with a failure is named.
    const group = [[0, 3], [3, 6], [6, 10]].find(([a, b]) => p.tests!.slice(a, b).includes('0')) ?? [0, 0];
    const failed = CHRONY_TESTS.filter((_, i) => i >= group[0]! && i < group[1]! && p.tests![i] === '0');
    const first = failed[0];
    if (first) {
      const numbers = first.test === 'test6' ? ` (leap ${p.leap ?? '?'}, stratum ${p.stratum ?? '?'})` : first.kind === 'distance' ? ` (${distanceText(s)})` : '';
      return { kind: first.kind, test: `chrony ${failed.map((f) => f.test).join(', ')}`, detail: `${first.what}${numbers}`, heard };
    }
  }
  if (s.selection) return undefined; // M, w, N, W, P, U, D: waiting, or configured so; not a rejection.
  // No selectdata (chrony < 4.0, or not root): sources and ntpdata alone.
  if (s.state === 'x') return { kind: 'falseticker', test: 'sources x', detail: 'falseticker: it disagrees with the other sources', heard };
  if (s.state === '~') return { kind: 'jitter', test: 'sources ~', detail: `too variable: jitter above maxjitter ${st.limits?.maxJitter ?? 1} s`, heard };
  if (p?.leap === 3 || (p?.stratum !== undefined && (p.stratum === 0 || p.stratum >= 16))) {
    return { kind: 'unsynchronized', test: 'chrony test6', detail: `the server is unsynchronised (leap ${p.leap}, stratum ${p.stratum})`, heard };
  }
  const max = st.limits?.maxDistance ?? CHRONY_MAXDISTANCE;
  const d = rootDistanceOf(s);
  if (d !== undefined && d > max) return { kind: 'distance', test: 'maxdistance', detail: `root distance ${d.toFixed(3)} s > maxdistance ${max} s`, heard };
  // `^?` with most of the last 8 polls answered: rejected, reason not shown without ntpdata.
  if (s.state === '?' && popcount(s.reach) >= 4) {
    return { kind: 'unknown', test: 'sources ?', detail: 'it answers but fails chronyd\'s tests; `chronyc ntpdata` (as root) names the test', heard };
  }
  return undefined;
}

/**
 * systemd-timesyncd keeps no reach register and no per-test bits: what it logged is the verdict. "Server has too
 * large root distance. Disconnecting." (timesyncd-manager.c: root delay/2 + root dispersion > RootDistanceMaxSec,
 * 5 s by default) and "Server is not synchronized" (leap 3 / stratum 0 or 16, debug level only).
 */
function timesyncdRejection(s: DaemonSource): Rejection | undefined {
  const r = s.rejected;
  if (!r || (s.lastContact !== undefined && r.lastAt !== undefined && s.lastContact > r.lastAt)) return undefined;
  const heard = `systemd-timesyncd logged ${r.count}× "${r.message}"${r.lastAt !== undefined ? ` (last at ${new Date(r.lastAt * 1000).toISOString()})` : ''}`;
  if (r.test === 'root-distance') {
    const from = r.limitFrom === undefined || r.limitFrom === 'default' ? 'the default' : `${r.limitFrom.file}:${r.limitFrom.line}`;
    const value = r.value !== undefined ? `${r.value.toFixed(3)} s ` : '';
    return { kind: 'distance', test: 'timesyncd RootDistanceMaxSec', detail: `root distance ${value}> RootDistanceMaxSec ${r.limit ?? 5} s (${from})`, heard };
  }
  if (r.test === 'unsynchronized') return { kind: 'unsynchronized', test: 'timesyncd leap/stratum check', detail: 'the server is not synchronised (leap 3 or stratum 0/16)', heard };
  return { kind: 'unknown', test: 'timesyncd', detail: r.message, heard };
}

function ntpdRejection(st: DaemonStateObservation, s: DaemonSource, heard: string): Rejection | undefined {
  // ntpq tally: * sys peer, o pps peer, + candidate, # backup, - outlier (usable, not chosen).
  if ('*o+#-'.includes(s.state)) return undefined;
  const flash = s.packets?.flash ?? 0;
  const failed = NTPD_FLASH.filter((f) => (flash & f.bit) !== 0);
  const first = failed[0];
  if (first) {
    const max = st.limits?.maxDistance ?? NTPD_MAXDIST;
    const d = rootDistanceOf(s);
    const numbers = first.kind === 'distance' && d !== undefined ? ` (root distance ≥ ${d.toFixed(3)} s, limit ${max} s)` : first.kind === 'unsynchronized' ? ` (leap ${s.packets?.leap ?? '?'}, stratum ${s.packets?.stratum ?? s.stratum ?? '?'})` : '';
    return { kind: first.kind, test: `ntpd ${failed.map((f) => f.name).join(', ')}`, detail: `${first.what}${numbers}`, heard };
  }
  if (s.state === 'x') return { kind: 'falseticker', test: 'tally x', detail: 'falseticker: it disagrees with the other sources (clock selection, RFC 5905 §11.2.1)', heard };
  // Tally ' ' (reject) with most polls answered: never selected, no flash bit to say why.
  if (s.state === ' ' && popcount(s.reach) >= 4 && s.packets) return { kind: 'unknown', test: 'tally (reject)', detail: 'never selected (tally code reject)', heard };
  return undefined;
}
