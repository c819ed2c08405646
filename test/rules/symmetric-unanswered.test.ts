import { describe, expect, it } from 'vitest';
import rule from '../../rules/symmetric-unanswered.js';
import type { RequestClass } from '../../src/model/observation.js';
import type { NtpPathObservation } from '../../src/model/observation.js';
import { CLIENT, hitsOf, path, SERVER } from './_build.js';
import { ruleTester } from './_tester.js';

function cls(requests: number[], replies: number[] = []): RequestClass {
  const unanswered = requests.slice(replies.length);
  return { requests: { count: requests.length, frames: requests }, unanswered: { count: unanswered.length, frames: unanswered }, replies: { count: replies.length, frames: replies }, firstTime: 10, lastTime: 26 };
}

/** Mode 1 requests `sym` (answered by `symReplies`) beside mode 3 requests answered by `replies`. */
function peerPath(sym: number[], replies: number[], symReplies: number[] = []): NtpPathObservation {
  const s = cls(sym, symReplies);
  return path({
    client: { ip: CLIENT, port: 123 },
    requests: { count: sym.length + replies.length, frames: [...sym, ...replies.map((f) => f - 1)] },
    unanswered: s.unanswered,
    replies: { count: symReplies.length + replies.length, frames: [...symReplies, ...replies] },
    requestClasses: { symmetric: s },
  });
}

describe('symmetric-unanswered', () => {
  it('mode 1 unanswered while mode 3 is answered: client mode first (ntpd, ntpsec, w32time), peering on purpose after', () => {
    const hit = hitsOf(rule, [peerPath([3, 4, 7], [10])])[0]!;
    expect(hit.subject).toBe(SERVER);
    expect(hit.title).toBe(`${SERVER} ignores ${CLIENT}'s symmetric (mode 1, \`peer\`) requests while it answers client mode: use \`server\`, not \`peer\``);
    expect(hit.evidence[0]).toMatchObject({ frames: [3, 4, 7] });
    expect(hit.evidence[0]!.text).toBe(`3 symmetric active requests (mode 1) from ${CLIENT} to ${SERVER}:123 over 16.000 s: 3 got no symmetric passive (mode 2) reply`);
    expect(hit.evidence[1]).toMatchObject({ frames: [10] });
    expect(hit.fixes.map((f) => f.platform)).toEqual(['ntpd', 'ntpsec', 'generic', 'ntpd', 'ntpsec', 'chrony']);
    expect(hit.fixes[0]!.commands).toEqual(["sed -i -E 's/^peer([[:space:]]+198\\.51\\.100\\.100([[:space:]]|$))/server\\1/' /etc/ntp.conf", 'systemctl restart ntpd']);
    expect(hit.fixes[2]!.commands[0]).toBe(`w32tm /config /manualpeerlist:${SERVER},0x8 /syncfromflags:manual /update`);
    expect(hit.fixes[3]!.commands[0]).toBe(`echo 'restrict ${CLIENT} mask 255.255.255.255 nomodify notrap noquery' >> /etc/ntp.conf`);
  });

  it('is a warning for one lost mode 1 request', () => {
    expect(hitsOf(rule, [peerPath([3], [10])])[0]).toMatchObject({ severity: 'warning', confidence: 0.5 });
  });

  it('stays quiet when mode 1 was answered, when mode 3 was not, or with no mode 1 at all', () => {
    expect(hitsOf(rule, [peerPath([3, 4, 7], [10], [5])])).toEqual([]);
    expect(hitsOf(rule, [peerPath([3, 4, 7], [])])).toEqual([]);
    expect(hitsOf(rule, [path()])).toEqual([]);
  });
});

ruleTester.run('symmetric-unanswered', rule, {
  valid: [{ name: 'a healthy path', observations: () => [path()] }],
  invalid: [
    {
      name: 'mode 1 unanswered while mode 3 is answered',
      observations: () => [
        path({
          client: { ip: CLIENT, port: 123 },
          requests: { count: 6, frames: [1, 2, 3, 4, 5, 7] },
          unanswered: { count: 4, frames: [1, 2, 3, 4] },
          replies: { count: 2, frames: [6, 8] },
          requestClasses: { symmetric: { requests: { count: 4, frames: [1, 2, 3, 4] }, unanswered: { count: 4, frames: [1, 2, 3, 4] }, replies: { count: 0, frames: [] }, firstTime: 1, lastTime: 25 } },
        }),
      ],
      findings: [{ subject: SERVER, severity: 'error', evidence: ['got no symmetric passive (mode 2) reply', 'client-mode (mode 3) requests'] }],
    },
  ],
});
