import { defineRule } from '../src/diagnose/define.js';
import type { Evidence, Hit, RuleContext } from '../src/diagnose/types.js';
import { fact, note, plural } from './_lib/evidence.js';
import { append, CHRONY, draft, type Draft, NTPD, NTPSEC, probeVerify, ranked } from './_lib/fixes.js';
import { byServer } from './_lib/paths.js';
import { refidNames } from './_lib/refid.js';

/**
 * A time server told to synchronise to itself: the seed's `server 192.168.1.100` on node0, which is
 * 192.168.1.100. It can never synchronise, so it serves stratum 16 for ever. Hits come from several sources, each
 * a function below; findings on the same server are merged into one.
 */
export default defineRule({
  meta: {
    id: 'self-sync',
    summary: "A server's upstream is its own address: it can never synchronize",
    severity: 'error',
    confidence: 0.9,
    priority: 15,
    explains: ['server-unsynchronized'],
    why:
      "A server line that names one of the host's own addresses makes the daemon poll itself: its own replies are " +
      'unsynchronized (stratum 16), so it never synchronizes and serves stratum 16 for ever — the seed\'s node0 with ' +
      '`server 192.168.1.100`. On the wire, a reply whose refid (stratum ≥ 2: the upstream\'s IPv4 address, or the MD5 of its ' +
      'IPv6 address) is the server\'s own address says the same. A standalone server uses its local clock instead.',
    references: ['RFC 5905 §7.3 (refid)', 'RFC 5905 §11.2.1 (loop detection)', 'ntp.conf(5), ntp_clock(5) (server 127.127.1.0)', 'chrony.conf(5) (local)'],
  },
  match(ctx) {
    return mergeBySubject(HIT_SOURCES.flatMap((source) => source(ctx)));
  },
});

/** Each source of self-sync evidence; the config-side check (server lines naming local addresses) goes here too. */
const HIT_SOURCES: ReadonlyArray<(ctx: RuleContext) => Hit[]> = [fromReplies];

/** Packets: replies whose refid names the very server that sent them. */
function fromReplies(ctx: RuleContext): Hit[] {
  const hits: Hit[] = [];
  for (const [server, paths] of byServer(ctx.of('ntp-path'))) {
    const evidence: Evidence[] = [];
    for (const p of paths) {
      // Stratum 0/1 refids are ASCII (kiss codes, clock names): refidNames only matches addresses and hashes.
      if (!p.strata.some((s) => s.value >= 2)) continue;
      for (const r of p.refids) {
        if (!refidNames(r.value, server)) continue;
        const strata = p.strata.filter((s) => s.value >= 2).map((s) => s.value).join('/');
        evidence.push(fact(p.source, `${plural(r.count, 'reply', 'replies')} from ${server} (stratum ${strata}) carried refid ${r.value}: its own address`, r));
      }
    }
    if (evidence.length === 0) continue;
    evidence.push(note(`${server} names itself as its upstream: it polls itself and can never synchronize`));
    hits.push({ subject: server, title: `${server} is configured to synchronize to itself (refid = its own address)`, evidence, fixes: ranked(fixesFor(server)) });
  }
  return hits;
}

/** One finding per server: evidence from every source, fixes from the first. */
function mergeBySubject(hits: Hit[]): Hit[] {
  const out = new Map<string, Hit>();
  for (const h of hits) {
    const prev = out.get(h.subject);
    if (prev) prev.evidence.push(...h.evidence);
    else out.set(h.subject, { ...h, evidence: [...h.evidence] });
  }
  return [...out.values()];
}

export function fixesFor(server: string): Draft[] {
  const self = server.replace(/\./g, '\\.');
  const comment = (file: string) => `sed -i -E 's/^((server|peer|pool)[[:space:]]+${self})([[:space:]]|$)/# \\1\\3/' ${file}`;
  const verify = probeVerify(server);
  return [
    draft(
      'ntpd',
      `ntpd on ${server}: comment out the server line naming itself and serve the local clock at stratum 10 (server and fudge on the same unit)`,
      [comment(NTPD.conf), append(NTPD.conf, 'server 127.127.1.0'), append(NTPD.conf, 'fudge 127.127.1.0 stratum 10'), NTPD.restart],
      verify,
    ),
    draft('ntpsec', `NTPsec on ${server}: comment out the server line naming itself and serve the local clock at stratum 10`, [comment(NTPSEC.conf), append(NTPSEC.conf, 'refclock local stratum 10'), NTPSEC.restart], verify),
    draft(
      'chrony',
      `chronyd on ${server}: comment out the server line naming itself and serve its own clock at stratum 10 (Debian/Ubuntu: /etc/chrony/chrony.conf)`,
      [comment(CHRONY.conf), append(CHRONY.conf, 'local stratum 10'), CHRONY.restart],
      verify,
    ),
  ];
}
