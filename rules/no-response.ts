import { defineRule } from '../src/diagnose/define.js';
import type { Evidence, Hit } from '../src/diagnose/types.js';
import type { NtpPathObservation } from '../src/model/observation.js';
import { chronyAllowFix, ntpdRestrictFix, ntpsecRestrictFix } from './_lib/access.js';
import { cappedMap, fact, factOf, note, plural, sourcePorts } from './_lib/evidence.js';
import { cmd, draft, op, openNtpInbound, probeVerify, ranked } from './_lib/fixes.js';
import { duration } from './_lib/format.js';
import { byServer, clientsText, isIpv6, pair, serverPort } from './_lib/paths.js';

/**
 * Requests that got nothing back: no reply, no ICMP error. Something drops them without a word: a firewall DROP
 * rule, ntpd access control (`restrict … ignore`, or `notrust` without authentication — the second seed's
 * "Server dropped: no data"), chrony without an `allow` for the client, or a host that is down.
 */
export default defineRule({
  meta: {
    id: 'no-response',
    summary: 'NTP requests get no reply and no ICMP error: dropped silently',
    severity: 'error',
    confidence: 0.85,
    priority: 30,
    why:
      'A request that draws neither a reply nor an ICMP error was dropped without a word: a firewall DROP rule, ntpd access ' +
      'control (`restrict … ignore`, `noserve`, or `notrust` — since ntp 4.2 "only cryptographically authenticated packets"), ' +
      'chronyd ignoring a client no `allow` covers, or a host that is down. ntpdate then says "Server dropped: no data", ' +
      'chronyc shows ^? with reach 0, ntpq -p shows reach 0 and jitter 4000. A capture at the server tells the network apart: if the requests arrive there, ' +
      'the server (its firewall or its daemon) is the one staying silent.',
    references: [
      'RFC 5905 §8 (on-wire protocol)',
      'ntp_acc(5) (restrict: ignore, noserve, notrust)',
      'chrony.conf(5) (allow, deny)',
      'firewall-cmd(1)',
      'iptables(8)',
    ],
  },
  match(ctx) {
    const hits: Hit[] = [];
    for (const [server, all] of byServer(ctx.of('ntp-path'))) {
      // Paths with an ICMP error or any reply are other rules' business (ICMP rate limiting leaves some requests unanswered).
      const silent = all.filter((p) => p.requests.count > 0 && p.replies.count === 0 && p.icmp.length === 0 && p.unanswered.count > 0);
      if (silent.length === 0) continue;
      const unanswered = silent.reduce((n, p) => n + p.unanswered.count, 0);
      // Every request counts in the title, those sent just before the capture ended too (tcpdump shows them all).
      const requests = silent.reduce((n, p) => n + p.requests.count, 0);
      const evidence: Evidence[] = cappedMap(silent, 5, 'clients', describe);
      const atServer = silent.some((p) => p.capturedAt === 'server');
      const first = silent[0] as NtpPathObservation;
      if (atServer) {
        evidence.push(note(`Captured at ${server}: the requests arrived, so nothing on the way dropped them — ${server}'s firewall (tcpdump sees packets before netfilter) or its NTP daemon ignores them`));
      } else if (first.source === 'probe') {
        evidence.push(note(`ntpdoctor's own requests got no answer, and the socket reported no ICMP error`));
      } else if (first.capturedAt === 'client') {
        evidence.push(note(`Captured at the client: the requests left it and nothing came back, not even an ICMP error (so no REJECT rule answered)`));
      }
      const answeredElsewhere = all.filter((p) => p.replies.count > 0);
      if (answeredElsewhere.length > 0) {
        evidence.push(factOf(first.source, `${server} did answer ${clientsText(answeredElsewhere)}: it is up, and it ignores only ${clientsText(silent)}`, answeredElsewhere.map((p) => p.replies)));
      }

      const client = first.client.ip;
      const port = serverPort(silent);
      const access = [ntpdRestrictFix(server, client, port), ntpsecRestrictFix(server, client, port), chronyAllowFix(server, client, port)];
      const firewall = openNtpInbound(server, server, isIpv6(server), port);
      const hostDown = draft(
        'generic',
        `Check that ${server} is up and is the host you mean (a host that is down, or answers no ARP, is silent too)`,
        [cmd('ping', '-c', '3', op(server)), cmd('ip', 'neigh', 'show', op(server))],
        probeVerify(server, port),
      );
      // Server-side capture, or other clients answered: the host is up and reached, so access control comes first.
      const drafts = atServer || answeredElsewhere.length > 0 ? [...access, ...firewall] : [...firewall, ...access, hostDown];
      const hit: Hit = {
        subject: server,
        title: `No reply from ${server} to ${plural(requests, 'request')} from ${clientsText(silent)}: dropped silently`,
        evidence,
        fixes: ranked(drafts),
      };
      if (unanswered === 1) {
        // One lost datagram is not yet a pattern.
        hit.severity = 'warning';
        hit.confidence = 0.5;
      } else if (unanswered === 2) hit.confidence = 0.7;
      hits.push(hit);
    }
    return hits;
  },
});

/**
 * One client's requests, all of them (the frames are the requests'), from every source port it used: chrony and ntpdig
 * take a new port per request, and a firewall rule on the source port matters. Requests sent in the capture's last
 * second were not waited for long enough to call unanswered (Correlator.end): counted, and said so.
 */
function describe(p: NtpPathObservation): Evidence {
  const span = p.lastRequestTime - p.firstRequestTime;
  const over = p.requests.count > 1 && span > 0 ? ` over ${duration(span)}` : '';
  const server = isIpv6(p.server.ip) ? `[${p.server.ip}]:${p.server.port}` : `${p.server.ip}:${p.server.port}`;
  const pending = p.pendingAtEnd?.count ?? 0;
  const late = pending > 0 ? ` (${pending} of them sent so shortly before the capture ended that a reply could have come after it)` : '';
  return fact(
    p.source,
    `${plural(p.requests.count, 'request')} from ${p.client.ip} to ${server}${over}, from ${sourcePorts(p)}, got neither a reply nor an ICMP error${late}`,
    p.requests,
  );
}
