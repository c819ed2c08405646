import { defineRule } from '../src/diagnose/define.js';
import type { Evidence, Hit } from '../src/diagnose/types.js';
import { checksumReadings } from './_lib/checksum.js';
import { fact, factOf, note, plural } from './_lib/evidence.js';
import { draft, NTP_PORT, ranked, tcpdumpNtp, words } from './_lib/fixes.js';

/**
 * "bad udp cksum" on datagrams the capturing host sent itself: tx checksum offload, not a network fault. The seed
 * "fixed" it with `ethtool --offload em1 rx off tx off`, which changes nothing on the wire and costs CPU.
 */
export default defineRule({
  meta: {
    id: 'checksum-offload-artifact',
    summary: 'Bad UDP checksums only on datagrams the capturing host sent: tx checksum offload, not a fault',
    severity: 'info',
    confidence: 0.9,
    priority: 90,
    why:
      'With transmit checksum offload the NIC computes the UDP checksum after the kernel handed it the packet; tcpdump ' +
      'on the sending host copies the packet before that, so it prints "bad udp cksum" for datagrams that leave with a correct ' +
      'one (veth and virtual NICs do the same in both directions). A receiver that answers a datagram — an NTP reply or even an ' +
      'ICMP error — has verified its checksum. Turning offload off (the seed\'s `ethtool --offload em1 rx off tx off`) is unnecessary.',
    references: ['RFC 768 (UDP checksum)', 'RFC 1122 §4.1.3.4 (bad checksums are discarded)', 'ethtool(8) (-k, --offload)', 'tcpdump(8) (-K, --dont-verify-checksums)'],
  },
  match(ctx) {
    const hits: Hit[] = [];
    for (const { c, r } of checksumReadings(ctx)) {
      if (r.verdict === 'corruption') continue;
      const likely = r.verdict === 'likely-artifact';
      const evidence: Evidence[] = [
        fact(c.source, `${plural(c.bad.count, 'datagram')} from ${c.sender} had bad UDP checksums in the capture${c.good ? `; ${c.good} from it verified` : ''}`, c.bad),
        note(
          likely
            ? r.reason
              ? `Most likely offload, not corruption: ${r.reason}`
              : `The capture does not say which host took it (${c.basis}); offload on the capture host is by far the usual cause — if it was not taken on ${c.sender}, capture there to be sure`
            : `Sent by the capture host: ${r.reason ?? c.basis}`,
        ),
      ];
      if (r.answered > 0) {
        evidence.push(factOf(c.source, `${plural(r.answered, 'request')} from ${c.sender} drew answers: the receiver checked those checksums and found them right`, r.asClient.map((p) => p.replies)));
      } else if (r.asClient.length > 0 || r.asServer.length > 0) {
        evidence.push(note('The exchange fails for another reason (see the other findings): these checksums are not why'));
      }
      const verify = tcpdumpNtp(c.sender, NTP_PORT, 'IF', 4);
      const hit: Hit = {
        subject: c.sender,
        title: likely
          ? `"bad udp cksum" on datagrams from ${c.sender} is most likely a capture artifact (tx checksum offload), not a network fault`
          : `"bad udp cksum" on ${c.sender}'s own datagrams is a capture artifact (tx checksum offload), not a network fault`,
        evidence,
        fixes: ranked([
          draft(
            'generic',
            `On ${c.sender} (IF: the capture interface, e.g. em1): tx-checksumming on means the NIC fills in the checksum after tcpdump copied the packet (look at the tx-checksum lines)`,
            [words('ethtool -k IF')],
            verify,
            'the datagrams show [udp sum ok] where they arrive',
          ),
          draft('generic', `Or capture on the receiving host: the same datagrams show [udp sum ok] there`, [tcpdumpNtp(c.sender)], verify, 'the datagrams show [udp sum ok] where they arrive'),
          draft(
            'generic',
            'If offload was turned off to "fix" this (the seed ran ethtool --offload em1 rx off tx off): unnecessary, turn it back on',
            [words('ethtool --offload IF rx on tx on')],
            words('ethtool -k IF'),
            'rx-checksumming: on and tx-checksumming: on',
          ),
        ]),
      };
      if (likely) hit.confidence = 0.6;
      hits.push(hit);
    }
    return hits;
  },
});
