import { describe, expect, it } from 'vitest';
import rule from '../../rules/host-unreachable.js';
import { CLIENT, hitsOf, icmp, icmpPath, path, SERVER } from './_build.js';
import { ruleTester } from './_tester.js';

describe('host-unreachable', () => {
  it('reports a router that cannot deliver (3/1 from a gateway)', () => {
    const hit = hitsOf(rule, [icmpPath(icmp(3, 1, [2, 4], '198.51.100.1'))])[0]!;
    expect(hit.subject).toBe(SERVER);
    expect(hit.title).toBe(`${SERVER} is unreachable (reported by 198.51.100.1): no route or host down`);
    expect(hit.evidence.map((e) => e.text)).toContain(`Router 198.51.100.1 reports it cannot deliver to ${SERVER}`);
    expect(hit.fixes[0]!.commands).toEqual([`ping -c 3 ${SERVER}`, `ip neigh show ${SERVER}`]);
    expect(hit.fixes.at(-1)!.title).toContain('On router 198.51.100.1');
  });

  it("reads a 3/1 from the client's own address as an unanswered ARP", () => {
    const hit = hitsOf(rule, [icmpPath(icmp(3, 1, [2], CLIENT))])[0]!;
    expect(hit.title).toBe(`${SERVER} does not answer ARP: down, or not at that address`);
  });

  it('reads ICMPv6 1/3 (address unreachable) and 3/0 (net unreachable)', () => {
    const v6 = icmpPath(icmp(1, 3, [2], '2001:db8::1', 6), { server: { ip: '2001:db8::100', port: 123 } });
    expect(hitsOf(rule, [v6]).map((h) => h.subject)).toEqual(['2001:db8::100']);
    expect(hitsOf(rule, [icmpPath(icmp(3, 0, [2], '198.51.100.1'))])).toHaveLength(1);
  });

  it('sends a 3/1 from the server itself to the firewall fixes: the host is up, a REJECT chose that type', () => {
    const hit = hitsOf(rule, [icmpPath(icmp(3, 1, [2], SERVER))])[0]!;
    expect(hit.title).toContain(`${SERVER}'s firewall rejects NTP`);
    expect(hit.fixes[0]!.platform).toBe('firewalld');
  });
});

ruleTester.run('host-unreachable', rule, {
  valid: [
    { name: 'a healthy path', observations: () => [path()] },
    { name: 'an administrative reject', observations: () => [icmpPath(icmp(3, 10, [2]))] },
    { name: 'port unreachable', observations: () => [icmpPath(icmp(3, 3, [2]))] },
  ],
  invalid: [
    {
      name: 'ICMP 3/1 from a router',
      observations: () => [icmpPath(icmp(3, 1, [2], '198.51.100.1'))],
      findings: [
        {
          subject: SERVER,
          severity: 'error',
          title: `${SERVER} is unreachable (reported by 198.51.100.1)`,
          evidence: ['ICMP type 3 code 1 (host unreachable) from 198.51.100.1 answering 1 request', `Router 198.51.100.1 reports it cannot deliver to ${SERVER}`],
        },
      ],
    },
    {
      name: "the client's own ARP got no answer",
      observations: () => [icmpPath(icmp(3, 1, [2, 4], CLIENT))],
      findings: [{ subject: SERVER, severity: 'error', title: `${SERVER} does not answer ARP`, evidence: [`from ${CLIENT} answering 2 requests`, "The error comes from the client's own address"] }],
    },
    {
      name: 'ICMP 3/1 from the server itself: a firewall, not routing',
      observations: () => [icmpPath(icmp(3, 1, [2]))],
      findings: [{ subject: SERVER, severity: 'error', title: `${SERVER}'s firewall rejects NTP`, evidence: ['sent the error itself, so it is up and reachable'] }],
    },
  ],
});
