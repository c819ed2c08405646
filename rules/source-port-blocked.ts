import { defineRule } from '../src/diagnose/define.js';
import type { Evidence, Hit } from '../src/diagnose/types.js';
import type { NtpPathObservation } from '../src/model/observation.js';
import type { RequestClass } from '../src/model/observation.js';
import { others } from './_lib/request-classes.js';
import { fact, note, plural, sourcePorts } from './_lib/evidence.js';
import { appendLine, CHRONY, cmd, draft, op, probeVerify, ranked, thenInWords, type Draft } from './_lib/fixes.js';
import { duration } from './_lib/format.js';
import { byServer, isIpv6 } from './_lib/paths.js';

/**
 * Requests sent FROM source port 123 go unanswered while the same client's requests from other ports to the same
 * server are answered, in the same capture (issue 13 item 6). ntpd always sends from 123 (RFC 5905 §9.1 keeps the
 * NTP port on both ends for symmetric and client modes alike); chrony, ntpdig and `ntpdate -u` use a random port. A
 * filter on `udp sport 123` — a server firewall, a NAT that keeps source port 123 and then drops or mangles it
 * (opnsense#1513), an ISP filter against NTP reflection — drops exactly ntpd's requests. The path's counts minus
 * the port-123 class are the other ports' (src/observe/request-classes.ts).
 */
export default defineRule({
  meta: {
    id: 'source-port-blocked',
    summary: 'requests from source port 123 are dropped while other source ports are answered',
    severity: 'error',
    confidence: 0.85,
    // Ahead of no-response: it names why the silence is selective.
    priority: 25,
    why:
      'ntpd sends every request from UDP source port 123, which it also listens on; chrony (acquisitionport 0, its ' +
      'default), ntpdig and `ntpdate -u` send from a random port. Filters that match `udp sport 123` — a server or ' +
      'router firewall rule, a NAT that keeps the source port 123 and drops the mapping, ISP filters against NTP ' +
      'reflection attacks (which come FROM port 123) — drop exactly ntpd\'s requests while everything else gets ' +
      'through: ntpq -p shows reach 0 and .INIT. while `ntpdig` or `ntpdate -u` from the same host are answered. ' +
      'ntpd cannot be told to use another source port: remove the filter, or let chrony (random source port) poll.',
    references: [
      'RFC 5905 §9.1 (peer process variables: srcport/dstport)',
      'chrony.conf(5) (acquisitionport)',
      'ntpdate(8) (-u: an unprivileged source port)',
      'opnsense/core#1513 (NTP from source port 123 dropped behind NAT)',
      'nft(8) (list ruleset -a, delete rule … handle)',
      'iptables(8)',
    ],
  },
  match(ctx) {
    const hits: Hit[] = [];
    const paths = ctx.of('ntp-path');
    for (const [server, serverPaths] of byServer(paths)) {
      for (const p of serverPaths) {
        const c = p.requestClasses?.fromPort123;
        // Port 123 answered even once: whatever else is wrong, it is not a filter on the source port.
        if (c === undefined || c.unanswered.count === 0 || c.replies.count > 0) continue;
        const rest = others(p);
        if (rest.replies === 0) continue;
        hits.push(hit(server, p, c));
      }
    }
    // diagnose: ntpd (always source port 123) never heard from a server that answers ntpdoctor's probe (a random port).
    const seen = new Set(hits.map((h) => h.subject));
    for (const d of ctx.of('daemon-state')) {
      if (d.daemon !== 'ntpd' || (d.uptime !== undefined && d.uptime < NTPD_SETTLE)) continue;
      for (const s of d.sources) {
        if (s.kind !== 'server' || s.reach !== 0 || s.lastRx !== undefined || seen.has(s.address)) continue;
        const probed = paths.find((p) => p.source === 'probe' && p.server.ip === s.address && p.replies.count > 0);
        if (probed === undefined) continue;
        seen.add(s.address);
        hits.push(daemonHit(s.address, d.via, probed));
      }
    }
    return hits;
  },
});

/** ntpd polls at 64 s at first (iburst: 2 s): after two minutes a reach of 0 is more than a slow start. */
const NTPD_SETTLE = 120;

/** ntpd's reach 0 beside an answered probe: the source port is the difference that stands out (restrict or a
 * firewall on the address would have silenced the probe too). Less sure than a capture: a warning. */
function daemonHit(server: string, via: string, probed: NtpPathObservation): Hit {
  return {
    subject: server,
    title: `ntpd here never heard from ${server}, which answers ntpdoctor's probe from a random source port: requests from port 123 are likely dropped`,
    evidence: [
      note(`ntpd (${via}) shows ${server} with reach 0 and no sample ever: none of its requests, all sent from source port 123, was answered`),
      fact('probe', `ntpdoctor's probe of ${server} from ${sourcePorts(probed)} got ${plural(probed.replies.count, 'reply', 'replies')}`, probed.replies),
      note(`The difference is the source port (or the mode: ntpd's \`peer\` lines send mode 1): capture \`udp port 123 and host ${server}\` while ntpd polls to confirm`),
    ],
    fixes: ranked([...clientFixes(server, 'this host'), ...firewallFixes(server, 'this host', isIpv6(server))]),
    severity: 'warning',
    confidence: 0.6,
  };
}

function hit(server: string, p: NtpPathObservation, c: RequestClass): Hit {
  const client = p.client.ip;
  const port = p.server.port;
  const over = c.requests.count > 1 && c.lastTime > c.firstTime ? ` over ${duration(c.lastTime - c.firstTime)}` : '';
  const evidence: Evidence[] = [
    fact(p.source, `${plural(c.requests.count, 'client request')} (mode 3) from ${client} source port 123 to ${server}:${port}${over}: ${c.unanswered.count} got no reply${c.requests.count > c.unanswered.count + c.replies.count ? ', the rest an ICMP error' : ''}`, c.unanswered),
    fact(p.source, `The same client's requests from other source ports were answered: ${plural(rest(p), 'reply', 'replies')} (${sourcePorts(p)} seen on this path)`, p.replies),
  ];
  const atServer = p.capturedAt === 'server';
  evidence.push(
    note(
      atServer
        ? `Captured at ${server}: the port-123 requests arrived, so ${server}'s own firewall (tcpdump sees packets before netfilter) or its daemon drops them`
        : `Something between ${client} and ${server}'s daemon drops datagrams by their source port 123: a \`udp sport 123\` rule on ${server} or a firewall on the way, a NAT that keeps source port 123, or an ISP filter against NTP reflection`,
    ),
  );
  const server6 = isIpv6(server);
  const serverSide = firewallFixes(server, client, server6);
  const clientSide = clientFixes(server, client);
  const h: Hit = {
    subject: server,
    title: `${server} answers ${client} only from random source ports: requests from source port 123 (ntpd's) are dropped`,
    evidence,
    fixes: ranked(atServer ? [...serverSide, ...clientSide] : [...clientSide, ...serverSide]),
  };
  if (c.unanswered.count === 1) {
    // One lost datagram is not yet a pattern.
    h.severity = 'warning';
    h.confidence = 0.5;
  }
  return h;
}

/** Replies to requests from other source ports: the path's replies minus its classes' (request-classes.ts). */
function rest(p: NtpPathObservation): number {
  return others(p).replies;
}

function clientFixes(server: string, client: string): Draft[] {
  return [
    draft(
      'chrony',
      `On ${client}: poll ${server} with chrony instead of ntpd — chrony sends from a random source port (acquisitionport 0, its default), ntpd always from 123 (skip the first command if ${CHRONY.conf} already names ${server}; Debian/Ubuntu: /etc/chrony/chrony.conf)`,
      [appendLine(CHRONY.conf, `server ${server} iburst`), cmd('systemctl', 'disable', '--now', 'ntpd'), cmd('systemctl', 'enable', '--now', 'chronyd')],
      cmd('chronyc', 'sources'),
      `${server} listed with a reach above 0`,
    ),
    draft(
      'generic',
      `On ${client}: confirm that a query from a random source port is answered (ntpdoctor probe sends from one, and only reads)`,
      [probeVerify(server)],
      cmd('ntpq', '-pn'),
      `the probe gets replies from ${server}; ntpq -pn still shows reach 0 for it while the filter stays`,
    ),
  ];
}

/** Remove the `udp sport 123` filter on the server (or the firewall in front of it: the same commands there). */
function firewallFixes(server: string, client: string, ipv6: boolean): Draft[] {
  const ipt = ipv6 ? 'ip6tables' : 'iptables';
  const verify = cmd('ntpq', '-pn');
  const expect = `on ${client}: reach above 0 for ${server} after a few polls`;
  const del = cmd(ipt, '-D', 'INPUT', '-p', 'udp', '--sport', '123', '-j', 'DROP');
  return [
    // The capture shows the drop, not the server's ruleset: the rule's table, chain and handle are read off the
    // listing by the user, so the delete is a step in words, never a command with placeholders in it.
    thenInWords(
      draft(
        'nftables',
        `On ${server} (or the firewall in front of it): list the ruleset with handles, then delete the rule that matches udp sport 123 by its handle`,
        [cmd('nft', '-a', 'list', 'ruleset')],
        verify,
        expect,
      ),
      [
        'In that listing, find the rule that matches `udp sport 123` (with drop or reject); note the `table` line it sits under (its family and name), the `chain` name, and the number after `# handle` on the rule',
        'Delete it: `nft delete rule` followed by that family, table name and chain name, then `handle` and the number; the same rule in /etc/nftables.conf (or /etc/sysconfig/nftables.conf) comes out too, or it returns at the next boot',
      ],
    ),
    draft(
      'iptables',
      `On ${server} (CentOS/RHEL with iptables-services): list the rules, delete the one matching --sport 123 (its usual form below) and save`,
      [cmd(ipt, '-S', 'INPUT'), del, cmd('service', ipt, 'save')],
      verify,
      expect,
    ),
    draft(
      'iptables',
      `On ${server} (Debian/Ubuntu with netfilter-persistent): list the rules, delete the one matching --sport 123 (its usual form below) and save`,
      [cmd(ipt, '-S', 'INPUT'), del, cmd('netfilter-persistent', 'save')],
      verify,
      expect,
    ),
  ];
}
