import { defineRule } from '../src/diagnose/define.js';
import type { Evidence, Hit } from '../src/diagnose/types.js';
import type { IcmpSeen, NtpPathObservation } from '../src/model/observation.js';
import { cappedMap, fact, factOf, note, plural } from './_lib/evidence.js';
import { append, CHRONY, CHRONY_DEBIAN_CONF, cmd, draft, NTP_PORT, probeVerify, ranked, words } from './_lib/fixes.js';
import { classifyIcmp, icmpLabel, knownReporter } from './_lib/icmp.js';
import { byServer, clientNetwork, isIpv6, pair } from './_lib/paths.js';

/**
 * ICMP port unreachable for UDP 123: the host is up but no socket is bound there. Either no daemon runs, or
 * chronyd runs without any `allow` directive (it then never opens port 123 — measured here), or an iptables
 * `-j REJECT` with its default `--reject-with icmp-port-unreachable` sits in front of a listening daemon.
 */
export default defineRule({
  meta: {
    id: 'port-unreachable',
    summary: 'Nothing listens on UDP 123 at the server (ICMP port unreachable)',
    severity: 'error',
    confidence: 0.9,
    priority: 11,
    explains: ['no-response'],
    why:
      'ICMP type 3 code 3 (ICMPv6 type 1 code 4) comes from the server\'s own kernel when no socket is bound to UDP 123: ' +
      'no time daemon runs, or chronyd runs without an `allow` line — chronyd serves nobody and does not even open port 123 ' +
      'until one is given. A plain iptables `-j REJECT` also answers with port unreachable (its default --reject-with), ' +
      'so if `ss -ulpn` shows a daemon on port 123, look for that rule.',
    references: [
      'RFC 792 (ICMP destination unreachable, code 3)',
      'RFC 4443 §3.1 (ICMPv6 code 4)',
      'chrony.conf(5) (allow)',
      'iptables-extensions(8) (REJECT: default icmp-port-unreachable)',
      'ss(8)',
    ],
  },
  match(ctx) {
    const hits: Hit[] = [];
    for (const [server, paths] of byServer(ctx.of('ntp-path'))) {
      const seen: Array<{ p: NtpPathObservation; i: IcmpSeen }> = [];
      for (const p of paths) for (const i of p.icmp) if (classifyIcmp(i) === 'port-unreachable') seen.push({ p, i });
      if (seen.length === 0) continue;
      const first = seen[0]!;
      const evidence: Evidence[] = cappedMap(seen, 5, 'ICMP errors', ({ p, i }) =>
        fact(p.source, `${icmpLabel(i)} from ${knownReporter(i.reporter) ? i.reporter : server} answering ${plural(i.count, 'request')} ${pair(p)}`, i),
      );
      const answered = paths.filter((p) => p.replies.count > 0);
      if (answered.length > 0) {
        evidence.push(
          factOf(first.p.source, `${server} did answer other requests with NTP replies: the daemon was restarted or stopped during the capture`, answered.map((p) => p.replies)),
        );
      }
      const others = [...new Set(seen.map(({ i }) => i.reporter).filter((r) => knownReporter(r) && r !== server))];
      if (others.length > 0) evidence.push(note(`The port unreachable comes from ${others.join(', ')}, not from ${server}: a filter on the way answers for it`));

      const net = clientNetwork(first.p.client.ip);
      const port = first.p.server.port;
      const verify = probeVerify(server, port);
      const ipt = isIpv6(server) ? 'ip6tables' : 'iptables';
      const fixes = ranked([
        draft(
          'chrony',
          `If chronyd runs on ${server} but \`ss -ulpn 'sport = :${port}'\` shows nothing: allow the clients (chronyd opens UDP ${port === NTP_PORT ? '123' : `${port} (its \`port\` line)`} only with an allow line; Debian/Ubuntu: ${CHRONY_DEBIAN_CONF}; widen ${net.cidr} to your client network)`,
          [append(CHRONY.conf, `allow ${net.cidr}`), CHRONY.restart],
          verify,
        ),
        draft('systemd', `If no time daemon runs on ${server}: start chronyd and enable it at boot`, [words('systemctl enable --now chronyd')], verify),
        draft('ntpd', `If ntpd is the server's daemon: start it and enable it at boot (Debian: unit ntp)`, [words('systemctl enable --now ntpd')], verify),
        draft(
          'iptables',
          `If a daemon does listen on UDP ${port}: a REJECT rule with the default --reject-with answers for it; accept NTP ahead of it`,
          [cmd(ipt, '-S', 'INPUT'), cmd(ipt, '-I', 'INPUT', '-p', 'udp', '--dport', String(port), '-j', 'ACCEPT')],
          verify,
        ),
      ]);
      const hit: Hit = { subject: server, title: `Nothing listens on UDP ${first.p.server.port} at ${server}: ${icmpLabel(first.i)}`, evidence, fixes };
      if (answered.length > 0) hit.confidence = 0.7;
      hits.push(hit);
    }
    return hits;
  },
});
