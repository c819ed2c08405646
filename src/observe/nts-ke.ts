/**
 * NTS-KE connections (src/correlate/nts-ke.ts) → one `nts-ke-session` observation per client ↔ server:port, with
 * the verdict a diagnosis starts from (src/model/observation.ts NtsKeSessionObservation). Whether a completed key
 * establishment was followed by NTP is told from the capture's NTP paths: a client that got its cookies sends its
 * first NTS request at once (chronyd 4.3 in fixtures/wire/nts-healthy.pcap: 0.19 s after the FIN), so a request
 * from the same client to the same server at or after the KE's last frame means it worked.
 */
import type { NtsKeConnection, NtsKeConnections, NtsPathCounts } from '../model/nts-wire.js';
import type { NtpPathObservation, NtsKeSessionObservation } from '../model/observation.js';

type Outcome = NtsKeSessionObservation['outcome'];

function verdict(c: NtsKeConnection, ntpAfter: boolean): Outcome {
  switch (c.outcome) {
    case 'reset':
      return 'reset-after-handshake';
    case 'completed':
      return ntpAfter ? 'ok' : 'closed-without-ntp';
    default:
      return c.outcome;
  }
}

export function ntsKeSessions(part: NtsKeConnections | undefined, paths: readonly NtpPathObservation[]): NtsKeSessionObservation[] {
  if (part === undefined || part.connections.length === 0) return [];
  const groups = new Map<string, NtsKeConnection[]>();
  for (const c of part.connections) {
    const key = `${c.client} ${c.server} ${c.serverPort}`;
    const g = groups.get(key);
    if (g) g.push(c);
    else groups.set(key, [c]);
  }
  const out: NtsKeSessionObservation[] = [];
  for (const conns of groups.values()) {
    const first = conns[0] as NtsKeConnection;
    let requests = 0;
    let last: number | undefined;
    for (const p of paths) {
      if (p.client.ip !== first.client || p.server.ip !== first.server || p.requests.count === 0) continue;
      requests += p.requests.count;
      if (last === undefined || p.lastRequestTime > last) last = p.lastRequestTime;
    }
    // The last connection that came to something; an open one only when none did.
    const decisive = [...conns].reverse().find((c) => c.outcome !== 'open') ?? (conns[conns.length - 1] as NtsKeConnection);
    const outcome = verdict(decisive, last !== undefined && last >= decisive.lastTime);
    const o: NtsKeSessionObservation = {
      kind: 'nts-ke-session',
      source: 'capture',
      client: first.client,
      server: first.server,
      port: first.serverPort,
      outcome,
      decisive,
      connections: conns,
      ntpRequests: requests,
    };
    if (outcome === 'reset-after-handshake' && decisive.reset) o.resetBy = decisive.reset.by;
    if (last !== undefined) o.lastNtpRequestTime = last;
    if (part.dropped > 0) o.untracked = { connections: part.dropped, frames: part.droppedFrames };
    out.push(o);
  }
  return out;
}

/**
 * The NTS extension-field counts (src/correlate/nts-ef.ts) onto their ntp-path observations, matched by client,
 * server and server port. Returns `paths` (changed in place).
 */
export function withNtsCounts<P extends NtpPathObservation>(
  paths: P[],
  counts: ReadonlyArray<{ client: string; server: string; serverPort: number; counts: NtsPathCounts }>,
): P[] {
  if (counts.length === 0) return paths;
  const byKey = new Map(counts.map((c) => [`${c.client} ${c.server} ${c.serverPort}`, c.counts]));
  for (const p of paths) {
    const c = byKey.get(`${p.client.ip} ${p.server.ip} ${p.server.port}`);
    if (c !== undefined) p.nts = c;
  }
  return paths;
}
