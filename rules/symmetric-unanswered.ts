import { defineRule } from '../src/diagnose/define.js';
import type { Evidence, Hit } from '../src/diagnose/types.js';
import type { NtpPathObservation } from '../src/model/observation.js';
import type { RequestClass } from '../src/model/observation.js';
import { others } from './_lib/request-classes.js';
import { peerToServer } from '../src/shell/sed.js';
import { fact, note, plural } from './_lib/evidence.js';
import { appendLine, CHRONY, cmd, draft, NTPD, NTPSEC, op, ranked, type Draft } from './_lib/fixes.js';
import { duration } from './_lib/format.js';
import { byServer, isIpv6 } from './_lib/paths.js';

/**
 * Symmetric active requests (mode 1, RFC 5905 §9.2: ntpd's `peer` line, w32time in symmetric mode) never get the
 * symmetric passive (mode 2) reply, while the same client's client-mode (mode 3) requests to the same server are
 * answered (issue 13 item 5). The server refuses to peer: ntpd/ntpsec `restrict … nopeer` (in most distributions'
 * default restrict line) drops mode 1 from hosts it has no association with; chronyd answers mode 1 only from
 * configured `peer`s. The client is asking for the wrong mode. The correlator pairs mode 1 with mode 2 by origin
 * (src/correlate/correlator.ts onSymmetric) and counts mode 1 apart (src/observe/request-classes.ts).
 */
export default defineRule({
  meta: {
    id: 'symmetric-unanswered',
    summary: 'symmetric mode 1 requests (peer, w32time) go unanswered while client mode 3 is answered',
    severity: 'error',
    confidence: 0.85,
    priority: 26,
    why:
      'A `peer` line (ntpd, ntpsec) or w32time configured without the client flag sends symmetric active (mode 1) ' +
      'packets: it offers to synchronise the server as well as be synchronised by it. Servers refuse that by default: ' +
      'ntpd and ntpsec with `restrict default … nopeer` drop mode 1 from anyone they have no association with (to stop ' +
      'strangers mobilising associations), chronyd answers mode 1 only from hosts in its own `peer` lines. The same ' +
      'server answers client mode (3), so `ntpdate`/`ntpdig` work while the daemon shows reach 0 and .INIT. forever. ' +
      'Use client mode (`server` instead of `peer`; w32time flag 0x8 on the peer), or make the server peer on purpose ' +
      '(and then authenticate: an unauthenticated peer can steer the server\'s clock).',
    references: [
      'RFC 5905 §9.2 (peer process: symmetric active/passive), §8 (on-wire protocol)',
      'ntp_acc(5) (restrict: nopeer)',
      'chrony.conf(5) (peer)',
      'Microsoft: w32tm /config /manualpeerlist (flags 0x1 SpecialInterval, 0x8 client mode)',
    ],
  },
  match(ctx) {
    const hits: Hit[] = [];
    for (const [server, paths] of byServer(ctx.of('ntp-path'))) {
      for (const p of paths) {
        const s = p.requestClasses?.symmetric;
        if (s === undefined || s.unanswered.count === 0 || s.replies.count > 0) continue;
        // Client mode answered: mode 3 from other ports plus mode 3 from port 123 (request-classes.ts).
        const mode3Replies = others(p).replies + (p.requestClasses?.fromPort123?.replies.count ?? 0);
        if (mode3Replies === 0) continue;
        hits.push(hit(server, p, s, mode3Replies));
      }
    }
    return hits;
  },
});

function hit(server: string, p: NtpPathObservation, s: RequestClass, mode3Replies: number): Hit {
  const client = p.client.ip;
  const over = s.requests.count > 1 && s.lastTime > s.firstTime ? ` over ${duration(s.lastTime - s.firstTime)}` : '';
  const evidence: Evidence[] = [
    fact(p.source, `${plural(s.requests.count, 'symmetric active request')} (mode 1) from ${client} to ${server}:${p.server.port}${over}: ${s.unanswered.count} got no symmetric passive (mode 2) reply`, s.unanswered),
    fact(p.source, `${server} answered ${client}'s client-mode (mode 3) requests: ${plural(mode3Replies, 'reply', 'replies')} (mode 4)`, p.replies),
    note(`${server} is up and serves time; it refuses to peer with ${client}: ntpd/ntpsec \`restrict … nopeer\`, or chronyd without a \`peer\` line for it`),
  ];
  const h: Hit = {
    subject: server,
    title: `${server} ignores ${client}'s symmetric (mode 1, \`peer\`) requests while it answers client mode: use \`server\`, not \`peer\``,
    evidence,
    fixes: ranked([...clientFixes(server, client), ...serverFixes(server, client)]),
  };
  if (s.unanswered.count === 1) {
    h.severity = 'warning';
    h.confidence = 0.5;
  }
  return h;
}

function clientFixes(server: string, client: string): Draft[] {
  return [
    draft(
      'ntpd',
      `On ${client} (ntpd): poll ${server} in client mode — its \`peer ${server}\` line becomes \`server ${server}\``,
      [peerToServer(NTPD.conf, server), NTPD.restart],
      cmd('ntpq', '-pn'),
      `${server} with a reach above 0 (t column u, not s)`,
    ),
    draft(
      'ntpsec',
      `On ${client} (NTPsec): poll ${server} in client mode — its \`peer ${server}\` line becomes \`server ${server}\``,
      [peerToServer(NTPSEC.conf, server), NTPSEC.restart],
      cmd('ntpq', '-pn'),
      `${server} with a reach above 0 (t column u, not s)`,
    ),
    draft(
      'generic',
      `On ${client} (Windows w32time, in an elevated prompt): client mode is flag 0x8 on the peer (0x1: SpecialInterval; 0x9 both)`,
      [cmd('w32tm', '/config', op(`/manualpeerlist:${server},0x8`), '/syncfromflags:manual', '/update'), cmd('w32tm', '/resync')],
      cmd('w32tm', '/query', '/peers'),
      `${server},0x8 with State: Active`,
    ),
  ];
}

/** Peering on purpose, on the server: a restrict line for the client without `nopeer` (ntpd, ntpsec). */
function serverFixes(server: string, client: string): Draft[] {
  const ntpdLine = isIpv6(client) ? `restrict ${client} nomodify notrap noquery` : `restrict ${client} mask 255.255.255.255 nomodify notrap noquery`;
  return [
    draft(
      'ntpd',
      `Only if ${server} should peer with ${client} (both keep time for each other): on ${server}, a restrict line for ${client} without nopeer (the most specific line wins), ideally with authentication (keys, trustedkey)`,
      [appendLine(NTPD.conf, ntpdLine), NTPD.restart],
      cmd('ntpq', '-pn'),
      `on ${client}: ${server} with a reach above 0`,
    ),
    draft(
      'ntpsec',
      `Only if ${server} should peer with ${client}: on ${server} (NTPsec), a restrict line for ${client} without nopeer`,
      [appendLine(NTPSEC.conf, `restrict ${client} nomodify noquery`), NTPSEC.restart],
      cmd('ntpq', '-pn'),
      `on ${client}: ${server} with a reach above 0`,
    ),
    draft(
      'chrony',
      `Only if ${server} should peer with ${client}: chronyd on ${server} answers mode 1 only from its own peer lines (add a key to both ends: chrony.conf(5) peer … key)`,
      [appendLine(CHRONY.conf, `peer ${client}`), CHRONY.restart],
      cmd('chronyc', 'sources'),
      `on ${server}: ${client} listed with a reach above 0`,
    ),
  ];
}
