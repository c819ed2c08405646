import { defineRule } from '../src/diagnose/define.js';
import type { Evidence, Hit } from '../src/diagnose/types.js';
import { note } from './_lib/evidence.js';
import { appendLine, draft, type Draft, ranked, words } from './_lib/fixes.js';
import { commentOut, lineEvidence, restartOf } from './_lib/node.js';

/**
 * The daemon says the clock is synchronized, the kernel says it is not: STA_UNSYNC set or maxerror ≥ 16 s
 * (adjtimex(2) read with modes 0). Monitoring reads the kernel (node_exporter's timex collector), so
 * NodeClockNotSynchronising fires on a healthy node, and the kernel's 11-minute RTC sync stays off.
 */
export default defineRule({
  meta: {
    id: 'kernel-unsynchronized',
    summary: "The kernel's clock is flagged unsynchronized (STA_UNSYNC / maxerror ≥ 16 s) while the daemon says it is synchronized",
    severity: 'warning',
    confidence: 0.85,
    priority: 70,
    why:
      'The kernel keeps its own verdict on the clock in struct timex (adjtimex(2)): STA_UNSYNC, and maxerror, which grows ' +
      'by 500 ppm unless a daemon resets it; at 16 s (NTP_PHASE_LIMIT) the clock counts as unsynchronized. ' +
      "node_exporter's NodeClockNotSynchronising alert is exactly `node_timex_sync_status == 0 and " +
      'node_timex_maxerror_seconds >= 16`, and timedatectl\'s "System clock synchronized" is the same test. chronyd only ' +
      'clears STA_UNSYNC and updates maxerror when `rtcsync` is set (it then also lets the kernel copy the time to the RTC ' +
      'every 11 minutes); without it the alert fires on healthy nodes while chronyc tracking says Leap status Normal. ' +
      'ntpd with `disable kernel` leaves the kernel flags alone in the same way. The clock itself is fine: fix the flag ' +
      'so that monitoring tells the truth, and so that a real loss of sync is not drowned in false alarms.',
    references: [
      'adjtimex(2) (STA_UNSYNC, maxerror)',
      'chrony.conf(5) (rtcsync)',
      'ntp_misc(5) (disable kernel)',
      'node_exporter timex collector / NodeClockNotSynchronising (prometheus/node_exporter#1850)',
      'RFC 5905 §11.3 (clock discipline), RFC 1589 (kernel model)',
    ],
  },
  match(ctx) {
    const hits: Hit[] = [];
    const kernel = ctx.of('kernel-clock')[0];
    if (!kernel || kernel.synchronized) return hits;
    // A daemon that cannot or will not adjust the clock never touches these flags: no-clock-control says so.
    const control = ctx.of('clock-control')[0];
    const powerless = (daemon: string): boolean =>
      control?.daemons.some((d) => d.name === daemon && (d.noClockOption || (d.caps !== undefined && !d.caps.effSysTime) || (d.caps?.effSysTime === true && d.initialUserNs === false))) ?? false;
    const synced = ctx.of('daemon-state').filter((s) => s.system?.synchronized === true && !powerless(s.daemon));
    for (const st of synced) {
      const evidence: Evidence[] = [
        note(`Kernel (${kernel.via}): ${kernel.reasons.join('; ')}${kernel.maxerror !== undefined ? `; maxerror ${kernel.maxerror.toFixed(3)} s` : ''}`),
        note(`${st.daemon} (${st.via}) says it is synchronized: stratum ${st.system?.stratum}, leap ${st.system?.leap}, reference ${st.system?.refid}`),
      ];
      const fixes: Draft[] = [];
      let cause = '';
      if (st.daemon === 'chronyd') {
        // The config the running chronyd reads; every chrony config only when none is known to be in use.
        const all = ctx.of('chrony-config');
        const inUse = all.filter((c) => c.inUse);
        for (const c of inUse.length ? inUse : all) {
          const rtcsync = c.config.directives.find((d) => d.keyword === 'rtcsync');
          if (rtcsync) {
            evidence.push(lineEvidence(rtcsync, `\`${rtcsync.text}\` is set, yet the flag stays: chronyd may have just started (it clears it on its next clock update)`));
            continue;
          }
          cause = `: ${c.config.file} has no rtcsync`;
          evidence.push(note(`No rtcsync in ${c.config.files.join(', ')}: chronyd leaves STA_UNSYNC set and maxerror growing`));
          fixes.push(draft('chrony', 'Add rtcsync: chronyd then clears STA_UNSYNC, keeps maxerror current and lets the kernel sync the RTC every 11 minutes', [appendLine(c.config.file, 'rtcsync'), restartOf(c)], words('adjtimex --print'), 'status without 64 (UNSYNC), maxerror well below 16000000; or timedatectl: System clock synchronized: yes'));
        }
        if (fixes.length === 0 && ctx.of('chrony-config').length === 0) {
          fixes.push(draft('chrony', "Add rtcsync to chronyd's configuration (/etc/chrony.conf or /etc/chrony/chrony.conf) and restart it", [words('chronyc tracking')], words('adjtimex --print'), 'status without 64 (UNSYNC)'));
        }
      } else {
        for (const c of ctx.of('ntpd-config')) {
          const off = c.config.disabled.find((d) => d.flag === 'kernel');
          if (!off) continue;
          cause = `: ${c.config.file} has \`disable kernel\``;
          evidence.push(lineEvidence(off, `\`${off.text}\`: ntpd leaves the kernel's discipline and its sync flag alone`));
          fixes.push(draft(c.variant === 'ntpsec' ? 'ntpsec' : 'ntpd', 'Let ntpd use the kernel discipline (remove `disable kernel`), unless it runs where it may not (containers)', [commentOut(off), restartOf(c)], words('adjtimex --print'), 'status without 64 (UNSYNC)'));
        }
      }
      if (fixes.length === 0) fixes.push(draft('generic', 'Find out who leaves the flag: the daemon may have started only minutes ago (it clears it on its next update); look again', [words('adjtimex --print')], words('ntpdoctor diagnose')));
      hits.push({
        subject: 'this node',
        title: `The kernel flags the clock unsynchronized while ${st.daemon} says it is synchronized${cause}: node_exporter's NodeClockNotSynchronising fires on a healthy clock`,
        evidence,
        fixes: ranked(fixes),
        ...(cause ? {} : { confidence: 0.6 }),
      });
    }
    return hits.slice(0, 2);
  },
});
