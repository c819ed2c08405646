import { defineRule } from '../src/diagnose/define.js';
import type { Evidence, Hit } from '../src/diagnose/types.js';
import { checksumReadings } from './_lib/checksum.js';
import { fact, factOf, note, plural } from './_lib/evidence.js';
import { byHand, captureInterface, cmd, draft, interfaceSteps, NTP_PORT, op, ranked, tcpdumpNtp, type Draft } from './_lib/fixes.js';
import type { Command } from '../src/shell/command.js';

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
      const verify = tcpdumpNtp(c.sender, NTP_PORT, 'any', 4);
      const expect = 'the datagrams show [udp sum ok] where they arrive';
      // The interface ethtool needs: the capture's own when the file names one, else found by route (never "IF").
      const iface = captureInterface(ctx.of('input').flatMap((i) => i.interfaceNames ?? []));
      const peer = r.asClient[0]?.server.ip ?? r.asServer[0]?.client.ip;
      const look = 'tx-checksumming on means the NIC fills in the checksum after tcpdump copied the packet (look at the tx-checksum lines)';
      const show =
        iface !== undefined
          ? draft('generic', `On ${c.sender} (${iface}, the capture interface): ${look}`, [cmd('ethtool', '-k', op(iface))], verify, expect)
          : byHandOn(c.sender, peer, `Then show its offloads with ethtool -k and that interface: ${look}`, `On ${c.sender}, the capture interface: ${look}`, verify, expect);
      const restore =
        iface !== undefined
          ? draft(
              'generic',
              'If offload was turned off to "fix" this (the seed ran ethtool --offload em1 rx off tx off): unnecessary, turn it back on',
              [cmd('ethtool', '--offload', op(iface), 'rx', 'on', 'tx', 'on')],
              cmd('ethtool', '-k', op(iface)),
              'rx-checksumming: on and tx-checksumming: on',
            )
          : byHandOn(
              c.sender,
              peer,
              'Then turn offload back on there with ethtool --offload, that interface, rx on tx on',
              'If offload was turned off to "fix" this (the seed ran ethtool --offload em1 rx off tx off): unnecessary, turn it back on',
              verify,
              expect,
            );
      const hit: Hit = {
        subject: c.sender,
        title: likely
          ? `"bad udp cksum" on datagrams from ${c.sender} is most likely a capture artifact (tx checksum offload), not a network fault`
          : `"bad udp cksum" on ${c.sender}'s own datagrams is a capture artifact (tx checksum offload), not a network fault`,
        evidence,
        fixes: ranked([
          show,
          draft('generic', `Or capture on the receiving host: the same datagrams show [udp sum ok] there`, [tcpdumpNtp(c.sender)], verify, expect),
          restore,
        ]),
      };
      if (likely) hit.confidence = 0.6;
      hits.push(hit);
    }
    return hits;
  },
});

/** A fix on `host`'s interface that the capture did not name: how to find it (rules/_lib/fixes.ts interfaceSteps), then `then`. */
function byHandOn(host: string, peer: string | undefined, then: string, title: string, verify: Command, expect: string): Draft {
  const { steps, then: commands } = interfaceSteps(host, peer, then);
  return byHand('generic', title, steps, commands, verify, expect);
}
