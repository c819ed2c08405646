import { defineRule } from '../src/diagnose/define.js';
import type { Evidence, Hit } from '../src/diagnose/types.js';
import type { InputObservation, NtpPathObservation } from '../src/model/observation.js';
import type { TrafficCounts } from '../src/model/observation.js';
import { note, plural } from './_lib/evidence.js';
import { cmd, draft, type Draft, ranked, words } from './_lib/fixes.js';

/**
 * A capture with nothing to judge: no NTP at all, or NTP with no client request in it (only replies, only
 * ntpq/mode 6 traffic). "No findings" would read as "NTP is fine" when the capture simply missed it — the wrong
 * interface, a filter without port 123, or a capture on a host the traffic does not cross. Requests without replies
 * are no-response's; a capture cut before its first frame is capture-damaged's.
 */
export default defineRule({
  meta: {
    id: 'no-ntp-seen',
    summary: 'The capture holds no NTP client/server exchange to judge: wrong interface, filter or host',
    severity: 'warning',
    confidence: 0.9,
    priority: 95,
    why:
      'ntpdoctor judges NTP from client requests (mode 3) and server replies (mode 4) on UDP port 123 (RFC 5905 §7) and the ICMP ' +
      'errors they draw. A capture with none of them says nothing about NTP: it was taken on an interface the traffic does not ' +
      'cross (eth0 while NTP leaves by a VPN or a bond member; a container\'s traffic is on its veth), with a filter that drops ' +
      'port 123, or on a host that is neither the client nor the server. Replies alone, or ntpq (mode 6) traffic alone, cannot ' +
      'be matched to a request (answered ntpq traffic alone is reported at info: mode6-exposed judges it). Capturing on every interface (`-i any`) with a filter for NTP, NTS-KE and ICMP finds it.',
    references: ['RFC 5905 §7 (UDP port 123, modes)', 'RFC 8915 §4 (NTS-KE on TCP port 4460)', 'tcpdump(1) (-i any)', 'pcap-filter(7)', 'pcapng IDB if_name option'],
  },
  match(ctx) {
    const paths = ctx.of('ntp-path').filter((p) => p.source === 'capture');
    if (paths.some(judgeable)) return [];
    // NTS key establishment seen and failed: the capture was taken where the client's time traffic flows, and it
    // shows why no NTP follows (a client sends no NTS request before it has cookies, RFC 8915 §4). nts-ke-failure
    // judges that; "wrong interface or filter" would send the reader the wrong way.
    const ke = ctx.of('nts-ke-session');
    if (ke.some((o) => o.outcome !== 'ok' && o.outcome !== 'open')) return [];
    const captured = ctx.of('ntp-control').filter((c) => c.source === 'capture');
    const controls = captured.length;
    // Answered ntpq/ntpdc traffic is something seen and judged (mode6-exposed weighs it): the capture still shows no
    // time exchange, so this stays in the report, but as info — a LAN ntpq capture must not read as a warning (issue 13).
    const answeredControl = captured.some((c) => c.responses.count > 0);
    const hits: Hit[] = [];
    for (const input of ctx.of('input')) {
      // Nothing readable at all: capture-damaged already says so.
      if (input.stop !== undefined && input.frames === 0) continue;
      const name = input.file === '-' ? 'stdin' : input.file;
      const replies = paths.reduce((n, p) => n + p.replies.count, 0);
      const what =
        input.ntpFrames === 0 ? 'no NTP frame' : controls > 0 && replies === 0 ? 'only ntpq (mode 6/7) traffic' : 'NTP without any client request';
      const hit: Hit = {
        subject: name,
        title: `${name}: ${plural(input.frames, 'frame')}, ${what}: nothing to judge NTP by`,
        evidence: [...evidenceOf(input, input.traffic), ...keEvidence(ke)],
        fixes: ranked(fixes()),
      };
      if (answeredControl && replies === 0 && input.ntpFrames > 0) hit.severity = 'info';
      hits.push(hit);
    }
    return hits;
  },
});

/** NTS-KE connections seen with nothing decided (the capture ended during them), or completed before NTP the capture missed. */
function keEvidence(ke: ReadonlyArray<{ client: string; server: string; port: number; outcome: string; connections: unknown[] }>): Evidence[] {
  if (ke.length === 0) return [];
  const list = ke.slice(0, 4).map((o) => `${o.client} → ${o.server}:${o.port} (${plural(o.connections.length, 'connection')}, ${o.outcome})`);
  return [note(`NTS-KE (TCP 4460) seen: ${list.join(', ')}${ke.length > 4 ? `, and ${ke.length - 4} more` : ''}. NTP with NTS follows a completed key establishment on UDP 123`)];
}

/** A path with something to judge: a request (answered or not) or an ICMP error quoting one. */
function judgeable(p: NtpPathObservation): boolean {
  return p.requests.count > 0 || p.icmp.length > 0;
}

const LINK_NAMES: Readonly<Record<number, string>> = { 0: 'BSD loopback', 1: 'Ethernet', 101: 'raw IP', 108: 'OpenBSD loopback', 113: 'Linux cooked (SLL, -i any)', 228: 'raw IPv4', 229: 'raw IPv6', 276: 'Linux cooked v2 (SLL2, -i any)' };

function evidenceOf(input: InputObservation, t: TrafficCounts | undefined): Evidence[] {
  const evidence: Evidence[] = [note(`${plural(input.frames, 'frame')} read, ${plural(input.ntpFrames, 'NTP/ICMP frame')} among them`)];
  if (t !== undefined && input.frames > 0) {
    const parts = (
      [
        ['IPv4', t.ipv4],
        ['IPv6', t.ipv6],
        ['ARP', t.arp],
        ['TCP', t.tcp],
        ['UDP port 123', t.udp123],
        ['UDP other ports', t.udpOther],
        ['ICMP', t.icmp],
        ['ICMPv6', t.icmp6],
        ['other', t.other],
      ] as const
    ).filter(([, n]) => n > 0);
    evidence.push(note(`Protocols: ${parts.map(([k, n]) => `${k} ${n}`).join(', ')}`));
    // ntpdoctor decodes NTP on port 123 only: a server on another port (a test setup, a NAT's rewrite) is among these.
    if (t.udpOther > 0 && input.ntpFrames === 0) evidence.push(note(`${plural(t.udpOther, 'UDP datagram')} on ports other than 123: NTP on another port is not decoded`));
    if (t.topAddresses.length) evidence.push(note(`Busiest IPv4 addresses (port 123 aside): ${t.topAddresses.map((a) => `${a.address} (${plural(a.frames, 'frame')})`).join(', ')}`));
  }
  if (input.linkTypes?.length) evidence.push(note(`Link type: ${input.linkTypes.map((l) => LINK_NAMES[l] ?? `LINKTYPE ${l}`).join(', ')}`));
  if (input.interfaceNames?.length) evidence.push(note(`Captured on: ${input.interfaceNames.slice(0, 8).join(', ')}`));
  return evidence;
}

function fixes(): Draft[] {
  return [
    draft(
      'generic',
      'Capture NTP, NTS-KE and ICMP on every interface (a client\'s NTP may leave by another interface than the one captured)',
      [cmd('tcpdump', '-i', 'any', '-w', 'ntp.pcap', 'udp port 123 or icmp or icmp6 or tcp port 4460')],
      words('ntpdoctor analyze ntp.pcap'),
      'the capture holds mode 3 requests from the client',
    ),
    draft(
      'generic',
      'Capture on the client itself while its daemon polls (a capture elsewhere sees its NTP only if the traffic crosses that host)',
      [cmd('tcpdump', '-i', 'any', '-c', '200', '-w', 'client-ntp.pcap', 'udp port 123 or icmp or icmp6')],
      words('ntpdoctor analyze client-ntp.pcap'),
    ),
  ];
}
