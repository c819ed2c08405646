import { defineClusterRule, type ClusterHit, type Evidence } from './_types.js';
import { draft, probeVerify, ranked } from '../_lib/fixes.js';
import { causeEvidence, clientEvidence, edgesByServer, explainedOn, firstOf, names, ref } from './_lib.js';

/**
 * Why a server in the cluster answers nobody, read from its own report, most basic first: its firewall
 * (firewall-blocks-ntp), no daemon, chronyd without `allow`, ntpd `restrict … ignore/noserve` or `notrust`.
 */
const SERVER_CAUSES = ['firewall-blocks-ntp', 'daemon-not-running', 'chrony-allow-missing', 'restrict-blocks-clients', 'restrict-notrust'];
/** What else is wrong on that server that clients will meet next, once it answers (the seed's step 4). */
const NEXT_ON_SERVER = ['self-sync', 'local-clock-missing', 'local-clock-mismatch', 'server-unsynchronized', 'sources-not-polled'];

/**
 * Many clients fail against one server (no reply, ICMP reject, port unreachable, KoD): the server, not each
 * client, is the root cause. When the server is a node of the cluster its own report says why, and that
 * finding's fixes are the ones to apply; the clients' findings about it are folded under it.
 */
export default defineClusterRule({
  meta: {
    id: 'shared-upstream-down',
    summary: 'Several clients fail against one server: the server (its firewall, daemon or access rules) is the one root cause',
    severity: 'error',
    confidence: 0.9,
    priority: 10,
    why:
      'When every client of one server shows `^?`/reach 0, an ICMP reject or no reply for that server, the fault sits ' +
      'at the server or on the path to it, not in each client: fixing the clients one by one changes nothing. The ' +
      "server's own inspection says which: a firewall rule rejecting UDP 123 (firewalld is CentOS 7's default), no " +
      'daemon, chronyd without `allow`, ntpd `restrict … ignore`/`noserve` or `notrust`. A client needs several ' +
      'good polls (reach 0 → 17 octal) after the fix before it selects the server (RFC 5905 §13, clock filter).',
    references: ['RFC 5905 §9–§13 (peer process, reach register)', 'chrony.conf(5) allow', 'ntp_acc(5) restrict', 'firewalld.service(5)'],
  },
  match(ctx) {
    const hits: ClusterHit[] = [];
    const failing = edgesByServer(ctx.graph.edges, (e) => (e.state === 'rejected' || e.state === 'unreachable') && e.from !== e.to);
    for (const [server, edges] of failing) {
      const clients = [...new Set(edges.map((e) => e.from))];
      const internal = edges[0]!.internal;
      const cause = internal ? firstOf(ctx, server, SERVER_CAUSES) : undefined;
      // One client failing is that client's finding, unless the server's own report says why: then it is joined.
      if (clients.length < 2 && !cause) continue;
      const address = edges[0]!.address;
      const evidence: Evidence[] = [];
      if (cause) evidence.push(...causeEvidence(server, cause));
      else if (internal && !ctx.nodes.find((n) => n.name === server)?.report) evidence.push({ text: `${server}: no report (it could not be reached or read): its own cause is not known` });
      evidence.push(...edges.map((e) => clientEvidence(ctx, e)));
      const next = internal ? firstOf(ctx, server, NEXT_ON_SERVER) : undefined;
      if (next) evidence.push({ text: `${server} next: ${next.rule}: ${next.title} — clients will meet it once ${server} answers` });
      const who = `${clients.length} client${clients.length > 1 ? 's' : ''} (${names(clients)})`;
      const title = cause
        ? `${server}: ${cause.title} — the one root cause for ${who}`
        : `${who} get no time from ${internal ? server : address}: the server or the path to it is down`;
      const hit: ClusterHit = {
        subject: server,
        title,
        nodes: internal ? [server, ...clients.filter((c) => c !== server)] : clients,
        explained: edges.flatMap((e) => explainedOn(ctx, e)),
        evidence,
        fixes: cause ? cause.fixes : ranked([draft('generic', `Check ${address} from one client: it answers nobody in this cluster`, [], probeVerify(address), 'replies at stratum 1–15')]),
      };
      if (cause) hit.cause = ref(server, cause);
      else hit.confidence = 0.7;
      hits.push(hit);
    }
    return hits;
  },
});
