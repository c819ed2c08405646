import { defineRule } from '../src/diagnose/define.js';
import type { Evidence, Hit, RuleContext } from '../src/diagnose/types.js';
import type { TimeDaemonProcess, TimeDaemonsObservation } from '../src/model/daemon.js';
import { note } from './_lib/evidence.js';
import { cmd, draft, type Draft, ranked, words } from './_lib/fixes.js';

/**
 * No time daemon runs on this node (nothing keeps its clock, nothing serves its clients), or two run at once
 * and fight over the clock and UDP 123 (chronyd and ntpd; either with systemd-timesyncd).
 */
export default defineRule({
  meta: {
    id: 'daemon-not-running',
    summary: 'No time daemon runs (or two compete: chronyd and ntpd, or either with systemd-timesyncd)',
    severity: 'error',
    confidence: 0.9,
    priority: 5,
    why:
      'Without a running daemon nothing disciplines the clock and nothing answers on UDP 123 (clients get ICMP port ' +
      'unreachable). Two daemons both adjust the same kernel clock and only one can bind port 123: the other logs ' +
      'bind errors and the clock follows whichever adjusted last. systemd-timesyncd stops itself when chronyd or ' +
      'ntpd is enabled as a unit, but not when one is started by hand.',
    references: ['chronyd(8)', 'ntpd(8)', 'systemd-timesyncd.service(8) (Conflicts=)', 'RFC 5905 §1 (one clock discipline per system)'],
  },
  match(ctx) {
    const hits: Hit[] = [];
    for (const o of ctx.of('time-daemons')) {
      const real = o.daemons.filter((d) => d.name !== 'systemd-timesyncd');
      const names = [...new Set(o.daemons.map((d) => d.name))];
      if (o.daemons.length === 0) {
        hits.push(noneRunning(o, ctx));
      } else if (names.length > 1) {
        const hit: Hit = {
          subject: 'this node',
          title: `Competing time daemons: ${names.join(' and ')} both run`,
          evidence: [...o.daemons.map((d) => note(`${d.name} pid ${d.pid}: ${d.argv.join(' ')}`)), ...timesyncdEvidence(ctx)],
          fixes: ranked(keepOne(o.daemons)),
        };
        // timesyncd beside one real daemon is the milder case: it only slews, and usually yields; and a timesyncd
        // whose clock_adjtime() fails (no CAP_SYS_TIME) cannot change the clock at all.
        const powerless = ctx.of('daemon-state').some((st) => st.daemon === 'systemd-timesyncd' && st.timesyncd?.adjtimeFailed !== undefined);
        if (real.length <= 1) {
          hit.severity = 'warning';
          hit.confidence = powerless ? 0.5 : 0.7;
        }
        hits.push(hit);
      }
    }
    return hits;
  },
});

function noneRunning(o: TimeDaemonsObservation, ctx: RuleContext): Hit {
  const chrony = o.configsOnDisk.find((p) => p.includes('chrony'));
  const ntp = o.configsOnDisk.find((p) => p.includes('ntp'));
  const debian = o.os !== undefined && (o.os.id === 'debian' || o.os.id === 'ubuntu' || o.os.like.includes('debian'));
  const fixes: Draft[] = [];
  // Ubuntu and Debian ship systemd-timesyncd: its files there (and no chrony/ntpd config) mean it is the client meant.
  const timesyncd = ctx.of('timesyncd-config').find((c) => c.config.files.length > 0);
  if (timesyncd && !chrony && !ntp) {
    fixes.push(draft('systemd', `Start systemd-timesyncd and enable it at boot (it has ${timesyncd.config.files.join(', ')})`, [words('systemctl enable --now systemd-timesyncd')], words('timedatectl timesync-status'), 'a Server line and Packet count ≥ 1'));
  }
  if (chrony || !ntp) {
    const unit = debian ? 'chrony' : 'chronyd';
    fixes.push(draft('chrony', `Start chronyd and enable it at boot${chrony ? ` (it has ${chrony})` : ''}`, [cmd('systemctl', 'enable', '--now', unit)], words('chronyc tracking'), 'Leap status: Normal after a few polls'));
  }
  if (ntp) {
    const unit = ntp.includes('ntpsec') ? 'ntpsec' : debian ? 'ntp' : 'ntpd';
    fixes.push(draft(ntp.includes('ntpsec') ? 'ntpsec' : 'ntpd', `Start ntpd and enable it at boot (it has ${ntp})`, [cmd('systemctl', 'enable', '--now', unit)], words('ntpq -pn'), 'a source marked * after a few minutes'));
  }
  const hit: Hit = {
    subject: 'this node',
    title: 'No time daemon runs on this node (no chronyd, ntpd or systemd-timesyncd)',
    evidence: [
      note('No chronyd, ntpd, openntpd or systemd-timesyncd process in this network namespace'),
      note(
        o.configsOnDisk.length || timesyncd
          ? `Config files are there: ${[...o.configsOnDisk, ...(timesyncd?.config.files ?? [])].join(', ')}: the daemon is installed but stopped`
          : 'No time daemon config in /etc: none may be installed',
      ),
      note('Nothing disciplines this clock, and clients asking this node get ICMP port unreachable'),
    ],
    fixes: ranked(fixes),
  };
  if (!o.complete) {
    hit.severity = 'warning';
    hit.confidence = 0.5;
    hit.evidence.push(note('Some processes could not be inspected (hidepid, not root): a daemon may run unseen'));
  }
  return hit;
}

/** What systemd-timesyncd itself says, so the competitor is named with its servers and whether it syncs. */
function timesyncdEvidence(ctx: RuleContext): Evidence[] {
  const out: Evidence[] = [];
  for (const c of ctx.of('timesyncd-config')) {
    if (!c.inUse) continue;
    const where = c.servers.which === 'system' ? 'NTP=' : c.config.fallbackCompiledIn && c.servers.addresses.length === 0 ? 'its compiled-in FallbackNTP= list' : 'FallbackNTP=';
    const files = c.config.files.length ? c.config.files.join(', ') : 'no timesyncd.conf: compiled-in defaults';
    out.push(note(`systemd-timesyncd polls ${c.servers.addresses.length ? c.servers.addresses.join(', ') : 'the distribution default servers'} (${where}; ${files})`));
  }
  for (const st of ctx.of('daemon-state')) {
    if (st.daemon !== 'systemd-timesyncd') continue;
    const sel = st.sources.find((s) => s.selected);
    out.push(note(sel ? `systemd-timesyncd is synchronised to ${sel.address} and adjusts the clock too (${st.via})` : `systemd-timesyncd has no server it accepts yet (${st.via})`));
    const failed = st.timesyncd?.adjtimeFailed;
    if (failed) out.push(note(`systemd-timesyncd logged "${failed.message}" ${failed.count}×: it cannot adjust this clock (no CAP_SYS_TIME), so it does not actually fight over it`));
  }
  return out;
}

/** Keep one daemon: chronyd first (what current RHEL and Debian ship), else ntpd. */
function keepOne(daemons: readonly TimeDaemonProcess[]): Draft[] {
  const has = (n: string) => daemons.some((d) => d.name === n);
  const fixes: Draft[] = [];
  if (has('chronyd')) {
    const stop = [...(has('ntpd') ? [words('systemctl disable --now ntpd ntpsec ntp')] : []), ...(has('systemd-timesyncd') ? [words('systemctl disable --now systemd-timesyncd')] : [])];
    fixes.push(draft('systemd', 'Keep chronyd; stop and disable the others (a unit that does not exist here is reported and skipped)', stop, words('ntpdoctor diagnose'), 'one daemon left'));
  }
  if (has('ntpd')) {
    const stop = [...(has('chronyd') ? [words('systemctl disable --now chronyd chrony')] : []), ...(has('systemd-timesyncd') ? [words('systemctl disable --now systemd-timesyncd')] : [])];
    fixes.push(draft('systemd', 'Or keep ntpd; stop and disable the others', stop, words('ntpdoctor diagnose'), 'one daemon left'));
  }
  return fixes;
}
