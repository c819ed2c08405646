import { defineRule } from '../src/diagnose/define.js';
import type { Evidence, Hit } from '../src/diagnose/types.js';
import type { NtpPathObservation } from '../src/model/observation.js';
import { PANIC_THRESHOLD, STEP_THRESHOLD } from '../src/ntp/constants.js';
import { fact, note } from './_lib/evidence.js';
import { appendLine, CHRONY, draft, type Draft, NTPD, ranked, words } from './_lib/fixes.js';
import { duration, signedSeconds } from './_lib/format.js';
import { byServer, fromSyncedServer } from './_lib/paths.js';

/**
 * A client clock far from its server's. θ = server − client (RFC 5905 §8), so θ > 0: the client is behind.
 * Past STEPT (0.128 s) ntpd steps the clock and chrony slews unless `makestep` allows a step; past PANICT
 * (1000 s) ntpd gives up and exits unless started with -g — the seed's client one year off (31566952 s).
 */
export default defineRule({
  meta: {
    id: 'large-offset',
    summary: 'A client clock is far off its server: past the step (0.128 s) or panic (1000 s) threshold',
    severity: 'warning',
    confidence: 0.85,
    priority: 45,
    why:
      `Offsets beyond STEPT ${STEP_THRESHOLD} s are stepped by ntpd (chrony slews them, unless \`makestep\` allows a step); beyond ` +
      `PANICT ${PANIC_THRESHOLD} s ntpd logs "time correction of N seconds exceeds sanity limit (1000)" and exits unless started with -g (once), so the client never ` +
      'syncs. The seed\'s client was 31566952 s (a year) behind: ntpdate stepped it, ntpd alone would have refused. A capture ' +
      'at the server sees only T2 − T1 (one way): that offset includes the network delay, exact to within it.',
    references: [
      'RFC 5905 §8 (offset θ, delay δ)',
      'RFC 5905 §11.3 and Appendix A (STEPT 0.128 s, PANICT 1000 s)',
      'ntpd(8) (-g, -x)',
      'chrony.conf(5) (makestep)',
      'chronyc(1) (makestep)',
    ],
  },
  match(ctx) {
    const hits: Hit[] = [];
    for (const [server, paths] of byServer(ctx.of('ntp-path'))) {
      const far: Array<{ p: NtpPathObservation; value: number; oneWay: boolean }> = [];
      for (const p of paths) {
        const o = usableOffset(p);
        if (o !== undefined && Math.abs(o.value) > STEP_THRESHOLD) far.push({ p, ...o });
      }
      if (far.length === 0) continue;
      // The worst client decides the severity; each client gets its own sentence.
      far.sort((a, b) => Math.abs(b.value) - Math.abs(a.value));
      const worst = far[0]!;
      const panic = Math.abs(worst.value) > PANIC_THRESHOLD;
      const evidence: Evidence[] = far.slice(0, 5).map(({ p, value, oneWay }) =>
        fact(
          p.source,
          `${p.client.ip} is ${duration(value)} ${value > 0 ? 'behind' : 'ahead of'} ${server} (offset ${signedSeconds(value)}${oneWay ? ', one-way' : ''}, ${p.offset!.count} sample${p.offset!.count === 1 ? '' : 's'})`,
          p.replies,
        ),
      );
      if (far.some((o) => o.oneWay)) {
        evidence.push(note('Captured at the server: offset ≈ T2 − T1 (the client\'s transmit time against the server\'s receive time); the network delay is unknown and included, so it is exact only to within it'));
      }
      evidence.push(
        note(
          panic
            ? `Past PANICT ${PANIC_THRESHOLD} s: ntpd exits ("time correction … exceeds sanity limit") unless started with -g; chronyd slews for ages unless makestep allows a step`
            : `Past STEPT ${STEP_THRESHOLD} s: ntpd steps the clock; chronyd slews it unless makestep allows a step`,
        ),
      );
      const who = far.length === 1 ? worst.p.client.ip : `${far.length} clients`;
      const title = far.length === 1
        ? `${who}'s clock is ${duration(worst.value)} ${worst.value > 0 ? 'behind' : 'ahead of'} ${server}${panic ? ': past the 1000 s panic threshold' : ''}`
        : `${who}' clocks are off from ${server} by up to ${duration(worst.value)}${panic ? ': past the 1000 s panic threshold' : ''}`;
      const hit: Hit = { subject: server, title, evidence, fixes: ranked(fixesFor(server, worst.p.client.ip, panic)), severity: panic ? 'error' : 'warning' };
      if (worst.oneWay) hit.confidence = 0.75;
      hits.push(hit);
    }
    return hits;
  },
});

/**
 * The offset a client would act on: the lowest-delay sample (ntpd's clock filter, RFC 5905 §10), else the mean.
 * One-way offsets (capture at the server) are trusted only when consistent: a client that puts a random cookie in T1
 * (chrony) gives offsets all over the place, and those are no clock reading.
 */
function usableOffset(p: NtpPathObservation): { value: number; oneWay: boolean } | undefined {
  const o = p.offset;
  if (!o || !fromSyncedServer(p)) return undefined;
  const oneWay = p.offsetMethod === 'one-way';
  const value = o.best ?? o.mean;
  if (oneWay && o.count > 1 && o.max - o.min > Math.max(1, Math.abs(value) * 0.01)) return undefined;
  return { value, oneWay };
}

function fixesFor(server: string, client: string, panic: boolean): Draft[] {
  const ntpd = draft(
    'ntpd',
    `On ${client}: step the clock once from ${server} (-g allows the big first correction, -q exits after it), then start ntpd again`,
    [words('systemctl stop ntpd'), words('ntpd -gq'), words('systemctl start ntpd')],
    words('ntpq -pn'),
    'offsets in milliseconds',
  );
  const ntpsec = draft('ntpsec', `On ${client}: step the clock once, then start NTPsec again`, [words('systemctl stop ntpsec'), words('ntpd -gq'), words('systemctl start ntpsec')], words('ntpq -pn'), 'offsets in milliseconds');
  const chronyNow = draft('chrony', `On ${client}: let chronyd step the clock now`, [words('chronyc makestep')], words('chronyc tracking'), 'System time: a few ms at most');
  const chronyBoot = draft(
    'chrony',
    `On ${client}: let chronyd step at start-up when off by more than 1 s (first 3 updates; Debian/Ubuntu: /etc/chrony/chrony.conf)`,
    [appendLine(CHRONY.conf, 'makestep 1 3'), CHRONY.restart],
    words('chronyc tracking'),
    'System time: a few ms at most',
  );
  const ntpdBoot = draft(
    'ntpd',
    `On ${client}: make ntpd accept a big first correction at every start (CentOS/RHEL: OPTIONS in /etc/sysconfig/ntpd must contain -g)`,
    [words('grep OPTIONS /etc/sysconfig/ntpd'), NTPD.restart],
    words('ntpq -pn'),
    'offsets in milliseconds',
  );
  const rtc = draft(
    'generic',
    `On ${client}: once the clock is right, write it to the hardware clock so the next boot starts close (the seed's nodes were hours apart)`,
    [words('hwclock --systohc')],
    words('hwclock --show'),
    'the same time as date, within a second',
  );
  return panic ? [ntpd, chronyNow, ntpsec, ntpdBoot, chronyBoot, rtc] : [chronyNow, chronyBoot, ntpd, ntpsec];
}

