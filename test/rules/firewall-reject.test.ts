import { describe, expect, it } from 'vitest';
import rule from '../../rules/firewall-reject.js';
import { CLIENT, diagnose, hitsOf, icmp, icmpPath, path, SERVER, silentPath } from './_build.js';
import { ruleTester } from './_tester.js';

describe('firewall-reject', () => {
  it("finds the seed's `ICMP host 192.168.1.100 unreachable - admin prohibited` (3/10) and says where to open UDP 123", () => {
    const hits = hitsOf(rule, [icmpPath(icmp(3, 10, [2, 4, 6, 8]))]);
    expect(hits).toHaveLength(1);
    const hit = hits[0]!;
    expect(hit.subject).toBe(SERVER);
    expect(hit.title).toContain(`${SERVER}'s firewall rejects NTP`);
    expect(hit.evidence[0]).toEqual({
      text: `ICMP type 3 code 10 (host administratively prohibited) from ${SERVER} answering 4 requests ${CLIENT}:42275→${SERVER}:123`,
      frames: [2, 4, 6, 8],
      unit: 'frame',
    });
    expect(hit.fixes.map((f) => f.platform)).toEqual(['firewalld', 'nftables', 'iptables', 'iptables']);
    expect(hit.fixes[0]!.commands).toEqual(['firewall-cmd --permanent --add-service=ntp', 'firewall-cmd --reload']);
    expect(hit.fixes[0]!.verify).toBe(`ntpdoctor probe ${SERVER}`);
    expect(hit.fixes[1]!.commands).toEqual(['nft insert rule inet filter input udp dport 123 accept']);
    expect(hit.fixes[2]!.commands).toEqual(['iptables -I INPUT -p udp --dport 123 -j ACCEPT', 'service iptables save']);
    expect(hit.fixes[3]!.commands).toEqual(['iptables -I INPUT -p udp --dport 123 -j ACCEPT', 'netfilter-persistent save']);
  });

  it.each([
    [4, 3, 9],
    [4, 3, 13],
    [6, 1, 1],
  ] as const)('reads ICMPv%i type %i code %i as a firewall reject', (version, type, code) => {
    const server = version === 6 ? '2001:db8::100' : SERVER;
    const p = icmpPath(icmp(type, code, [2], server, version), {
      server: { ip: server, port: 123 },
      client: { ip: version === 6 ? '2001:db8::130' : CLIENT, port: 40123 },
    });
    const hits = hitsOf(rule, [p]);
    expect(hits.map((h) => h.subject)).toEqual([server]);
    if (version === 6) expect(hits[0]!.fixes[2]!.commands[0]).toBe('ip6tables -I INPUT -p udp --dport 123 -j ACCEPT');
  });

  it('words probe numbers as samples', () => {
    const hit = hitsOf(rule, [icmpPath(icmp(3, 13, [1, 2]), { source: 'probe' })])[0]!;
    expect(hit.evidence[0]!.unit).toBe('sample');
    expect(hit.evidence[0]!.frames).toEqual([1, 2]);
  });

  it('puts the fix on the router that rejects when the ICMP comes from elsewhere', () => {
    const hit = hitsOf(rule, [icmpPath(icmp(3, 13, [2], '198.51.100.1'))])[0]!;
    expect(hit.subject).toBe(SERVER);
    expect(hit.title).toBe(`A firewall at 198.51.100.1 rejects NTP to ${SERVER}`);
    expect(hit.fixes[0]!.title).toContain('On 198.51.100.1');
  });

  it("opens the client's OUTPUT chain when the client's own stack sends the reject", () => {
    const hit = hitsOf(rule, [icmpPath(icmp(3, 10, [2], CLIENT))])[0]!;
    expect(hit.title).toContain('own firewall rejects outgoing NTP');
    expect(hit.fixes.flatMap((f) => f.commands)).toContain('iptables -I OUTPUT -p udp --dport 123 -j ACCEPT');
  });

  it('absorbs no-response on the same server (other clients silent: ICMP rate limiting, or DROP for them)', () => {
    const other = silentPath([11, 12], { client: { ip: '198.51.100.131', port: 123 } });
    const findings = diagnose([icmpPath(icmp(3, 10, [2, 4])), other]);
    expect(findings.map((f) => f.rule)).toEqual(['firewall-reject']);
    expect(findings[0]!.explains).toEqual(['no-response']);
  });
});

ruleTester.run('firewall-reject', rule, {
  valid: [
    { name: 'a healthy path', observations: () => [path()] },
    { name: 'ICMP port unreachable is not administrative', observations: () => [icmpPath(icmp(3, 3, [2]))] },
    { name: 'ICMPv6 port unreachable', observations: () => [icmpPath(icmp(1, 4, [2], SERVER, 6))] },
    { name: 'host unreachable from a router', observations: () => [icmpPath(icmp(3, 1, [2], '198.51.100.1'))] },
  ],
  invalid: [
    {
      name: 'ICMP 3/10 from the server (firewalld on CentOS 7)',
      observations: () => [icmpPath(icmp(3, 10, [2, 4]))],
      findings: [{ subject: SERVER, severity: 'error', title: `${SERVER}'s firewall rejects NTP`, evidence: [`ICMP type 3 code 10 (host administratively prohibited) from ${SERVER} answering 2 requests`] }],
    },
    {
      name: "the client's own OUTPUT chain rejects",
      observations: () => [icmpPath(icmp(3, 10, [2], CLIENT))],
      findings: [{ subject: SERVER, severity: 'error', title: `${CLIENT}'s own firewall rejects outgoing NTP to ${SERVER}`, evidence: ["The ICMP error comes from the client's own address"] }],
    },
    {
      name: 'a sender the capture could not read',
      observations: () => [icmpPath(icmp(3, 10, [2], ''))],
      findings: [{ subject: SERVER, severity: 'error', title: `${SERVER}'s firewall rejects NTP`, evidence: ['from the network answering 1 request'] }],
    },
    {
      name: 'ICMP 3/13 from a router on the way',
      observations: () => [icmpPath(icmp(3, 13, [2], '198.51.100.1'))],
      findings: [{ subject: SERVER, severity: 'error', title: `A firewall at 198.51.100.1 rejects NTP to ${SERVER}`, evidence: ['from 198.51.100.1', 'a firewall on the way rejects the request'] }],
    },
  ],
});
