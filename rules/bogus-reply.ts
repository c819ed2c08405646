import { defineRule } from '../src/diagnose/define.js';
import type { Evidence, Hit } from '../src/diagnose/types.js';
import { fact, note, plural } from './_lib/evidence.js';
import { editSourceLines } from '../src/shell/sed.js';
import { byHand, CHRONY, cmd, draft, type Draft, interfaceSteps, op, probeVerify, ranked, target, tcpdumpNtp, words } from './_lib/fixes.js';
import { byServer, pair, serverPort } from './_lib/paths.js';

/** RFC 5905 §8 packet tests, in the words a client's log would use. */
const TESTS: Readonly<Record<string, string>> = {
  'origin-mismatch': "its origin timestamp is not the client's transmit timestamp (bogus: not an answer to this request)",
  'zero-transmit': 'its transmit timestamp is zero (invalid)',
  'zero-receive': 'its receive timestamp is zero (invalid)',
  'receive-after-transmit': "the server's receive time T2 is later than its transmit time T3",
  duplicate: 'it repeats a reply already received (duplicate)',
};

/**
 * Replies that fail the RFC 5905 §8 sanity tests a client applies before using them: a client discards them, so
 * the server looks silent to it even though replies are on the wire.
 */
export default defineRule({
  meta: {
    id: 'bogus-reply',
    summary: 'Replies fail the RFC 5905 packet tests (origin mismatch, zero timestamps, T2 > T3, duplicates)',
    severity: 'error',
    confidence: 0.8,
    priority: 35,
    why:
      'Before using a reply a client checks it (RFC 5905 §8): the origin timestamp must equal the transmit timestamp of its ' +
      'request (else "bogus": a stale, spoofed or misrouted reply), the receive and transmit timestamps must be non-zero, a ' +
      'reply must not repeat one already seen ("duplicate"), and the server must not transmit before it received (T3 ≥ T2). ' +
      'Failing replies are discarded, so the client behaves as if nothing came back.',
    references: ['RFC 5905 §8 (on-wire protocol: bogus and duplicate tests)', 'RFC 5905 Appendix A.5.1.1 (packet tests)'],
  },
  match(ctx) {
    const hits: Hit[] = [];
    for (const [server, paths] of byServer(ctx.of('ntp-path'))) {
      const evidence: Evidence[] = [];
      const tests = new Set<string>();
      for (const p of paths) {
        for (const b of p.bogus) {
          tests.add(b.value);
          evidence.push(fact(p.source, `${plural(b.count, 'reply', 'replies')} ${pair(p)}: ${TESTS[b.value] ?? `failed the ${b.value} test`}`, b));
        }
      }
      if (tests.size === 0) continue;
      const onlyDuplicates = [...tests].every((t) => t === 'duplicate');
      if (onlyDuplicates) {
        evidence.push(note('Duplicates alone are often the capture itself: tcpdump -i any sees a datagram once per interface it crosses (bridge, veth, VLAN)'));
      }
      if (tests.has('origin-mismatch')) {
        evidence.push(note('Origin mismatches come from replies to an earlier request arriving late, a NAT or load balancer mixing clients, chrony interleaved mode (xleave), or spoofing'));
      }
      const hit: Hit = {
        subject: server,
        title: `${server}'s replies fail the RFC 5905 packet tests (${[...tests].join(', ')}): clients discard them`,
        evidence,
        fixes: ranked(fixesFor(server, serverPort(paths), tests)),
      };
      if (onlyDuplicates) {
        hit.severity = 'warning';
        hit.confidence = 0.5;
      }
      hits.push(hit);
    }
    return hits;
  },
});

function fixesFor(server: string, port: number, tests: ReadonlySet<string>): Draft[] {
  const verify = probeVerify(server, port);
  const drafts: Draft[] = [];
  if (tests.has('origin-mismatch')) {
    drafts.push(
      draft('generic', `Capture at both ends to see whether a NAT or load balancer between client and ${server} rewrites or mixes replies`, [tcpdumpNtp(server, port, 'any')], verify),
      draft('chrony', `If chronyd uses interleaved mode with ${server}: try without xleave (Debian/Ubuntu: /etc/chrony/chrony.conf)`, [editSourceLines(CHRONY.conf, server, '[[:space:]]+xleave\\b', `delete "xleave" from the server/pool/peer lines naming ${server}`), CHRONY.restart], words('chronyc sources'), `${server} reachable (reach rising) and selectable`),
    );
  }
  if (tests.has('zero-transmit') || tests.has('zero-receive') || tests.has('receive-after-transmit')) {
    drafts.push(draft('generic', `${server} fills its timestamps wrongly: update or replace its NTP implementation (check what runs there)`, [cmd('ntpdoctor', 'probe', '--json', op(target(server, port)))], verify));
  }
  if (tests.has('duplicate')) {
    // One interface, not "any" (a bridge and its port both show a datagram): which one, only the route says.
    const { steps, then } = interfaceSteps('the client', server, `Capture on that interface alone with tcpdump -n -vv -i, udp port ${port} and host ${server}: duplicates still there are real`);
    drafts.push(byHand('generic', 'Capture on one interface instead of "any" to see whether the duplicates are real', steps, then, verify));
  }
  return drafts;
}
