import { defineRule } from '../src/diagnose/define.js';
import type { Hit } from '../src/diagnose/types.js';
import { note } from './_lib/evidence.js';
import { appendLine, byHand, draft, type Draft, ranked } from './_lib/fixes.js';
import { configs, daemonName, isSelfSource, lineEvidence, ownAddressSet, platformOf, restartOf, sourcesCommand, type ConfigObservation } from './_lib/node.js';
import { isInternalSource, poolLines, poolZone } from './_lib/upstream.js';

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
      'a cluster that serves itself, one server per node is common: then make that server robust. The fix adds the ' +
      "distribution's own NTP Pool zone (what its stock config ships: `pool 2.debian.pool.ntp.org iburst`, CentOS 7 " +
      "ntpd's numbered `server N.centos.pool.ntp.org` lines) only when the single source is itself on the public " +
      'Internet; for a site-internal source (private address, internal name) only the admin knows which other server ' +
      'is independent of it, so the fix says so in words and prints no placeholder command.',
    references: ['RFC 8633 §3.2 (use enough time sources)', 'RFC 5905 §11.2.1 (selection algorithm)', 'www.ntppool.org/en/vendors.html (vendor zones)', 'chrony.conf(5) (pool)', 'ntp.conf(5) (server, pool)'],
  },
  match(ctx) {
    const own = ownAddressSet(ctx);
    const hits: Hit[] = [];
    for (const o of configs(ctx)) {
      const upstream = o.config.sources.filter((s) => !s.refclock && s.directive !== 'refclock' && !isSelfSource(s, own));
      if (upstream.length !== 1) continue;
      const only = upstream[0] as (typeof upstream)[number];
      if (only.directive === 'pool') continue;
      const os = ctx.of('time-daemons')[0]?.os;
      // Internet time already: the vendor's pool, a command. Site-internal: which server is independent is the admin's call.
      const fixes = isInternalSource(only) ? [secondInternal(o, only.address)] : [vendorPool(o, os)];
      hits.push({
        subject: o.config.file,
        title: `${daemonName(o)} has a single upstream: ${only.address}`,
        evidence: [lineEvidence(only, `\`${only.text}\`: the only upstream in ${o.config.file}`), note('Nothing to check it against: if it is wrong this node follows it; if it stops, this clock runs free')],
        fixes: ranked(fixes),
      });
    }
    return hits;
  },
});

/** The distribution's pool zone, appended as its stock config writes it (the node already uses Internet time). */
function vendorPool(o: ConfigObservation, os: { id: string } | undefined): Draft {
  const zone = poolZone(os);
  const flavor = o.kind === 'chrony-config' ? 'chrony' : o.variant === 'ntpsec' ? 'ntpsec' : 'ntpd';
  const lines = poolLines(zone, flavor);
  const whose = zone === 'pool.ntp.org' ? 'the NTP Pool' : `the distribution's NTP Pool zone (${zone})`;
  return draft(
    platformOf(o),
    `Add ${whose} next to it: ${lines.length === 1 ? 'a pool line (up to four servers)' : `${lines.length} server lines (four sources in all)`}, so a wrong or lost source is outvoted (RFC 8633)`,
    [...lines.map((l) => appendLine(o.config.file, l)), restartOf(o)],
    sourcesCommand(o),
    'several sources, one marked *',
  );
}

/** A second server of the site's own: which one is independent of the first is the admin's knowledge, so in words. */
function secondInternal(o: ConfigObservation, only: string): Draft {
  return byHand(
    platformOf(o),
    `Add a second, independent server of your own (RFC 8633: four let one wrong source be outvoted), or make ${only} robust`,
    [
      `Add a second, independent server line to ${o.config.file}: \`server\`, the address of another time server in your network that does not take its time from ${only}, then \`iburst\` (three such lines make four sources)`,
      `If ${only} is the site's one designated server, make it robust instead: several upstreams of its own, and orphan mode (chrony \`local stratum 10 orphan\`, ntpd \`tos orphan 10\`) so the site keeps one time when they are lost`,
    ],
    [restartOf(o)],
    sourcesCommand(o),
    'several sources, one marked *',
  );
}
