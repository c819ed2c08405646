import { describe, expect, it } from 'vitest';
import rule from '../../rules/no-response.js';
import { CLIENT, hitsOf, icmp, icmpPath, path, SERVER, silentPath } from './_build.js';
import { ruleTester } from './_tester.js';

describe('no-response', () => {
  it('reports requests with neither reply nor ICMP (the seed\'s "Server dropped: no data", 5 transmits)', () => {
    const p = silentPath([1, 2, 3, 4, 5], { lastRequestTime: 1454402643.717606 + 8 });
    const hit = hitsOf(rule, [p])[0]!;
    expect(hit.subject).toBe(SERVER);
    expect(hit.title).toBe(`No reply from ${SERVER} to 5 requests from ${CLIENT}: dropped silently`);
    expect(hit.evidence[0]).toEqual({
      text: `5 requests from ${CLIENT} to ${SERVER}:123 over 8.000 s, from source port 42275, got neither a reply nor an ICMP error`,
      frames: [1, 2, 3, 4, 5],
      unit: 'frame',
    });
    // Captured at the client: the network and the server's firewall come first.
    expect(hit.fixes[0]!.platform).toBe('firewalld');
    expect(hit.fixes.map((f) => f.platform)).toContain('ntpd');
    expect(hit.severity).toBeUndefined();
  });

  it("puts access control first when the capture shows the requests reached the server (notrust, restrict ignore)", () => {
    const hit = hitsOf(rule, [silentPath([1, 2, 3], { capturedAt: 'server' })])[0]!;
    expect(hit.fixes[0]!.platform).toBe('ntpd');
    expect(hit.fixes[0]!.commands).toEqual([
      "sed -i -E '/^restrict/ s/[[:space:]]+notrust\\b//' /etc/ntp.conf",
      "echo 'restrict 198.51.100.0 mask 255.255.255.0 nomodify notrap nopeer noquery' >> /etc/ntp.conf",
      'systemctl restart ntpd',
    ]);
    expect(hit.evidence.some((e) => e.text.startsWith(`Captured at ${SERVER}: the requests arrived`))).toBe(true);
  });

  it('counts every request, those too late to judge too, and names every source port or how many', () => {
    const few = silentPath([4, 13, 14, 15, 16, 17], {
      unanswered: { count: 2, frames: [4, 13] },
      pendingAtEnd: { count: 4, frames: [14, 15, 16, 17] },
      clientPorts: { count: 6, ports: [42714, 41231, 55513, 38375, 41403, 41448] },
    });
    const hit = hitsOf(rule, [few])[0]!;
    expect(hit.title).toBe(`No reply from ${SERVER} to 6 requests from ${CLIENT}: dropped silently`);
    expect(hit.evidence[0]!.text).toContain('from 6 source ports (42714, 41231, 55513, 38375, 41403, 41448)');
    expect(hit.evidence[0]!.text).toContain('4 of them sent so shortly before the capture ended');
    expect(hit.evidence[0]!.frames).toEqual([4, 13, 14, 15, 16, 17]);
    // Judged on the two that waited long enough: two lost datagrams.
    expect(hit.confidence).toBe(0.7);
    const many = silentPath([1, 2, 3], { clientPorts: { count: 23, ports: [1, 2, 3, 4, 5, 6, 7, 8] } });
    expect(hitsOf(rule, [many])[0]!.evidence[0]!.text).toContain('from 23 source ports,');
    const counted = silentPath([1, 2, 3], { clientPorts: { count: 9, ports: [1, 2, 3, 4, 5, 6, 7, 8], atLeast: true } });
    expect(hitsOf(rule, [counted])[0]!.evidence[0]!.text).toContain('from more than 8 source ports,');
  });

  it('is only a warning for one lost request', () => {
    const hit = hitsOf(rule, [silentPath([7])])[0]!;
    expect(hit.severity).toBe('warning');
    expect(hit.confidence).toBe(0.5);
  });
});

ruleTester.run('no-response', rule, {
  valid: [
    { name: 'a healthy path', observations: () => [path()] },
    { name: 'requests answered by ICMP (other rules say why)', observations: () => [icmpPath(icmp(3, 10, [2]))] },
    { name: 'some requests unanswered on a path that also got replies: loss or rate limiting, not silence', observations: () => [path({ unanswered: { count: 1, frames: [9] } })] },
  ],
  invalid: [
    {
      name: 'four requests, nothing back',
      observations: () => [silentPath()],
      findings: [{ subject: SERVER, severity: 'error', title: `No reply from ${SERVER} to 4 requests`, evidence: ['got neither a reply nor an ICMP error', 'Captured at the client'] }],
    },
  ],
});
