/** firewall-blocks-ntp: the node's own firewall stops NTP from the clients it means to serve (rule tester cases). */
import { expect } from 'vitest';
import rule from '../../rules/firewall-blocks-ntp.js';
import { ruleTester } from '../rules/_tester.js';
import { centosReject, chronyConfig, iface, LOOPBACK, localAddresses, ntpdConfig } from './_build.js';

const node0 = () => localAddresses([iface(), LOOPBACK]);
/** chronyd serving 192.168.1.0/24 on UDP 11123 (chrony.conf(5) `port`). */
const chrony11123 = () => chronyConfig('/etc/chrony.conf', 'pool 2.pool.ntp.org iburst\nallow 192.168.1.0/24\nport 11123\n');
/** The firewall as judged for a request to 11123 (fixtures/firewall/*-chrony-port.*, test/inspect/firewall-port.test.ts). */
const at11123 = (over: Parameters<typeof centosReject>[0] = {}) =>
  centosReject({ port: 11123, decidedBy: { text: '-A INPUT -j REJECT --reject-with icmp-host-prohibited', table: 'filter', chain: 'INPUT', position: 6 }, insertAt: { table: 'filter', chain: 'INPUT', position: 6 }, ...over });

ruleTester.run('firewall-blocks-ntp', rule, {
  valid: [{ name: 'the firewall accepts', observations: () => [node0(), ntpdConfig('seed000-node0-first.ntp.conf'), centosReject({ verdict: 'accept' })] }],
  invalid: [
    {
      name: 'the CentOS 7 default REJECT (filter INPUT rule 5) on the seed node0',
      observations: () => [node0(), ntpdConfig('seed000-node0-first.ntp.conf'), centosReject()],
      findings: [
        {
          subject: '192.168.1.100',
          severity: 'error',
          title: 'filter INPUT rule 5',
          evidence: ['stops at filter INPUT rule 5: `-A INPUT -j REJECT --reject-with icmp-host-prohibited`', 'clients on 192.168.1.0/24 are meant to be served'],
        },
      ],
      check: ([f]) => expect(f!.fixes[0]!.commands).toEqual(['iptables -I INPUT 5 -p udp --dport 123 -j ACCEPT', 'service iptables save']),
    },
    {
      name: 'chronyd on `port 11123`: the iptables fix opens 11123, never 123',
      observations: () => [node0(), chrony11123(), at11123()],
      findings: [{ subject: '192.168.1.100', severity: 'error', title: '(UDP 11123)', evidence: ['a new NTP request (UDP 11123)', '/etc/chrony.conf:3: `port 11123`: clients ask UDP 11123'] }],
      check: ([f]) => {
        expect(f!.fixes[0]!.commands).toEqual(['iptables -I INPUT 6 -p udp --dport 11123 -j ACCEPT', 'service iptables save']);
        expect(f!.fixes[0]!.verify).toBe('iptables -L INPUT -n --line-numbers');
        expect(JSON.stringify(f!.fixes)).not.toMatch(/\b123\b/);
      },
    },
    {
      name: "the client's own output chain rejects its requests to `server X port 11123`: the fix opens 11123 outbound",
      observations: () => [
        localAddresses([iface('198.51.100.130', 24, 'eth0'), LOOPBACK]),
        chronyConfig('/etc/chrony.conf', 'server 198.51.100.100 iburst port 11123\n'),
        centosReject({
          backend: 'nftables',
          from: 'this node',
          direction: 'out',
          to: '198.51.100.100',
          port: 11123,
          rejectWith: 'icmpx admin-prohibited',
          decidedBy: { text: 'udp dport 11123 reject with icmpx admin-prohibited', family: 'inet', table: 'filter', chain: 'output', handle: 4 },
          insertAt: { family: 'inet', table: 'filter', chain: 'output', beforeHandle: 4 },
          trace: ['inet filter output (hook output, priority 0)'],
        }),
      ],
      findings: [
        {
          subject: '198.51.100.100',
          severity: 'error',
          title: "This node's nftables firewall rejects its own NTP requests to 198.51.100.100 (UDP 11123): inet filter chain output rule handle 4",
          evidence: ['request to 198.51.100.100:11123 stops at inet filter chain output rule handle 4', 'It never leaves this host', '/etc/chrony.conf:1: `server 198.51.100.100 iburst port 11123`: the daemon asks 198.51.100.100 on UDP 11123'],
        },
      ],
      check: ([f]) => {
        expect(f!.fixes[0]!.commands[0]).toBe('nft insert rule inet filter output position 4 udp dport 11123 accept');
        expect(f!.fixes[0]!.verify).toBe('ntpdoctor probe 198.51.100.100:11123');
      },
    },
    {
      name: 'chronyd on `port 11123` behind nftables: `udp dport 11123 accept` at the policy',
      observations: () => [
        node0(),
        chrony11123(),
        at11123({ backend: 'nftables', verdict: 'drop', decidedBy: { text: 'policy drop', family: 'inet', table: 'filter', chain: 'input', policy: true }, insertAt: { family: 'inet', table: 'filter', chain: 'input' } }),
      ],
      findings: [{ subject: '192.168.1.100', severity: 'error', title: 'drops NTP (UDP 11123)', evidence: ['a new NTP request (UDP 11123)'] }],
      check: ([f]) => {
        expect(f!.fixes[0]!.commands[0]).toBe('nft add rule inet filter input udp dport 11123 accept');
        expect(JSON.stringify(f!.fixes)).not.toMatch(/dport 123\b/);
      },
    },
    {
      name: 'chronyd on `port 11123` behind firewalld: the port by number (the ntp service is 123 only)',
      observations: () => [
        node0(),
        chrony11123(),
        at11123({
          backend: 'firewalld',
          decidedBy: { text: 'target default', chain: 'public', policy: true },
          insertAt: { chain: 'public' },
          zone: { name: 'public', target: 'default', services: ['ntp', 'ssh'], ports: [], interfaces: ['em1'], sources: [] },
        }),
      ],
      findings: [{ subject: '192.168.1.100', severity: 'error', title: 'zone public', evidence: ['`port 11123`'] }],
      check: ([f]) => {
        expect(f!.fixes[0]!.commands).toEqual(['firewall-cmd --permanent --zone=public --add-port=11123/udp', 'firewall-cmd --reload']);
        expect(f!.fixes[0]!.verify).toBe('firewall-cmd --zone=public --query-port=11123/udp');
        expect(f!.fixes[0]!.title).toContain('UDP 11123');
      },
    },
  ],
});
