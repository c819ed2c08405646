import { defineRule } from '../src/diagnose/define.js';
import type { Evidence, Hit, RuleContext } from '../src/diagnose/types.js';
import type { FirewallObservation } from '../src/model/node.js';
import { note } from './_lib/evidence.js';
import type { Command } from '../src/shell/command.js';
import { cmd, draft, type Draft, firewalldOpenCommands, firewalldQuery, NTP_PORT, op, ranked } from './_lib/fixes.js';
import { acceptRule, byDecidingRule } from './_lib/firewall-accept.js';
import { configs, serverIntent } from './_lib/node.js';
import { outboundHits } from './_lib/firewall-outbound.js';

/**
 * This node's own firewall drops or rejects a new NTP request from its clients: the exact rule, chain policy or
 * firewalld zone, and the exact command that opens the daemon's port there (UDP 123, or chrony's `port N`: the
 * fix opens the port the server really listens on, never 123 then). The seed's node0: CentOS 7, firewalld still
 * running after the iptables service was stopped, answering with ICMP host-prohibited (admin prohibited).
 */
export default defineRule({
  meta: {
    id: 'firewall-blocks-ntp',
    summary: "This node's firewall (firewalld zone, nftables or iptables rule) drops or rejects inbound NTP (UDP 123 or chrony's port), or its own requests to its servers",
    severity: 'error',
    confidence: 0.9,
    priority: 8,
    why:
      'A new NTP request (UDP to port 123, conntrack state NEW) walks the input chains; the first drop or reject ' +
      'ends it before ntpd or chronyd sees it. REJECT answers with ICMP (CentOS/firewalld: host-prohibited, type 3 ' +
      'code 10; nftables icmpx admin-prohibited: code 13), DROP with silence; clients report "no data" or `^?`. ' +
      "Replies to this node's own queries pass as ESTABLISHED, so the node itself may look fine while it serves nobody. " +
      'With firewalld running, stopping the iptables service changes nothing: the zone must allow the ntp service. ' +
      "A chronyd with `port N` serves on UDP N instead: the request is judged, and opened, on that port (firewalld's " +
      'ntp service covers 123 only). The output side is judged too: a rule that stops this node\'s own requests to a ' +
      'configured server (on the port the config gives) leaves no trace on the wire; the source just stays unreachable.',
    references: ['firewalld.zone(5), firewall-cmd(1) (--add-service=ntp, --add-port)', 'chrony.conf(5) (port)', 'nft(8) (insert rule ... position)', 'iptables(8), iptables-extensions(8) (REJECT --reject-with)', 'RFC 792, RFC 1812 §5.2.7.1 (ICMP codes 10, 13)'],
  },
  match(ctx) {
    const stopped = ctx.of('firewall').filter((f) => f.verdict === 'drop' || f.verdict === 'reject');
    if (stopped.length === 0) return [];
    const intent = configs(ctx).flatMap((o) => serverIntent(ctx, o));
    const anyDaemon = configs(ctx).length > 0 || ctx.of('time-daemons').some((d) => d.daemons.length > 0);
    if (!anyDaemon) return [];
    const os = ctx.of('time-daemons')[0]?.os;
    const debian = os !== undefined && (os.id === 'debian' || os.id === 'ubuntu' || os.like.includes('debian'));
    // This node's own requests to its servers (the output side) are their own findings.
    const blocked = stopped.filter((f) => f.direction !== 'out');
    const out = outboundHits(ctx, stopped.filter((f) => f.direction === 'out'), debian);
    // One finding per deciding rule: several client networks may stop at the same one.
    const hits: Hit[] = [];
    for (const list of byDecidingRule(blocked)) {
      const f = list[0] as FirewallObservation;
      const nets = [...new Set(list.map((x) => x.from))];
      const subject = list.find((x) => x.localAddress)?.localAddress ?? 'this node';
      const what = whatClientsSee(f);
      const evidence: Evidence[] = [
        note(`${label(f)}: a new NTP request (UDP ${f.port ?? NTP_PORT}) from ${nets.map((n) => (n === 'any' ? 'any client' : n)).join(', ')} stops at ${where(f)}: \`${f.decidedBy?.text ?? f.verdict}\``),
        note(`Clients get ${what}`),
      ];
      const port = f.port ?? NTP_PORT;
      if (port !== NTP_PORT) evidence.push(note(`${portLine(ctx, port)}: clients ask UDP ${port}, so that is the port judged and opened`));
      if (f.trace.length) evidence.push(note(`Path: ${f.trace.join(' → ')}`));
      for (const u of f.uncertain.slice(0, 3)) evidence.push(note(`Not decided: ${u}`));
      if (intent.length) evidence.push(...intent.slice(0, 2));
      const hit: Hit = {
        subject,
        title: `${subject}'s ${label(f)} ${f.verdict === 'reject' ? 'rejects' : 'drops'} NTP${(f.port ?? NTP_PORT) === NTP_PORT ? '' : ` (UDP ${f.port})`} from its clients: ${where(f)}`,
        evidence,
        fixes: ranked(fixesFor(f, subject, debian)),
      };
      // Inbound UDP 123 closed on a node that serves nobody is normal hardening.
      if (intent.length === 0) {
        hit.severity = 'info';
        hit.confidence = 0.5;
        hit.title += ' (fine if no other node uses it as a server)';
      }
      hits.push(hit);
    }
    return [...hits, ...out];
  },
});

/** Where the port comes from: the chrony `port` line that moved it. */
function portLine(ctx: RuleContext, port: number): string {
  const line = ctx.of('chrony-config').map((o) => o.config.port).find((p) => p?.port === port);
  return line ? `${line.file}:${line.line}: \`${line.text}\`` : `chronyd serves on port ${port}`;
}

function label(f: FirewallObservation): string {
  return f.backend === 'firewalld' ? 'firewalld' : f.backend === 'nftables' ? 'nftables firewall' : `${f.backend} firewall`;
}

function where(f: FirewallObservation): string {
  const d = f.decidedBy;
  if (f.backend === 'firewalld') return `zone ${f.zone?.name ?? d?.chain ?? '?'} (${d?.text ?? 'target'}; services: ${f.zone?.services.join(' ') || 'none'})`;
  if (f.backend === 'nftables') return `${d?.family ?? ''} ${d?.table ?? ''} chain ${d?.chain ?? '?'}${d?.policy ? ' policy' : d?.handle !== undefined ? ` rule handle ${d.handle}` : ''}`.trim();
  return `${d?.table ?? 'filter'} ${d?.chain ?? 'INPUT'}${d?.policy ? ' policy' : d?.position !== undefined ? ` rule ${d.position}` : ''}`;
}

/** What the client sees, in the words of its tools. */
function whatClientsSee(f: FirewallObservation): string {
  if (f.verdict === 'drop') return 'nothing back: a timeout (ntpdate: "no server suitable", chronyc ^? with reach 0)';
  const w = f.rejectWith ?? '';
  if (/host-prohibited/.test(w)) return `ICMP ${f.family === 4 ? 'type 3 code 10 (host administratively prohibited)' : 'type 1 code 1 (administratively prohibited)'} — tcpdump: "unreachable - admin prohibited"; ntpdate: "no data"`;
  if (/admin-prohibited/.test(w)) return `ICMP ${f.family === 4 ? 'type 3 code 13 (communication administratively prohibited)' : 'type 1 code 1 (administratively prohibited)'}; ntpdate: "no data"`;
  if (/net-prohibited/.test(w)) return 'ICMP type 3 code 9 (network administratively prohibited)';
  if (/port-unreach/.test(w)) return `ICMP port unreachable, as if nothing listened on UDP ${f.port ?? NTP_PORT}`;
  return `an ICMP error (${w || 'reject'})`;
}

function fixesFor(f: FirewallObservation, subject: string, debian: boolean): Draft[] {
  // The probe runs from a client, to this node (its name or address, which the firewall's observation does not carry).
  const then = `then a probe from a client (ntpdoctor probe, to ${subject === 'this node' ? 'this node' : subject}) gets replies`;
  const d = f.decidedBy;
  // The port the daemon serves on (chrony `port N`), never 123 then: firewalld opens it by number.
  const port = f.port ?? NTP_PORT;
  if (f.backend === 'firewalld') {
    const zone = f.zone?.name ?? d?.chain ?? 'public';
    const what = port === NTP_PORT ? 'the ntp service' : `UDP ${port} (chronyd's port; the ntp service is 123 only)`;
    return [
      draft('firewalld', `Allow ${what} in zone ${zone} (runtime and permanent)`, firewalldOpenCommands(port, zone), firewalldQuery(port, zone), `yes; ${then}`),
    ];
  }
  const r = acceptRule(f, port, debian);
  if (f.backend === 'nftables') {
    return [
      draft(
        'nftables',
        `Accept UDP ${port} in ${r.chain}${r.ahead || ' (before the policy applies)'}, then save the ruleset${debian ? ' (Debian loads /etc/nftables.conf at boot)' : ''}`,
        r.commands,
        r.list as Command,
        `the accept sits before the ${f.verdict}; ${then}`,
      ),
    ];
  }
  return [
    draft(
      'iptables',
      `Accept UDP ${port} in ${r.chain}${r.ahead ? `${r.ahead} (\`${d?.text ?? ''}\`)` : ''}, then save (${debian ? 'Debian: netfilter-persistent' : 'CentOS/RHEL: iptables-services'})`,
      r.commands,
      cmd(f.backend === 'ip6tables' ? 'ip6tables' : 'iptables', '-L', op(r.chain), '-n', '--line-numbers'),
      `ACCEPT udp dpt:${port} before the ${f.verdict}; ${then}`,
    ),
  ];
}
