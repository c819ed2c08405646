import { defineRule } from '../src/diagnose/define.js';
import type { Evidence, Hit } from '../src/diagnose/types.js';
import type { NtpPathObservation } from '../src/model/observation.js';
import { LEAP_ALARM, MAXSTRAT } from '../src/ntp/constants.js';
import { fact, note, plural } from './_lib/evidence.js';
import { appendLine, CHRONY, draft, type Draft, NTPD, NTPSEC, probeVerify, ranked, words } from './_lib/fixes.js';
import { duration } from './_lib/format.js';
import { realKisses, STATE_CODES, unsyncStratum0Count } from './_lib/kiss.js';
import { byServer, serverPort } from './_lib/paths.js';

/** A reference time this close to the reply's transmit time means the server set its clock moments ago. */
const FRESH_REFERENCE_S = 1024;

/**
 * Replies from a server that is not synchronised itself: stratum 16 (MAXSTRAT), stratum 0 without a real kiss
 * code (ntpd/NTPsec send their stratum 16 as 0 with refid INIT/STEP; chronyd sends 0 with refid 0), or leap 3.
 * Clients throw these away: ntpdate's "Server dropped: strata too high", the seed's `stratum 16, leap 11`.
 */
export default defineRule({
  meta: {
    id: 'server-unsynchronized',
    summary: 'The server answers but is not synchronized itself (stratum 16 / leap 3): "strata too high"',
    severity: 'error',
    confidence: 0.9,
    priority: 20,
    explains: ['root-distance-too-large'],
    why:
      `Stratum ${MAXSTRAT} (MAXSTRAT) and leap indicator ${LEAP_ALARM} mean "this clock is not synchronized"; ntpd and NTPsec put their stratum 16 ` +
      'on the wire as 0 with refid INIT, chronyd as 0 with refid 0. Clients discard such a server (ntpdate: "Server dropped: ' +
      'strata too high", chronyc: ^? with reach 0). A server with no usable upstream needs a local clock as last resort ' +
      '(ntpd `server 127.127.1.0` + `fudge 127.127.1.0 stratum 10`, NTPsec `refclock local stratum 10`, chrony `local stratum 10`); ' +
      'right after a restart ntpd serves stratum 16 for ~5 minutes: its local clock is selected only after `tos orphanwait` (300 s), an upstream after ~5 polls (reach 0 → 17 octal).',
    references: [
      'RFC 5905 §7.3 (stratum, leap indicator)',
      'RFC 5905 §7.4 (INIT, STEP)',
      'ntp.conf(5), ntp_clock(5) (server 127.127.1.0, fudge … stratum)',
      'NTPsec ntp.conf(5) (refclock local)',
      'chrony.conf(5) (local stratum)',
    ],
  },
  match(ctx) {
    const hits: Hit[] = [];
    for (const [server, paths] of byServer(ctx.of('ntp-path'))) {
      const evidence: Evidence[] = [];
      let stratum16 = 0;
      let stratum0 = 0;
      let leap3 = 0;
      for (const p of paths) {
        const s16 = p.strata.find((s) => s.value >= MAXSTRAT);
        if (s16) {
          stratum16 += s16.count;
          evidence.push(fact(p.source, `${plural(s16.count, 'reply', 'replies')} from ${server} carried stratum ${s16.value} (unsynchronized)`, s16));
        }
        const zero = unsyncStratum0Count(p);
        if (zero > 0) {
          stratum0 += zero;
          const states = p.kissCodes.filter((k) => STATE_CODES.has(k.value));
          const refids = states.length ? states.map((k) => k.value).join('/') : 'empty';
          const sample = states.length ? states : p.strata.filter((s) => s.value === 0);
          evidence.push(
            fact(p.source, `${plural(zero, 'reply', 'replies')} from ${server} carried stratum 0 with refid ${refids}: an unsynchronized server, not a kiss of death (ntpdate shows it as stratum 16)`, ...sample),
          );
        }
        // Kiss-of-death replies carry leap 3 too (RFC 5905 §7.4): they are not counted here.
        const kod = realKisses(p).reduce((n, k) => n + k.count, 0);
        const l3 = p.leaps.find((l) => l.value === LEAP_ALARM);
        const l3Count = Math.max(0, (l3?.count ?? 0) - kod);
        if (l3 && l3Count > 0) {
          leap3 += l3Count;
          evidence.push(fact(p.source, `${plural(l3Count, 'reply', 'replies')} carried leap indicator 3 (alarm: clock not synchronized)`, l3));
        }
      }
      if (stratum16 + stratum0 + leap3 === 0) continue;

      const state = readState(paths);
      if (state.fresh !== undefined) evidence.push(note(`The replies' reference time is ${duration(state.fresh)} old: the server set its clock moments ago and is still settling`));
      if (state.init) evidence.push(note('Refid INIT: ntpd/NTPsec has not synchronized once since it started'));

      const badStratum = stratum16 + stratum0 > 0;
      const parts = [stratum16 > 0 ? 'stratum 16' : '', stratum0 > 0 ? 'stratum 0 without a kiss code' : '', leap3 > 0 ? 'leap 3' : '']
        .filter(Boolean)
        .join(', ');
      const title = `${server} answers but is not synchronized itself (${parts})${badStratum ? ': clients drop it as "strata too high"' : ''}`;
      const hit: Hit = { subject: server, title, evidence, fixes: ranked(fixesFor(server, serverPort(paths), state)) };
      // Leap 3 with a usable stratum is often a server in the middle of (re)gaining sync.
      if (!badStratum) hit.confidence = 0.7;
      hits.push(hit);
    }
    return hits;
  },
});

interface ServerState {
  /** Looks like chronyd: stratum 0, empty refid. */
  chrony: boolean;
  /** ntpd/NTPsec that has not synchronized since start (refid INIT). */
  init: boolean;
  /** Age of the reference time (s), when fresh. */
  fresh?: number;
}

function readState(paths: readonly NtpPathObservation[]): ServerState {
  const state: ServerState = { chrony: false, init: false };
  for (const p of paths) {
    if (p.refids.some((r) => r.value === 'INIT') || p.kissCodes.some((k) => k.value === 'INIT')) state.init = true;
    if (p.strata.some((s) => s.value === 0) && p.refids.some((r) => r.value === '')) state.chrony = true;
    const age = p.referenceAge;
    if (age !== undefined && age < FRESH_REFERENCE_S && (state.fresh === undefined || age < state.fresh)) state.fresh = age;
  }
  return state;
}

function fixesFor(server: string, port: number, state: ServerState): Draft[] {
  const verify = probeVerify(server, port);
  const wait = draft(
    'generic',
    `Wait ~5 minutes after a restart of ${server}'s daemon, then ask again: ntpd selects its local clock only after \`tos orphanwait\` (300 s by default; the lab measured 301–321 s), sources after ~5 polls (reach 0 → 17 octal)`,
    [state.chrony ? words('watch -n 16 chronyc sources') : words('watch -n 16 ntpq -pn')],
    verify,
  );
  const ntpd = draft(
    'ntpd',
    `ntpd on ${server}: serve the local clock at stratum 10 when no upstream is usable (server and fudge must name the SAME unit: the seed's server 127.127.1.1 with fudge 127.127.1.0 left the fudge unused and served stratum 6)`,
    [appendLine(NTPD.conf, 'server 127.127.1.0'), appendLine(NTPD.conf, 'fudge 127.127.1.0 stratum 10'), NTPD.restart],
    verify,
  );
  const ntpsec = draft(
    'ntpsec',
    `NTPsec on ${server}: serve the local clock at stratum 10 when no upstream is usable`,
    [appendLine(NTPSEC.conf, 'refclock local stratum 10'), NTPSEC.restart],
    verify,
  );
  const chrony = draft(
    'chrony',
    `chronyd on ${server}: serve its own clock at stratum 10 when no source is usable (Debian/Ubuntu: /etc/chrony/chrony.conf)`,
    [appendLine(CHRONY.conf, 'local stratum 10'), CHRONY.restart],
    verify,
  );
  const upstream = draft(
    'generic',
    `On ${server}: find out why its own sources do not synchronize it (run there)`,
    [words('ntpdoctor diagnose')],
    verify,
  );
  const daemons = state.chrony ? [chrony, ntpd, ntpsec] : [ntpd, ntpsec, chrony];
  return state.init || state.fresh !== undefined ? [wait, ...daemons, upstream] : [...daemons, upstream, wait];
}
