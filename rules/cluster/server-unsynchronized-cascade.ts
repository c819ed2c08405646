import { defineClusterRule, type ClusterContext, type ClusterHit, type Evidence, type Finding } from './_types.js';
import { draft, probeVerify, ranked } from '../_lib/fixes.js';
import { causeEvidence, clientEvidence, edgesByServer, explainedOn, firstOf, names, ref } from './_lib.js';

/**
 * Why a server is unsynchronized itself, from its own report. First its own reasons, most basic first: it follows
 * its own address (the seed's `server 192.168.1.100` on 192.168.1.100), has no upstream and no local clock, polls
 * nothing, runs no daemon. Then, if its own server in the cluster is unsynchronized too, the cascade goes one level
 * up (a chronyd there also shows that server as `^?`, source-unreachable: the packets say why). Last, an upstream
 * outside the cluster that fails.
 */
const OWN_CAUSES = ['self-sync', 'local-clock-missing', 'local-clock-mismatch', 'sources-not-polled', 'daemon-not-running'];
const UPSTREAM_CAUSES = ['firewall-reject', 'no-response', 'port-unreachable', 'host-unreachable', 'kiss-of-death', 'source-rejected', 'source-unreachable', 'server-unsynchronized', 'no-clock-control'];

/** Follows "unsynchronized because its own server is" up the chain, to the first server with its own reason. */
function rootCause(ctx: ClusterContext, server: string): { node: string; finding: Finding; chain: string[] } | undefined {
  const chain = [server];
  let node = server;
  for (let hop = 0; hop < 16; hop++) {
    const own = firstOf(ctx, node, OWN_CAUSES);
    if (own) return { node, finding: own, chain };
    const here = node;
    const upstream = ctx.findings(node).find((f) => {
      if (f.rule !== 'server-unsynchronized') return false;
      const up = ctx.nodeOf(f.subject);
      return up !== undefined && up.name !== here && !chain.includes(up.name);
    });
    if (upstream) {
      node = ctx.nodeOf(upstream.subject)!.name;
      chain.push(node);
      continue;
    }
    const other = firstOf(ctx, node, UPSTREAM_CAUSES);
    return other ? { node, finding: other, chain } : undefined;
  }
  return undefined;
}

/**
 * A server at stratum 16 / leap 3 makes every client's selection drop it ("Server dropped: strata too high",
 * chrony's test 7 fails). The clients' server-unsynchronized findings are one fact: the server's own reason.
 */
export default defineClusterRule({
  meta: {
    id: 'server-unsynchronized-cascade',
    summary: 'A server in the cluster is unsynchronized (stratum 16 / leap 3), so every client of it shows "strata too high"',
    severity: 'error',
    confidence: 0.9,
    priority: 20,
    why:
      'A server that is not synchronized itself answers with stratum 16 (or leap 3, "alarm"); RFC 5905 §8 says ' +
      'clients must not use it: ntpdate prints `Server dropped: strata too high`, ntpd sets flash bit TEST7, ' +
      "chrony's test 7 (ntp_core.c) rejects the sample. Every client of that server fails the same way, so the " +
      "fix is on the server: its own report says why it is unsynchronized (it follows its own address, has no " +
      'upstream and no local clock, or its upstream fails too). A server ntpd also needs ~300 s after start before ' +
      'it serves a synchronized clock.',
    references: ['RFC 5905 §7.3 (stratum 16, leap 3)', 'RFC 5905 §8 (packet tests)', 'chrony ntp_core.c test7', 'ntpdate(8) "strata too high"'],
  },
  match(ctx) {
    const hits: ClusterHit[] = [];
    const unsync = edgesByServer(ctx.graph.edges, (e) => e.state === 'unsynchronized' && e.from !== e.to);
    for (const [server, edges] of unsync) {
      const clients = [...new Set(edges.map((e) => e.from))];
      const internal = edges[0]!.internal;
      const root = internal ? rootCause(ctx, server) : undefined;
      if (clients.length < 2 && !root) continue;
      const address = edges[0]!.address;
      const evidence: Evidence[] = [];
      if (root) {
        if (root.chain.length > 1) evidence.push({ text: `cascade: ${root.chain.join(' ← ')} (each unsynchronized because the next one is)` });
        evidence.push(...causeEvidence(root.node, root.finding));
      }
      evidence.push(...edges.map((e) => clientEvidence(ctx, e)));
      const who = `${clients.length} client${clients.length > 1 ? 's' : ''} (${names(clients)})`;
      const title = root
        ? `${server} serves an unsynchronized clock (stratum 16) because of ${root.node}'s ${root.finding.rule}: ${root.finding.title} — ${who} see "strata too high"`
        : `${internal ? server : address} serves an unsynchronized clock (stratum 16 / leap 3): ${who} see "strata too high"`;
      const hit: ClusterHit = {
        subject: root?.node ?? server,
        title,
        nodes: [...new Set([...(root?.chain ?? (internal ? [server] : [])), ...clients])],
        explained: [
          ...edges.flatMap((e) => explainedOn(ctx, e)),
          // The servers between: each one's own "my server is unsynchronized" is the same cascade.
          ...(root?.chain ?? []).filter((n) => n !== root?.node).flatMap((n) => ctx.findings(n).filter((f) => f.rule === 'server-unsynchronized').map((f) => ref(n, f))),
        ],
        evidence,
        fixes: root ? root.finding.fixes : ranked([draft('generic', `Ask ${address} why it is unsynchronized (its upstreams, its own log)`, [], probeVerify(address), 'stratum 1–15, leap 0')]),
      };
      if (root) hit.cause = ref(root.node, root.finding);
      else hit.confidence = 0.7;
      hits.push(hit);
    }
    return hits;
  },
});
