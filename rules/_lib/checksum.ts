/**
 * Telling a checksum-offload artifact from real corruption. With tx offload the kernel hands the NIC a datagram
 * whose UDP checksum is still a placeholder; tcpdump on the sender copies it before the NIC fills it in, so it
 * shows "bad udp cksum" for datagrams that are fine on the wire. A Linux receiver drops a datagram with a bad
 * checksum before anything answers it — before the ICMP port unreachable of __udp4_lib_rcv and before a netfilter
 * REJECT (nf_reject verifies the checksum) — so any answer, NTP or ICMP, proves the wire checksum was right.
 */
import type { ChecksumObservation, NtpPathObservation } from '../../src/observe/types.js';

export interface ChecksumReading {
  artifact: boolean;
  /** Requests from the sender that drew an answer (replies + ICMP errors). */
  answered: number;
  /** Paths on which the sender is the client. */
  asClient: NtpPathObservation[];
  /** Paths on which the sender is the server. */
  asServer: NtpPathObservation[];
}

export function readChecksum(c: ChecksumObservation, paths: readonly NtpPathObservation[]): ChecksumReading {
  const asClient = paths.filter((p) => p.client.ip === c.sender);
  const asServer = paths.filter((p) => p.server.ip === c.sender);
  const answered = asClient.reduce((n, p) => n + p.replies.count + p.icmp.reduce((m, i) => m + i.count, 0), 0);
  // Every datagram from the sender was "bad" yet some drew answers: the receiver's kernel accepted them.
  const provenGood = c.good === 0 && answered > 0;
  const artifact = c.sentByCaptureHost === true || (c.sentByCaptureHost === 'unknown' && provenGood);
  return { artifact, answered, asClient, asServer };
}
