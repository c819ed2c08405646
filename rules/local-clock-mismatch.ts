import { defineRule } from '../src/diagnose/define.js';
import type { Evidence, Hit } from '../src/diagnose/types.js';
import { note } from './_lib/evidence.js';
import { draft, ranked } from './_lib/fixes.js';
import { daemonSourceFor, lineEvidence, platformOf, replaceDirective, restartOf, sourcesCommand } from './_lib/node.js';

/**
 * `server 127.127.1.N` with `fudge 127.127.1.M`, M ≠ N: the fudge names another unit of the local clock driver,
 * so it configures nothing and the local clock keeps the driver's default stratum. The seed's final node0
 * config (`server 127.127.1.1 iburst` + `fudge 127.127.1.0 stratum 10`) served stratum 6 = 5 + 1, not 11.
 */
export default defineRule({
  meta: {
    id: 'local-clock-mismatch',
    summary: '`fudge 127.127.1.M` names another unit than `server 127.127.1.N`: the stratum set there never applies',
    severity: 'warning',
    confidence: 0.95,
    priority: 42,
    why:
      'A refclock pseudo-address is 127.127.T.U: driver type T (1 = the undisciplined local clock), unit U. `fudge` ' +
      'applies to the exact address it names, so `fudge 127.127.1.0 stratum 10` does nothing to `server 127.127.1.1`: ' +
      'that clock keeps the driver default, stratum 5, and the server announces 6 (its source + 1) — higher in the ' +
      'hierarchy than intended, preferred by clients over real stratum 10 fallbacks. The seed fixed its self-sync this ' +
      'way and its clients saw stratum 6.',
    references: ['ntp_clock(5) (server, fudge: 127.127.t.u)', 'ntpd refclock_local.c / drivers/driver1.html (LOCAL clock, default stratum 5)', 'RFC 5905 §7.3 (stratum)'],
  },
  match(ctx) {
    const hits: Hit[] = [];
    for (const o of ctx.of('ntpd-config')) {
      const locals = o.config.sources.filter((s) => s.refclock?.type === 1 && s.directive !== 'refclock');
      const fudges = o.config.fudges.filter((f) => f.refclock?.type === 1);
      for (const s of locals) {
        const unit = s.refclock?.unit ?? 0;
        if (fudges.some((f) => f.refclock?.unit === unit)) continue;
        const other = fudges[0];
        if (!other) continue;
        const evidence: Evidence[] = [
          lineEvidence(s, `\`${s.text}\`: the local clock, unit ${unit}`),
          lineEvidence(other, `\`${other.text}\`: names unit ${other.refclock?.unit ?? '?'}, a clock that is not configured`),
          note(`No fudge names ${s.address}: it runs at the local driver's default stratum 5, so this server announces stratum 6${other.stratum !== undefined ? `, not ${other.stratum + 1}` : ''}`),
        ];
        const seen = daemonSourceFor(ctx, s.address);
        if (seen?.source.stratum !== undefined) evidence.push(note(`ntpd reports ${s.address} at stratum ${seen.source.stratum}`));
        for (const st of ctx.of('daemon-state')) {
          if (st.daemon === 'ntpd' && st.system && st.system.stratum < 16) evidence.push(note(`ntpd's own stratum is ${st.system.stratum}`));
        }
        const fixed = s.text.replace(s.address, `127.127.1.${other.refclock?.unit ?? 0}`);
        hits.push({
          subject: o.config.file,
          title: `${o.config.file}:${other.line}: \`${other.text}\` does not apply to \`${s.text}\` (line ${s.line}): the local clock stays at stratum 5, clients see 6`,
          evidence,
          fixes: ranked([
            draft(
              platformOf(o),
              `Make the server line name the unit the fudge configures (127.127.1.${other.refclock?.unit ?? 0}); or change the fudge to ${s.address}`,
              [replaceDirective(s, fixed), restartOf(o)],
              sourcesCommand(o),
              `LOCAL(${other.refclock?.unit ?? 0}) at stratum ${other.stratum ?? 10}; clients see ${(other.stratum ?? 10) + 1}`,
            ),
          ]),
        });
      }
    }
    return hits;
  },
});
