/**
 * Telling a checksum-offload artifact from real corruption. With tx offload the kernel hands the NIC a datagram
 * whose UDP checksum is still a placeholder; tcpdump on the sender copies it before the NIC fills it in, so it
 * shows "bad udp cksum" for datagrams that are fine on the wire. A Linux receiver drops a datagram with a bad
 * checksum before anything answers it — before the ICMP port unreachable of __udp4_lib_rcv and before a netfilter
 * REJECT (nf_reject verifies the checksum) — so any answer, NTP or ICMP, proves the wire checksum was right.
 */
import type { ChecksumObservation, NtpPathObservation } from '../../src/model/observation.js';
import type { RuleContext } from '../../src/diagnose/types.js';
import { byClient, byServer } from './paths.js';

/**
 * artifact: the capture host sent them (or they were answered); corruption: another host sent them;
 * likely-artifact: the capture does not say who took it — offload on the capture host is by far the common case.
 */
export type ChecksumVerdict = 'artifact' | 'likely-artifact' | 'corruption';

export interface ChecksumReading {
  verdict: ChecksumVerdict;
  /** Why, when the rule decided beyond the observation's own `sentByCaptureHost`. */
  reason?: string;
  /** Requests from the sender that drew an answer (replies + ICMP errors). */
  answered: number;
  /** Paths on which the sender is the client. */
  asClient: readonly NtpPathObservation[];
  /** Paths on which the sender is the server. */
  asServer: readonly NtpPathObservation[];
}

export function readChecksum(
  c: ChecksumObservation,
  paths: readonly NtpPathObservation[],
  checksums: readonly ChecksumObservation[] = [],
): ChecksumReading {
  // Looked up in groupings made once per list: a capture can have a bad-checksum sender per client.
  const asClient = byClient(paths).get(c.sender) ?? [];
  const asServer = byServer(paths).get(c.sender) ?? [];
  const answered = asClient.reduce((n, p) => n + p.replies.count + p.icmp.reduce((m, i) => m + i.count, 0), 0);
  const base = { answered, asClient, asServer };
  if (c.sentByCaptureHost === true) return { verdict: 'artifact', ...base };
  if (c.sentByCaptureHost === false) {
    // Every datagram bad in BOTH directions, the capture host's own included, while the exchange goes on: a virtual
    // interface (veth, VM) passing CHECKSUM_PARTIAL both ways (measured here on veth). Corruption is never that tidy.
    const peers = new Set([...asClient.map((p) => p.server.ip), ...asServer.map((p) => p.client.ip)]);
    const exchanged = [...asClient, ...asServer].some((p) => p.replies.count > 0);
    const ownAllBad = sendersAllBadOwn(checksums);
    const peerOwnBad = [...peers].some((ip) => ownAllBad.has(ip));
    if (c.good === 0 && exchanged && peerOwnBad) {
      return {
        verdict: 'likely-artifact',
        reason: 'every datagram in both directions, the capture host\'s own included, has a bad checksum while the exchange works: a virtual interface (veth, VM) that leaves checksums to offload both ways',
        ...base,
      };
    }
    return { verdict: 'corruption', ...base };
  }
  // Every datagram from the sender was "bad" yet some drew answers: the receiver's kernel accepted them.
  if (c.good === 0 && answered > 0) {
    return { verdict: 'artifact', reason: `${answered} of its requests drew answers (NTP or ICMP): the receiver found their checksums right`, ...base };
  }
  // The path knows which end the capture sat on: the sender's own end means the capture host sent them.
  const ownEnd = asClient.some((p) => p.capturedAt === 'client') || asServer.some((p) => p.capturedAt === 'server');
  const farEnd = asClient.some((p) => p.capturedAt === 'server') || asServer.some((p) => p.capturedAt === 'client');
  if (ownEnd && !farEnd) return { verdict: 'artifact', reason: `the capture was taken at ${c.sender}'s end of the exchange`, ...base };
  if (farEnd && !ownEnd) return { verdict: 'corruption', reason: `the capture was taken at the other end of the exchange from ${c.sender}`, ...base };
  return { verdict: 'likely-artifact', ...base };
}

const allBadOwn = new WeakMap<readonly ChecksumObservation[], ReadonlySet<string>>();

/** Senders the capture host is, all of whose datagrams had bad checksums (worked out once per list). */
function sendersAllBadOwn(checksums: readonly ChecksumObservation[]): ReadonlySet<string> {
  let senders = allBadOwn.get(checksums);
  if (senders === undefined) {
    senders = new Set(checksums.filter((o) => o.sentByCaptureHost === true && o.good === 0 && o.bad.count > 0).map((o) => o.sender));
    allBadOwn.set(checksums, senders);
  }
  return senders;
}

/** Every checksum observation with its reading: what both checksum rules walk (one says artifact, the other corruption). */
export function checksumReadings(ctx: RuleContext): Array<{ c: ChecksumObservation; r: ChecksumReading }> {
  const paths = ctx.of('ntp-path');
  const checksums = ctx.of('udp-checksum');
  return checksums.map((c) => ({ c, r: readChecksum(c, paths, checksums) }));
}
