import { defineRule } from '../src/diagnose/define.js';
import type { Evidence, Hit, RuleContext } from '../src/diagnose/types.js';
import type { DaemonSource, DaemonStateObservation } from '../src/model/daemon.js';
import { classifyIcmp, icmpLabel } from './_lib/icmp.js';
import { note } from './_lib/evidence.js';
import { cmd, draft, probeVerify, ranked, words } from './_lib/fixes.js';
import { configuredPort, isOwnAddress, ownAddressSet } from './_lib/node.js';
import { byServer } from './_lib/paths.js';
import { rejectionOf } from './_lib/rejection.js';

/** RFC 5905 §13: reach is an 8-bit shift register; ntpq shows it in octal. 017 = 4 good polls in a row. */
const USABLE_REACH_BITS = 4;

/**
 * The daemon's own view of a configured source: chronyc `^?` with reach 0 (sourcestats NP 0, std dev 4000 ms) or
 * ntpq reach 0 with jitter 4000: no valid reply has come back. Just after a restart that is normal: the seed
 * says wait about 5 polls (reach 0 → 17 octal). When ntpdoctor probed the source, the packets say why.
 */
export default defineRule({
  meta: {
    id: 'source-unreachable',
    summary: 'The daemon has had no valid reply from a configured source (chronyc ^?, ntpq reach 0)',
    severity: 'error',
    confidence: 0.85,
    priority: 28,
    why:
      "The reach register (RFC 5905 §13) shifts in a 1 for every poll answered by a valid reply; 0 means none of the " +
      'last eight was. chronyc shows such a source as `^?` (NP 0, std dev 4000 ms), ntpq with reach 0 and jitter ' +
      "4000. chronyd shows the same `^?` for no reply and for replies it rejects: `chronyc ntpdata` (Total RX) or a probe " +
      'of the source tells them apart, and replies that arrive but fail are source-rejected, never this. After a restart ' +
      'a source needs about 4–5 good polls (reach 17 octal) before it is selected.',
    references: ['RFC 5905 §13 (reach register)', 'chronyc(1) (sources, sourcestats)', 'ntpq(1) (peers: reach, jitter)'],
  },
  match(ctx) {
    const own = ownAddressSet(ctx);
    const hits: Hit[] = [];
    for (const st of ctx.of('daemon-state')) {
      // chronyc activity: nothing online, so no request is sent at all (sources-not-polled says why).
      if (st.activity && st.activity.online + st.activity.burstOnline === 0) continue;
      for (const s of st.sources) {
        if (s.kind === 'refclock' || isOwnAddress(s.address, own) || s.address.startsWith('127.127.')) continue;
        // Replies that arrive and fail the daemon's tests are source-rejected's; a name never resolved is
        // sources-not-polled's (nothing was sent). This rule keeps "no reply at all": never both on one source.
        if (s.unresolved || rejectionOf(st, s)) continue;
        const hit = judge(ctx, st, s);
        if (hit) hits.push(hit);
      }
    }
    return hits;
  },
});

function judge(ctx: RuleContext, st: DaemonStateObservation, s: DaemonSource): Hit | undefined {
  if (st.daemon === 'systemd-timesyncd' || s.reachRegister === false) return judgeTimesyncd(ctx, st, s);
  const poll = 2 ** (s.poll ?? 6);
  const good = popcount(s.reach);
  const daemonTool = st.daemon === 'chronyd' ? 'chronyc' : 'ntpq';
  const shown = st.daemon === 'chronyd' ? `^${s.state}` : `reach ${s.reach.toString(8).padStart(3, '0')}`;
  // Young: a restart may explain it. Nothing at all after the first poll (+10 s slack) is already telling;
  // a partly filled register needs ~5 polls.
  const young = st.uptime !== undefined && st.uptime < (s.reach === 0 ? poll + 10 : 5 * poll);
  if (s.reach !== 0 && (good >= USABLE_REACH_BITS || s.selected || !young)) return undefined;
  const evidence: Evidence[] = [
    note(
      `${daemonTool}: ${s.address} ${st.daemon === 'chronyd' ? `${shown}, reach ${s.reach.toString(8)}` : shown}${s.stratum !== undefined ? `, stratum ${s.stratum}` : ''}${s.samples !== undefined ? `, NP ${s.samples}` : ''}${s.jitter !== undefined ? `, ${st.daemon === 'chronyd' ? 'std dev' : 'jitter'} ${Math.round(s.jitter * 1000)} ms` : ''}${s.lastRx === undefined ? ', no sample ever' : ''}`,
    ),
  ];
  if (st.uptime !== undefined) evidence.push(note(`${st.daemon} has been running for ${Math.round(st.uptime)} s (poll interval ${poll} s)`));
  const reason = probeReason(ctx, s.address);
  if (reason) evidence.push(reason.evidence);

  const sources = daemonTool === 'chronyc' ? words('chronyc sources') : words('ntpq -pn');
  if (s.reach !== 0 || (young && !reason?.fatal)) {
    // Just (re)started: not broken yet. Each poll shifts one bit in; ~5 polls to reach 17 octal.
    const wait = Math.max(poll, Math.round((5 - good) * poll - (st.uptime ?? 0) % poll));
    return {
      subject: s.address,
      title: `${s.address} is not usable yet: ${st.daemon} started ${Math.round(st.uptime ?? 0)} s ago (reach ${s.reach.toString(8)}); wait about ${wait} more seconds`,
      evidence,
      fixes: ranked([
        draft(
          st.daemon === 'chronyd' ? 'chrony' : 'ntpd',
          'Wait about 5 polls after a restart (reach 0 → 17 octal) before judging the source; watch it fill',
          [cmd('watch', '-n', String(poll), ...sources.argv)],
          sources,
          'reach 17 or more, then * or +',
        ),
      ]),
      severity: 'info',
      confidence: 0.6,
    };
  }
  evidence.push(note(`No valid reply in the last 8 polls: ${st.daemon} cannot use ${s.address}`));
  return {
    subject: s.address,
    title: `${st.daemon} gets no valid reply from ${s.address} (${shown})${reason ? `: ${reason.short}` : ''}`,
    evidence,
    fixes: ranked([
      draft('generic', `Ask ${s.address} directly and read why (ICMP, silence, or an unsynchronized reply)`, [probeVerify(s.address, configuredPort(ctx, s.address))], sources, 'reach rising: 1, 3, 7, 17 …'),
    ]),
  };
}

/**
 * systemd-timesyncd keeps no reach register (its `reach` is derived), so only what it logged counts: "Timed out
 * waiting for reply" with no contact since. Replies it rejects (root distance, unsynchronized) are
 * `source-rejected`'s, never this rule's: the two never claim the same source.
 */
function judgeTimesyncd(ctx: RuleContext, st: DaemonStateObservation, s: DaemonSource): Hit | undefined {
  if (!s.noReply || s.rejected || s.selected) return undefined;
  const evidence: Evidence[] = [
    note(`systemd-timesyncd logged ${s.noReply.count}× "${s.noReply.message}"${s.noReply.lastAt !== undefined ? ` (last at ${new Date(s.noReply.lastAt * 1000).toISOString()})` : ''}, and no "Contacted time server" since`),
  ];
  const reason = probeReason(ctx, s.address);
  if (reason) evidence.push(reason.evidence);
  evidence.push(note(`No reply to timesyncd's requests: it cannot use ${s.address}${s.name ? ` (${s.name})` : ''}`));
  return {
    subject: s.address,
    title: `systemd-timesyncd gets no reply from ${s.address} ("Timed out waiting for reply")${reason ? `: ${reason.short}` : ''}`,
    evidence,
    fixes: ranked([
      draft('generic', `Ask ${s.address} directly and read why (ICMP, silence, or an unsynchronized reply)`, [probeVerify(s.address)], words('timedatectl timesync-status'), 'Packet count rising, an Offset shown'),
    ]),
  };
}

/** What ntpdoctor's own requests to the source got: the packets' reason. */
function probeReason(ctx: RuleContext, address: string): { evidence: Evidence; short: string; fatal: boolean } | undefined {
  const paths = byServer(ctx.of('ntp-path')).get(address) ?? [];
  if (paths.length === 0) return undefined;
  const icmp = paths.flatMap((p) => p.icmp)[0];
  if (icmp) {
    const kind = classifyIcmp(icmp);
    const short = kind === 'admin-prohibited' ? 'its firewall rejects NTP' : kind === 'port-unreachable' ? `nothing listens on UDP ${configuredPort(ctx, address)} there` : 'it is unreachable';
    return { evidence: note(`ntpdoctor's probe of ${address} drew ${icmpLabel(icmp)}: ${short}`), short: `${short} (${icmpLabel(icmp)})`, fatal: true };
  }
  const replies = paths.reduce((n, p) => n + p.replies.count, 0);
  const requests = paths.reduce((n, p) => n + p.requests.count, 0);
  if (replies === 0) return { evidence: note(`ntpdoctor's probe of ${address}: ${requests} request(s), no reply and no ICMP (dropped, or the host is down)`), short: 'no reply at all to a probe either', fatal: true };
  const strata = paths.flatMap((p) => p.strata.map((x) => x.value));
  const leaps = paths.flatMap((p) => p.leaps.map((x) => x.value));
  if (leaps.every((l) => l === 3) || strata.every((x) => x === 0 || x >= 16)) {
    return { evidence: note(`ntpdoctor's probe of ${address}: it answers, but unsynchronized (stratum ${strata.join('/')}, leap ${leaps.join('/')}): the daemon rejects such replies (a server ntpd restarted in the last ~5 minutes is still synchronizing itself)`), short: 'it answers, but is itself unsynchronized', fatal: true };
  }
  return { evidence: note(`ntpdoctor's probe of ${address} got ${replies} valid reply(s): the path works now; the daemon may just need more polls`), short: 'a probe gets replies now', fatal: false };
}

function popcount(n: number): number {
  let c = 0;
  for (let x = n & 0xff; x; x >>= 1) c += x & 1;
  return c;
}
