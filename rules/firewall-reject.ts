import { defineRule } from '../src/diagnose/define.js';
import type { Evidence, Hit } from '../src/diagnose/types.js';
import type { IcmpSeen, NtpPathObservation } from '../src/model/observation.js';
import { cappedMap, fact, factOf, note, plural } from './_lib/evidence.js';
import { openNtpInbound, openNtpOutbound, ranked } from './_lib/fixes.js';
import { classifyIcmp, icmpLabel, knownReporter } from './_lib/icmp.js';
import { byServer, isIpv6, pair, serverPort } from './_lib/paths.js';

/**
 * NTP requests answered by ICMP "administratively prohibited": a firewall REJECT rule, on the server or on the
 * way. The seed's `ICMP host 192.168.1.100 unreachable - admin prohibited` (type 3 code 10, firewalld's reject).
 */
export default defineRule({
  meta: {
    id: 'firewall-reject',
    summary: 'A firewall rejects NTP requests with ICMP "administratively prohibited"',
    severity: 'error',
    confidence: 0.95,
    priority: 10,
    explains: ['no-response'],
    why:
      'ICMP type 3 codes 9, 10 and 13 (ICMPv6 type 1 code 1) are what a firewall REJECT rule sends back: CentOS 7 iptables ' +
      'and firewalld on its iptables backend use code 10 (host-prohibited), nftables and firewalld on its nftables backend ' +
      'code 13 (admin-prohibited). The request never reaches ntpd ' +
      'or chronyd, so clients see "no data" (ntpdate: Server dropped: no data; chronyc: ^? with reach 0). On CentOS/RHEL 7 ' +
      'firewalld runs by default: stopping the iptables service alone does not remove its rules, which is why that did not help in the seed.',
    references: [
      'RFC 792 (ICMP destination unreachable)',
      'RFC 1812 §5.2.7.1 (code 13: communication administratively prohibited)',
      'RFC 4443 §3.1 (ICMPv6 destination unreachable)',
      'firewall-cmd(1)',
      'nft(8)',
      'iptables-extensions(8) (REJECT --reject-with)',
    ],
  },
  match(ctx) {
    const hits: Hit[] = [];
    for (const [server, paths] of byServer(ctx.of('ntp-path'))) {
      const seen: Array<{ p: NtpPathObservation; i: IcmpSeen }> = [];
      for (const p of paths) for (const i of p.icmp) if (classifyIcmp(i) === 'admin-prohibited') seen.push({ p, i });
      if (seen.length === 0) continue;
      const first = seen[0]!;
      const reporters = [...new Set(seen.map(({ i }) => i.reporter).filter(knownReporter))];
      const clientIps = new Set(seen.map(({ p }) => p.client.ip));
      const atServer = reporters.length === 0 || reporters.every((r) => r === server);
      const atClient = !atServer && reporters.every((r) => clientIps.has(r));
      const where = atServer ? server : (reporters[0] as string);

      const evidence: Evidence[] = cappedMap(seen, 5, 'ICMP errors', ({ p, i }) =>
        fact(
          p.source,
          `${icmpLabel(i)} from ${knownReporter(i.reporter) ? i.reporter : 'the network'} answering ${plural(i.count, 'request')} ${pair(p)}`,
          i,
        ),
      );
      const answered = paths.reduce((n, p) => n + p.replies.count, 0);
      if (answered > 0) {
        const withReplies = paths.filter((p) => p.replies.count > 0);
        evidence.push(
          factOf(first.p.source, `${plural(answered, 'request')} to ${server} did get NTP replies: the rule rejects only some clients or some of the time`, withReplies.map((p) => p.replies)),
        );
      }
      if (!atServer) {
        evidence.push(
          note(
            atClient
              ? `The ICMP error comes from the client's own address: its own firewall (OUTPUT chain) rejects the request before it leaves`
              : `The ICMP error comes from ${reporters.join(', ')}, not from ${server}: a firewall on the way rejects the request`,
          ),
        );
      }

      const v6 = isIpv6(server);
      const title = atServer
        ? `${server}'s firewall rejects NTP: ${icmpLabel(first.i)}`
        : atClient
          ? `${where}'s own firewall rejects outgoing NTP to ${server}`
          : `A firewall at ${where} rejects NTP to ${server}`;
      const port = serverPort(paths);
      const fixes = ranked(atClient ? openNtpOutbound(where, server, v6, port) : openNtpInbound(where, server, v6, port));
      const hit: Hit = { subject: server, title, evidence, fixes };
      if (answered > 0) hit.confidence = 0.8;
      hits.push(hit);
    }
    return hits;
  },
});
