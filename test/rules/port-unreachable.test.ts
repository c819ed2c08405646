import { describe, expect, it } from 'vitest';
import rule from '../../rules/port-unreachable.js';
import { CLIENT, hitsOf, icmp, icmpPath, path, SERVER } from './_build.js';
import { ruleTester } from './_tester.js';

describe('port-unreachable', () => {
  it('says nothing listens on UDP 123 and puts chrony `allow` first (chronyd never opens the port without it)', () => {
    const hits = hitsOf(rule, [icmpPath(icmp(3, 3, [2, 4]))]);
    expect(hits).toHaveLength(1);
    const hit = hits[0]!;
    expect(hit.subject).toBe(SERVER);
    expect(hit.title).toBe(`Nothing listens on UDP 123 at ${SERVER}: ICMP type 3 code 3 (port unreachable)`);
    expect(hit.evidence[0]!.text).toContain(`answering 2 requests ${CLIENT}:42275→${SERVER}:123`);
    expect(hit.evidence[0]!.frames).toEqual([2, 4]);
    expect(hit.fixes[0]!.platform).toBe('chrony');
    expect(hit.fixes[0]!.commands).toEqual(["echo 'allow 198.51.100.0/24' >> /etc/chrony.conf", 'systemctl restart chronyd']);
    expect(hit.fixes.map((f) => f.platform)).toEqual(['chrony', 'systemd', 'ntpd', 'iptables']);
  });

  it('reads ICMPv6 type 1 code 4 the same way', () => {
    const p = icmpPath(icmp(1, 4, [2], '2001:db8::100', 6), { server: { ip: '2001:db8::100', port: 123 }, client: { ip: '2001:db8::130', port: 40000 } });
    const hit = hitsOf(rule, [p])[0]!;
    expect(hit.subject).toBe('2001:db8::100');
    expect(hit.fixes[0]!.commands[0]).toBe("echo 'allow 2001:db8::130/128' >> /etc/chrony.conf");
    expect(hit.fixes[3]!.commands).toContain('ip6tables -I INPUT -p udp --dport 123 -j ACCEPT');
  });

  it('is less sure when the same server also answered (daemon restarted during the capture)', () => {
    const answered = path({ client: { ip: '198.51.100.131', port: 123 } });
    const hit = hitsOf(rule, [icmpPath(icmp(3, 3, [2])), answered])[0]!;
    expect(hit.confidence).toBe(0.7);
  });
});

ruleTester.run('port-unreachable', rule, {
  valid: [
    { name: 'a healthy path', observations: () => [path()] },
    { name: 'an administrative reject', observations: () => [icmpPath(icmp(3, 10, [2]))] },
    { name: 'ICMPv6 administratively prohibited', observations: () => [icmpPath(icmp(1, 1, [2], SERVER, 6))] },
  ],
  invalid: [
    {
      name: 'ICMP 3/3 from the server: nothing listens',
      observations: () => [icmpPath(icmp(3, 3, [2, 4]))],
      findings: [{ subject: SERVER, severity: 'error', title: `Nothing listens on UDP 123 at ${SERVER}`, evidence: [`ICMP type 3 code 3 (port unreachable) from ${SERVER} answering 2 requests`] }],
    },
    {
      name: 'a sender the capture could not read is the server (only its kernel sends 3/3)',
      observations: () => [icmpPath(icmp(3, 3, [2], '?'))],
      findings: [{ subject: SERVER, severity: 'error', evidence: [`ICMP type 3 code 3 (port unreachable) from ${SERVER} answering 1 request`] }],
    },
    {
      name: 'a filter on the way answers for the server',
      observations: () => [icmpPath(icmp(3, 3, [2, 4], '198.51.100.1'))],
      findings: [{ subject: SERVER, severity: 'error', evidence: ['from 198.51.100.1 answering 2 requests', `The port unreachable comes from 198.51.100.1, not from ${SERVER}`] }],
    },
    {
      name: 'ICMPv6 1/4',
      observations: () => [icmpPath(icmp(1, 4, [2], '2001:db8::100', 6), { server: { ip: '2001:db8::100', port: 123 }, client: { ip: '2001:db8::130', port: 40123 } })],
      findings: [{ subject: '2001:db8::100', severity: 'error', evidence: ['ICMPv6 type 1 code 4 (port unreachable)'] }],
    },
  ],
});
