import { defineRule } from '../src/diagnose/define.js';
import type { Evidence, Hit, RuleContext } from '../src/diagnose/types.js';
import { fact, note, plural } from './_lib/evidence.js';
import { commentOutSourceLines } from '../src/shell/sed.js';
import { appendLine, CHRONY, cmd, draft, type Draft, NTP_PORT, NTPD, NTPSEC, probeVerify, ranked } from './_lib/fixes.js';
import { byServer, serverPort } from './_lib/paths.js';
import { refidNames } from './_lib/refid.js';
import type { Located } from '../src/model/config.js';
import { commentOut, configs, type ConfigObservation, daemonName, daemonSourceFor, hasLocalFallback, isOwnAddress, isSelfSource, lineEvidence, ownAddressSet, platformOf, restartOf, sourcesCommand } from './_lib/node.js';

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

/** Each source of self-sync evidence: config lines naming local addresses first (their fixes are exact edits), then the replies' refid. */
const HIT_SOURCES: ReadonlyArray<(ctx: RuleContext) => Hit[]> = [fromConfig, fromControl, fromReplies, fromLoopPackets];

/** Mode 6 read-variables: the server lists itself among its own peers (ntpq -p would show it). */
function fromControl(ctx: RuleContext): Hit[] {
  const hits: Hit[] = [];
  for (const c of ctx.of('ntp-control')) {
    if (c.selfSource === undefined) continue;
    const state = c.systemStratum !== undefined ? ` and reports stratum ${c.systemStratum}${c.systemLeap !== undefined ? `, leap ${c.systemLeap.toString(2).padStart(2, '0')}` : ''}` : '';
    const evidence: Evidence[] = [
      fact(c.source, `${c.server} answered ntpq (mode 6 read-variables): one of its peers is ${c.selfSource}, its own address,${state}`, c.responses),
      note(`${c.server} names itself as its upstream: it polls itself and can never synchronize`),
    ];
    hits.push({ subject: c.server, title: `${c.server} is configured to synchronize to itself (its peer list names ${c.selfSource})`, evidence, fixes: ranked(fixesFor(c.server)) });
  }
  return hits;
}

/** Packets: replies whose refid names the very server that sent them. */
function fromReplies(ctx: RuleContext): Hit[] {
  const hits: Hit[] = [];
  for (const [server, paths] of byServer(ctx.of('ntp-path'))) {
    const evidence: Evidence[] = [];
    // refidNames works out the server's refid (an MD5 for IPv6) on each call: ask once per refid text, not per path.
    const named = new Map<string, boolean>();
    for (const p of paths) {
      // Stratum 0/1 refids are ASCII (kiss codes, clock names): refidNames only matches addresses and hashes.
      if (!p.strata.some((s) => s.value >= 2)) continue;
      for (const r of p.refids) {
        let names = named.get(r.value);
        if (names === undefined) named.set(r.value, (names = refidNames(r.value, server)));
        if (!names) continue;
        const strata = p.strata.filter((s) => s.value >= 2).map((s) => s.value).join('/');
        evidence.push(fact(p.source, `${plural(r.count, 'reply', 'replies')} from ${server} (stratum ${strata}) carried refid ${r.value}: its own address`, r));
      }
    }
    if (evidence.length === 0) continue;
    evidence.push(note(`${server} names itself as its upstream: it polls itself and can never synchronize`));
    hits.push({ subject: server, title: `${server} is configured to synchronize to itself (refid = its own address)`, evidence, fixes: ranked(fixesFor(server, serverPort(paths))) });
  }
  return hits;
}

/**
 * Packets that show a loop from the client's side:
 * - requests whose source and destination are the same address (captured on lo, or on the host's own address): the
 *   host polls itself;
 * - replies whose refid names the very client that asked (RFC 5905 §8 loop test; chrony ntp_core.c testD: "the
 *   server's reference ID is the client's address"): IPv4 refid = the address, IPv6 = the first 4 octets of its MD5
 *   (RFC 5905 §7.3). The server synchronizes to this client while the client polls it: neither ever has time to give.
 */
function fromLoopPackets(ctx: RuleContext): Hit[] {
  const hits: Hit[] = [];
  for (const p of ctx.of('ntp-path')) {
    if (p.source !== 'capture') continue;
    const client = p.client.ip;
    if (client === p.server.ip && p.requests.count > 0) {
      hits.push({
        subject: client,
        title: `${client} sends NTP requests to itself (source and destination ${client})`,
        evidence: [
          fact(p.source, `${plural(p.requests.count, 'request')} from ${client} to ${client} port ${p.server.port}: the same host is client and server`, p.requests),
          note(`${client} polls itself: its own time comes back to it, and it can never synchronize`),
        ],
        fixes: ranked(fixesFor(client, p.server.port)),
      });
      continue;
    }
    if (!p.strata.some((x) => x.value >= 2)) continue;
    const evidence: Evidence[] = [];
    for (const r of p.refids) {
      if (!refidNames(r.value, client)) continue;
      evidence.push(fact(p.source, `${plural(r.count, 'reply', 'replies')} from ${p.server.ip} to ${client} carried refid ${r.value}: the client's own address`, r));
    }
    if (evidence.length === 0) continue;
    evidence.push(note(`${p.server.ip} synchronizes to ${client} while ${client} polls ${p.server.ip}: a timing loop (RFC 5905 §8; chrony rejects such a source, testD)`));
    hits.push({
      subject: client,
      title: `${p.server.ip} takes its time from ${client}, the client that polls it (refid = ${client}): a timing loop`,
      evidence,
      fixes: ranked(loopFixes(p.server.ip, client, p.server.port)),
    });
  }
  return hits;
}

/** The loop is broken on the server: its source line naming its own client goes (which file: the grep says). */
function loopFixes(server: string, client: string, port: number): Draft[] {
  return [
    draft(
      'generic',
      `On ${server}: find the server/pool/peer line naming ${client} (its own client) and remove it or name a real upstream, then restart the daemon`,
      [cmd('grep', '-snwF', client, '/etc/ntp.conf', '/etc/ntpsec/ntp.conf', '/etc/chrony.conf', '/etc/chrony/chrony.conf')],
      probeVerify(server, port),
      `the reply's refid is no longer ${client}`,
    ),
  ];
}

/**
 * Config: a server/peer/pool line that names (or resolves to) one of this host's own addresses — read from its
 * interfaces — or loopback. Severity error when it is the only way this node could get time.
 */
function fromConfig(ctx: RuleContext): Hit[] {
  const own = ownAddressSet(ctx);
  const hits: Hit[] = [];
  for (const o of configs(ctx)) {
    const sources = o.config.sources.filter((s) => s.directive !== 'refclock');
    for (const s of sources) {
      if (!isSelfSource(s, own)) continue;
      const address = s.resolved?.find((a) => isOwnAddress(a, own)) ?? s.address;
      const named = s.address === address ? address : `${s.address} (${address})`;
      const evidence: Evidence[] = [
        lineEvidence(s, `\`${s.text}\` names ${named}, ${address === s.address && /^(127\.|::1$)/.test(address) ? 'the loopback address' : "one of this host's own addresses"}`),
      ];
      const seen = daemonSourceFor(ctx, address);
      if (seen) {
        const st = seen.source;
        evidence.push(note(`${daemonName(o)} reports ${address} at stratum ${st.stratum ?? '?'}, reach ${st.reach.toString(8)}${st.refid ? `, refid ${st.refid}` : ''}: it gets no usable time from itself`));
      }
      const others = sources.filter((x) => x !== s && !isSelfSource(x, own));
      const fallback = hasLocalFallback(o);
      const alone = others.length === 0 && !fallback;
      evidence.push(
        note(
          alone
            ? `It is the only time source in ${o.config.file}: ${daemonName(o)} polls itself, never synchronizes and serves stratum 16 ("strata too high")`
            : `Other sources exist (${[...others.map((x) => x.address), ...(fallback ? [fallback.text] : [])].join(', ')}), so this line is dead weight rather than fatal`,
        ),
      );
      const hit: Hit = {
        subject: address,
        title: `${o.config.file}:${s.line}: \`${s.text}\` makes ${daemonName(o)} synchronize to itself`,
        evidence,
        fixes: ranked([selfFixFor(o, s, address)]),
      };
      if (!alone) {
        hit.severity = 'warning';
        hit.confidence = 0.8;
      }
      hits.push(hit);
    }
  }
  return hits;
}

/** The exact edit for the daemon found: comment that line out, serve the local clock at stratum 10. */
function selfFixFor(o: ConfigObservation, at: Located, address: string): Draft {
  const file = o.config.file;
  const restart = restartOf(o);
  const verify = sourcesCommand(o);
  const expect = `the local clock selected ('*') when no upstream is; then from a client: ntpdoctor probe ${address} gets replies`;
  // A local clock already configured takes over once the self-source is gone: adding a second one would repeat it
  // (local-clock-mismatch fixes a local clock whose fudge names another unit).
  const local = hasLocalFallback(o);
  if (local) {
    return draft(platformOf(o), `Comment out line ${at.line}: the local clock on line ${local.line} (\`${local.text}\`) serves when no upstream is usable (or name a real upstream instead)`, [commentOut(at), restart], verify, expect);
  }
  if (o.kind === 'chrony-config') {
    return draft('chrony', `chronyd: comment out line ${at.line} and serve this clock at stratum 10 when no upstream is usable (or name a real upstream instead)`, [commentOut(at), appendLine(file, 'local stratum 10'), restart], verify, expect);
  }
  if (o.variant === 'ntpsec') {
    return draft('ntpsec', `NTPsec: comment out line ${at.line} and serve the local clock at stratum 10 (or name a real upstream instead)`, [commentOut(at), appendLine(file, 'refclock local stratum 10'), restart], verify, expect);
  }
  return draft(
    'ntpd',
    `ntpd: comment out line ${at.line} and serve the local clock at stratum 10 — server and fudge on the same unit, 127.127.1.0 (or name a real upstream instead); ntpd takes about 5 minutes to select it`,
    [commentOut(at), appendLine(file, 'server 127.127.1.0'), appendLine(file, 'fudge 127.127.1.0 stratum 10'), restart],
    verify,
    expect,
  );
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

export function fixesFor(server: string, port = NTP_PORT): Draft[] {
  const comment = (file: string) => commentOutSourceLines(file, server);
  const verify = probeVerify(server, port);
  return [
    draft(
      'ntpd',
      `ntpd on ${server}: comment out the server line naming itself and serve the local clock at stratum 10 (server and fudge on the same unit)`,
      [comment(NTPD.conf), appendLine(NTPD.conf, 'server 127.127.1.0'), appendLine(NTPD.conf, 'fudge 127.127.1.0 stratum 10'), NTPD.restart],
      verify,
    ),
    draft('ntpsec', `NTPsec on ${server}: comment out the server line naming itself and serve the local clock at stratum 10`, [comment(NTPSEC.conf), appendLine(NTPSEC.conf, 'refclock local stratum 10'), NTPSEC.restart], verify),
    draft(
      'chrony',
      `chronyd on ${server}: comment out the server line naming itself and serve its own clock at stratum 10 (Debian/Ubuntu: /etc/chrony/chrony.conf)`,
      [comment(CHRONY.conf), appendLine(CHRONY.conf, 'local stratum 10'), CHRONY.restart],
      verify,
    ),
  ];
}
