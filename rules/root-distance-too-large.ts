import { defineRule } from '../src/diagnose/define.js';
import type { Evidence, Hit } from '../src/diagnose/types.js';
import { CHRONY_MAXDISTANCE, NTPD_MAXDIST, RFC_MAXDIST } from '../src/ntp/constants.js';
import { fact, note } from './_lib/evidence.js';
import { appendLine, CHRONY, draft, NTPD, NTPSEC, probeVerify, ranked, words } from './_lib/fixes.js';
import { duration } from './_lib/format.js';
import { byServer } from './_lib/paths.js';

/**
 * The server's root distance (rootDelay/2 + rootDispersion, RFC 5905 §11.2.1) is larger than clients accept:
 * RFC MAXDIST 1 s, ntpd/NTPsec `tos maxdist` 1.5 s, chrony `maxdistance` 3 s. The seed's final server sent root
 * dispersion 7.9 s: ntpdate took it, but no ntpd or chronyd client would ever select it.
 */
export default defineRule({
  meta: {
    id: 'root-distance-too-large',
    summary: 'The server\'s root distance (root delay/2 + root dispersion) is beyond what clients accept',
    severity: 'warning',
    confidence: 0.85,
    priority: 40,
    why:
      `A client adds the server's root delay/2 + root dispersion to its own error and refuses a source whose root distance ` +
      `exceeds its limit: RFC 5905 MAXDIST ${RFC_MAXDIST} s, ntpd and NTPsec \`tos maxdist\` ${NTPD_MAXDIST} s, chrony \`maxdistance\` ${CHRONY_MAXDISTANCE} s. ` +
      'Beyond 1.5 s every ntpd client rejects it (error); beyond 3 s chrony too. A large root dispersion means the server ' +
      'has not heard from its own source for a long time, or serves an undisciplined local clock with a high dispersion.',
    references: ['RFC 5905 §7.2 (MAXDIST)', 'RFC 5905 §11.2.1 (root distance)', 'ntp.conf(5), ntp_misc(5) (tos maxdist)', 'chrony.conf(5) (maxdistance)'],
  },
  match(ctx) {
    const hits: Hit[] = [];
    for (const [server, paths] of byServer(ctx.of('ntp-path'))) {
      // The smallest root distance seen: if even that one is too large, every sample fails the clients' test.
      const withDistance = paths.filter((p) => p.rootDistance !== undefined);
      if (withDistance.length === 0) continue;
      // A loop, not Math.min(...list): spreading 100 k+ paths as arguments overflows the stack.
      let best = Infinity;
      for (const q of withDistance) best = Math.min(best, q.rootDistance!.min);
      if (!(best > RFC_MAXDIST)) continue;
      const p = withDistance.find((q) => q.rootDistance!.min === best) ?? withDistance[0]!;
      const evidence: Evidence[] = [];
      const delay = p.rootDelay;
      const disp = p.rootDispersion;
      evidence.push(
        fact(
          p.source,
          `${server}'s replies carry root distance ${duration(best)} at best` +
            (delay && disp ? ` (root delay ${duration(delay.min)}, root dispersion ${duration(disp.min)}–${duration(disp.max)})` : ''),
          p.replies,
        ),
      );
      const rejectedBy: string[] = [`RFC 5905 clients (MAXDIST ${RFC_MAXDIST} s)`];
      if (best > NTPD_MAXDIST) rejectedBy.push(`ntpd and NTPsec (tos maxdist ${NTPD_MAXDIST} s)`);
      if (best > CHRONY_MAXDISTANCE) rejectedBy.push(`chrony (maxdistance ${CHRONY_MAXDISTANCE} s)`);
      const acceptedBy = best > CHRONY_MAXDISTANCE ? '' : best > NTPD_MAXDIST ? `; chrony (${CHRONY_MAXDISTANCE} s) still accepts it` : `; ntpd (${NTPD_MAXDIST} s) and chrony (${CHRONY_MAXDISTANCE} s) still accept it`;
      evidence.push(note(`Rejected by ${rejectedBy.join(', ')}${acceptedBy}`));

      // A limit comfortably above what the server sends, rounded up to whole seconds.
      const limit = Math.ceil(best + 1);
      const verify = probeVerify(server, p.server.port);
      const selected = `${server} selectable (* or +)`;
      const fixes = ranked([
        draft(
          'ntpd',
          `ntpd on ${server}: give it a disciplined source, or fudge its local clock so it serves stratum 10 with a small dispersion (server and fudge on the same unit)`,
          [words('ntpq -pn'), appendLine(NTPD.conf, 'server 127.127.1.0'), appendLine(NTPD.conf, 'fudge 127.127.1.0 stratum 10'), NTPD.restart],
          verify,
        ),
        draft('chrony', `chronyd on ${server}: serve its own clock as a proper local reference`, [appendLine(CHRONY.conf, 'local stratum 10'), CHRONY.restart], verify),
        draft('ntpd', `On ntpd clients: accept root distances up to ${limit} s (only if this server is really the best you have)`, [appendLine(NTPD.conf, `tos maxdist ${limit}`), NTPD.restart], words('ntpq -pn'), selected),
        draft('ntpsec', `On NTPsec clients: accept root distances up to ${limit} s`, [appendLine(NTPSEC.conf, `tos maxdist ${limit}`), NTPSEC.restart], words('ntpq -pn'), selected),
        draft('chrony', `On chrony clients: accept root distances up to ${limit} s`, [appendLine(CHRONY.conf, `maxdistance ${limit}`), CHRONY.restart], words('chronyc sources'), selected),
      ]);
      const severity = best > NTPD_MAXDIST ? 'error' : 'warning';
      hits.push({
        subject: server,
        title: `${server}'s root distance is ${duration(best)}: ${best > CHRONY_MAXDISTANCE ? 'ntpd, NTPsec and chrony clients all reject it' : best > NTPD_MAXDIST ? 'ntpd and NTPsec clients reject it' : 'over the RFC 5905 limit of 1 s'}`,
        evidence,
        fixes,
        severity,
      });
    }
    return hits;
  },
});
