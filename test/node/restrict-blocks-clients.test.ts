/** restrict-blocks-clients: `restrict default ignore` with nothing more specific for the clients a server serves (rule tester cases). */
import { expect } from 'vitest';
import rule from '../../rules/restrict-blocks-clients.js';
import { ruleTester } from '../rules/_tester.js';
import { iface, localAddresses, LOOPBACK, ntpdConfig } from './_build.js';

ruleTester.run('restrict-blocks-clients', rule, {
  valid: [
    { name: 'the LAN has its own restrict line (seed 002)', observations: () => [ntpdConfig('seed002-server.ntp.conf')] },
    { name: 'a plain client: nothing says it serves', observations: () => [ntpdConfig('ntp.conf', 'restrict default ignore\nrestrict 10.0.0.1\nserver 10.0.0.1\n')] },
  ],
  invalid: [
    {
      name: '`restrict default ignore` on a server of the LAN',
      observations: () => [ntpdConfig('ntp-default-ignore.ntp.conf')],
      findings: [
        {
          subject: '/etc/ntp-default-ignore.ntp.conf',
          severity: 'error',
          evidence: ['/etc/ntp-default-ignore.ntp.conf:2: `restrict default ignore` is the most specific entry for 192.168.1.0/24', 'no reply, no ICMP'],
        },
      ],
      // No address of the node's is known (lint of the file alone): the check from a client is said in words.
      check: ([f]) => {
        const fix = f!.fixes[0]!;
        expect(fix.commands).toHaveLength(2);
        expect(fix.verify).toBe("grep -n '^restrict' /etc/ntp-default-ignore.ntp.conf");
        expect(fix.expect).toContain('`restrict 192.168.1.0 mask 255.255.255.0 nomodify notrap nopeer noquery` listed');
        expect(fix.expect).toContain('`ip -brief address show to 192.168.1.0/24`');
        expect(JSON.stringify(fix)).not.toContain('THIS-HOST');
      },
    },
    {
      name: "on node0 (192.168.1.100 known): the verify probes node0's own address, no placeholder",
      observations: () => [localAddresses([iface(), LOOPBACK]), ntpdConfig('ntp-default-ignore.ntp.conf')],
      findings: [{ subject: '/etc/ntp-default-ignore.ntp.conf', severity: 'error', evidence: ['no reply, no ICMP'] }],
      check: ([f]) => {
        expect(f!.fixes[0]!.verify).toBe('ntpdoctor probe 192.168.1.100');
        expect(JSON.stringify(f!.fixes)).not.toContain('THIS-HOST');
      },
    },
  ],
});
