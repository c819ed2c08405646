import { defineRule } from '../src/diagnose/define.js';
import type { Evidence, Hit } from '../src/diagnose/types.js';
import type { IcmpSeen, NtpPathObservation } from '../src/model/observation.js';
import { cappedMap, fact, note, plural } from './_lib/evidence.js';
import { cmd, draft, type Draft, op, openNtpInbound, probeVerify, ranked } from './_lib/fixes.js';
import { classifyIcmp, icmpLabel, knownReporter } from './_lib/icmp.js';
import { byServer, isIpv6, pair, serverPort } from './_lib/paths.js';

/**
 * ICMP net/host unreachable: a router has no route to the server, or the last hop's ARP / neighbour discovery
 * got no answer (Linux then sends 3/1 from the router — or from the client itself when the server is on its LAN).
 * One exception: the server itself sending 3/1 is alive, so that is a firewall `reject with icmp type
 * host-unreachable`, not routing.
 */
export default defineRule({
  meta: {
    id: 'host-unreachable',
    summary: 'ICMP net/host unreachable: no route to the server, or it does not answer ARP',
    severity: 'error',
    confidence: 0.85,
    priority: 12,
    explains: ['no-response'],
    why:
      'ICMP type 3 codes 0/1 (net/host unreachable, and 6, 7, 11, 12) and ICMPv6 type 1 codes 0/3 come from a router, or from ' +
      'the client\'s own stack, when the server cannot be reached: no route, or no ARP / neighbour answer within ~3 s ' +
      '(the host is down, or the address is wrong). Linux does not report these "soft" errors to the UDP socket, so ' +
      'a client just times out. If the server itself sends one, it is up: a firewall rejects with that ICMP type.',
    references: [
      'RFC 792 (ICMP destination unreachable, codes 0 and 1)',
      'RFC 1122 §3.2.2.1',
      'RFC 4443 §3.1 (ICMPv6 codes 0 and 3)',
      'ip-route(8)',
      'ip-neighbour(8)',
    ],
  },
  match(ctx) {
    const hits: Hit[] = [];
    for (const [server, paths] of byServer(ctx.of('ntp-path'))) {
      const seen: Array<{ p: NtpPathObservation; i: IcmpSeen }> = [];
      for (const p of paths) for (const i of p.icmp) if (classifyIcmp(i) === 'host-unreachable') seen.push({ p, i });
      if (seen.length === 0) continue;
      const first = seen[0]!;
      const reporters = [...new Set(seen.map(({ i }) => i.reporter).filter(knownReporter))];
      const fromServer = reporters.length > 0 && reporters.every((r) => r === server);
      const clientIps = new Set(seen.map(({ p }) => p.client.ip));
      const fromClient = !fromServer && reporters.length > 0 && reporters.every((r) => clientIps.has(r));
      const evidence: Evidence[] = cappedMap(seen, 5, 'ICMP errors', ({ p, i }) =>
        fact(p.source, `${icmpLabel(i)} from ${knownReporter(i.reporter) ? i.reporter : 'the network'} answering ${plural(i.count, 'request')} ${pair(p)}`, i),
      );
      const port = serverPort(paths);
      const verify = probeVerify(server, port);
      const v6 = isIpv6(server);
      let title: string;
      let drafts: Draft[];
      if (fromServer) {
        evidence.push(note(`${server} sent the error itself, so it is up and reachable: a firewall on it rejects NTP with an ICMP host-unreachable type`));
        title = `${server}'s firewall rejects NTP with ${icmpLabel(first.i)}`;
        drafts = openNtpInbound(server, server, v6, port);
      } else {
        const who = reporters[0];
        if (fromClient) {
          evidence.push(note(`The error comes from the client's own address: its ${v6 ? 'neighbour discovery' : 'ARP'} for ${server} (or for its gateway) got no answer`));
        } else if (who !== undefined) {
          evidence.push(note(`Router ${who} reports it cannot deliver to ${server}`));
        }
        title = fromClient
          ? `${server} does not answer ${v6 ? 'neighbour discovery' : 'ARP'}: down, or not at that address`
          : `${server} is unreachable${who !== undefined ? ` (reported by ${who})` : ''}: no route or host down`;
        const neigh = cmd('ip', 'neigh', 'show', op(server));
        drafts = [
          draft('generic', `Check that ${server} is up and really has that address (ARP/ND answer, ping)`, [cmd('ping', '-c', '3', op(server)), neigh], verify),
          draft('generic', `Check the client's route to ${server} (gateway, interface)`, [cmd('ip', 'route', 'get', op(server))], verify),
        ];
        if (who !== undefined && !fromClient) {
          drafts.push(draft('generic', `On router ${who}: check its route and neighbour entry for ${server}`, [cmd('ip', 'route', 'get', op(server)), neigh], verify));
        }
      }
      hits.push({ subject: server, title, evidence, fixes: ranked(drafts) });
    }
    return hits;
  },
});
