import { defineRule } from '../src/diagnose/define.js';
import type { Evidence, Hit } from '../src/diagnose/types.js';
import { note } from './_lib/evidence.js';
import { appendLine, draft, ranked } from './_lib/fixes.js';
import { clientProbe, configs, daemonName, hasLocalFallback, isSelfSource, lineEvidence, ownAddressSet, restartOf, serverIntent, sourcesCommand, upstreamProblem } from './_lib/node.js';

/**
 * A time server for others with no usable upstream and nothing to fall back on: no local clock (ntpd
 * 127.127.1.0, NTPsec `refclock local`), no chrony `local stratum`, no `tos orphan`. The seed's situation: node0
 * could reach no public server and was meant to serve its own clock to the cluster.
 */
export default defineRule({
  meta: {
    id: 'local-clock-missing',
    summary: 'A time server for others has no usable upstream and no local clock / `local stratum` / orphan fallback',
    severity: 'error',
    confidence: 0.8,
    priority: 18,
    why:
      'A daemon with no synchronized source announces stratum 16 / leap 3 (RFC 5905 §7.3), and clients drop it ' +
      '("Server dropped: strata too high", chrony ^?). A server meant for an isolated network must be told to serve ' +
      'its own clock when nothing better is there: ntpd `server 127.127.1.0` + `fudge 127.127.1.0 stratum 10`, NTPsec ' +
      '`refclock local stratum 10`, chrony `local stratum 10`, or ntpd `tos orphan 10` among several servers.',
    references: ['RFC 5905 §7.3 (stratum 16, leap 3)', 'ntp_clock(5) (127.127.1.0 local clock)', 'ntp_misc(5) (tos orphan)', 'chrony.conf(5) (local)'],
  },
  match(ctx) {
    const own = ownAddressSet(ctx);
    const hits: Hit[] = [];
    for (const o of configs(ctx)) {
      if (hasLocalFallback(o)) continue;
      const intent = serverIntent(ctx, o);
      if (intent.length === 0) continue;
      const upstreams = o.config.sources.filter((s) => !s.refclock);
      const problems: Evidence[] = [];
      let usable = 0;
      for (const s of upstreams) {
        if (isSelfSource(s, own)) {
          problems.push(lineEvidence(s, `\`${s.text}\`: ${s.address} is this host itself`));
          continue;
        }
        // A name that resolves nowhere is no upstream; an address counts when nothing says it is of no use.
        if (s.resolved !== undefined && s.resolved.length === 0) {
          problems.push(lineEvidence(s, `\`${s.text}\`: ${s.address} does not resolve here`));
          continue;
        }
        const whys = (s.resolved ?? []).map((a) => upstreamProblem(ctx, a, own));
        if (whys.length > 0 && whys.every((w) => w !== undefined)) problems.push(lineEvidence(s, `\`${s.text}\`: ${whys[0]}`));
        else usable++;
      }
      if (usable > 0) continue;
      const evidence: Evidence[] = [
        ...intent,
        ...(upstreams.length === 0 ? [note(`${o.config.file} names no upstream server at all`)] : problems),
        note(`With no synchronized source and no local clock, ${daemonName(o)} serves stratum 16 / leap 3: its clients drop it ("strata too high")`),
      ];
      const hit: Hit = {
        subject: o.config.file,
        title: `${daemonName(o)} serves time to others but has no usable upstream and no local clock to fall back on`,
        evidence,
        fixes: ranked([fixFor(o, clientProbe(ctx))]),
      };
      // A line the daemon does not know that reads like a source (`sever 10.0.0.1`) is probably the missing upstream:
      // the daemon really has none (so the finding stands), but the typo is the likelier cause (unknown-directive).
      const typo = o.unknownDirectives.find((u) => u.suggestion !== undefined && SOURCE_KEYWORDS.has(u.suggestion));
      if (typo) {
        hit.evidence.push(lineEvidence(typo.at, `\`${typo.at.text}\` is not a directive ${daemonName(o)} knows: if \`${typo.suggestion}\` was meant, that is the missing upstream (see unknown-directive)`));
        hit.severity = 'warning';
        hit.confidence = 0.5;
      }
      // Every upstream is this host itself: self-sync is the root cause and already gives this remedy.
      if (upstreams.length > 0 && upstreams.every((s) => isSelfSource(s, own))) {
        hit.severity = 'warning';
        hit.confidence = 0.7;
      }
      hits.push(hit);
    }
    return hits;
  },
});

/** Source keywords: an unknown line near one of these (`sever`, `pol`) reads like a misspelled upstream. */
const SOURCE_KEYWORDS = new Set(['server', 'pool', 'peer', 'refclock']);

function fixFor(o: Parameters<typeof restartOf>[0], probe: string) {
  const file = o.config.file;
  const verify = sourcesCommand(o);
  const expect = `the local clock selected ('*') when no upstream is; ${probe}`;
  if (o.kind === 'chrony-config') {
    return draft('chrony', 'chronyd: serve this clock at stratum 10 when no upstream is usable', [appendLine(file, 'local stratum 10'), restartOf(o)], verify, expect);
  }
  if (o.variant === 'ntpsec') {
    return draft('ntpsec', 'NTPsec: serve the local clock at stratum 10 when no upstream is usable', [appendLine(file, 'refclock local stratum 10'), restartOf(o)], verify, expect);
  }
  return draft(
    'ntpd',
    'ntpd: serve the local clock at stratum 10 when no upstream is usable (server and fudge on the same unit; ntpd takes about 5 minutes to select it)',
    [appendLine(file, 'server 127.127.1.0'), appendLine(file, 'fudge 127.127.1.0 stratum 10'), restartOf(o)],
    verify,
    expect,
  );
}
