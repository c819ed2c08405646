/** firewall-blocks-ntp: the node's own firewall stops NTP from the clients it means to serve (rule tester cases). */
import { expect } from 'vitest';
import rule from '../../rules/firewall-blocks-ntp.js';
import { ruleTester } from '../rules/_tester.js';
import { centosReject, iface, LOOPBACK, localAddresses, ntpdConfig } from './_build.js';

const node0 = () => localAddresses([iface(), LOOPBACK]);

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
  ],
});
