import { defineRule } from '../src/diagnose/define.js';
import type { Evidence, Hit } from '../src/diagnose/types.js';
import { checksumReadings } from './_lib/checksum.js';
import { fact, note, plural } from './_lib/evidence.js';
import { cmd, draft, ranked, tcpdumpNtp, words } from './_lib/fixes.js';

/**
 * Bad UDP checksums on datagrams another host sent: corruption on the way (or in a NIC). The receiving kernel
 * discards them silently, so replies can be on the wire and still never reach the client's daemon.
 */
export default defineRule({
  meta: {
    id: 'bad-checksum',
    summary: 'Bad UDP checksums on datagrams received from another host: real corruption',
    severity: 'warning',
    confidence: 0.75,
    priority: 50,
    why:
      'A UDP datagram whose checksum fails is discarded by the receiving kernel without a word (counted in UdpInCsumErrors). ' +
      'When the capture host received it from another host — and nothing shows it was accepted — the bytes changed on the way: ' +
      'a bad cable, NIC or switch port, or a middlebox that rewrites the packet without fixing the checksum.',
    references: ['RFC 768 (UDP checksum)', 'RFC 1122 §4.1.3.4 (bad checksums are discarded)', 'ethtool(8) (-S)', 'nstat(8)'],
  },
  match(ctx) {
    const hits: Hit[] = [];
    for (const { c, r } of checksumReadings(ctx)) {
      if (r.verdict !== 'corruption') continue;
      // Only the observation's own judgement is sure; the path's capture side is a good guess.
      const known = c.sentByCaptureHost === false;
      const evidence: Evidence[] = [
        fact(c.source, `${plural(c.bad.count, 'datagram')} from ${c.sender} had bad UDP checksums${c.good ? `; ${c.good} from it verified` : ''}`, c.bad),
        note(`Received from another host: ${r.reason ?? c.basis}`),
      ];
      if (r.asServer.length > 0) {
        evidence.push(note(`These include ${c.sender}'s NTP replies: the client's kernel discards them, so its daemon sees no answer`));
      }
      const onWire = draft(
        'generic',
        `Capture on ${c.sender} too (every interface): good checksums leaving it and bad ones arriving means the path corrupts them`,
        [tcpdumpNtp(c.sender)],
        words('nstat -az UdpInCsumErrors'),
        'UdpInCsumErrors stops growing',
      );
      const link = draft(
        'generic',
        'On the receiving host: look for the faulty link in every interface\'s error counters (RX errors, crc, frame), then change cable or port; ethtool -S on that interface adds the NIC\'s own counters',
        [cmd('ip', '-s', '-s', 'link')],
        words('nstat -az UdpInCsumErrors'),
        'UdpInCsumErrors stops growing',
      );
      const hit: Hit = {
        subject: c.sender,
        title: `Datagrams from ${c.sender} arrive with bad UDP checksums: corrupted on the way`,
        evidence,
        fixes: ranked(known ? [link, onWire] : [onWire, link]),
      };
      if (!known) hit.confidence = 0.6;
      hits.push(hit);
    }
    return hits;
  },
});
