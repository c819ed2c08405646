import { defineRule } from '../src/diagnose/define.js';
import type { Hit } from '../src/diagnose/types.js';
import { note } from './_lib/evidence.js';
import { appendLine, draft, ranked } from './_lib/fixes.js';
import { configs, daemonName, isSelfSource, lineEvidence, ownAddressSet, platformOf, restartOf, sourcesCommand } from './_lib/node.js';

/**
 * Exactly one upstream server (no pool): nothing to compare it with, so a wrong or dead source is followed or
 * leaves the node free-running. The seed's clients each name node0 alone.
 */
export default defineRule({
  meta: {
    id: 'single-upstream',
    summary: 'Only one upstream server: no way to outvote it when it is wrong, nothing left when it is gone',
    severity: 'info',
    confidence: 0.7,
    priority: 80,
    why:
      'NTP selects sources by intersecting their intervals and discarding falsetickers (RFC 5905 §11.2.1); with one ' +
      'source there is nothing to compare, so a server that is wrong is followed and one that stops leaves the clock ' +
      'free-running. RFC 8633 recommends at least four sources (three to outvote one falseticker, one spare). Inside ' +
      'a cluster that serves itself, one server per node is common: then make that server robust.',
    references: ['RFC 8633 §3.2 (use enough time sources)', 'RFC 5905 §11.2.1 (selection algorithm)'],
  },
  match(ctx) {
    const own = ownAddressSet(ctx);
    const hits: Hit[] = [];
    for (const o of configs(ctx)) {
      const upstream = o.config.sources.filter((s) => !s.refclock && s.directive !== 'refclock' && !isSelfSource(s, own));
      if (upstream.length !== 1) continue;
      const only = upstream[0] as (typeof upstream)[number];
      if (only.directive === 'pool') continue;
      const line = o.kind === 'chrony-config' ? 'server SECOND-SERVER iburst' : 'server SECOND-SERVER iburst';
      hits.push({
        subject: o.config.file,
        title: `${daemonName(o)} has a single upstream: ${only.address}`,
        evidence: [lineEvidence(only, `\`${only.text}\`: the only upstream in ${o.config.file}`), note('Nothing to check it against: if it is wrong this node follows it; if it stops, this clock runs free')],
        fixes: ranked([
          draft(platformOf(o), 'Add more upstream servers (RFC 8633: four), or a pool, where the network allows it', [appendLine(o.config.file, line), restartOf(o)], sourcesCommand(o), 'several sources, one marked *'),
        ]),
      });
    }
    return hits;
  },
});
