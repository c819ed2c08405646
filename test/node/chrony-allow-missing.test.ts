/** chrony-allow-missing: a chronyd meant to serve that allows nobody (rule tester cases). */
import { expect } from 'vitest';
import rule from '../../rules/chrony-allow-missing.js';
import { ruleTester } from '../rules/_tester.js';
import { chronyConfig, LOOPBACK } from './_build.js';

ruleTester.run('chrony-allow-missing', rule, {
  valid: [{ name: 'a server that allows its clients', observations: () => [chronyConfig('chrony-server-ok.conf')] }],
  invalid: [
    {
      name: '`deny all` after the allow cancels it',
      observations: () => [chronyConfig('chrony-server-deny-all.conf')],
      findings: [
        {
          subject: '/etc/chrony-server-deny-all.conf',
          severity: 'error',
          title: '`deny all` cancels `allow 192.168.1.0/24` (line 5)',
          evidence: ['/etc/chrony-server-deny-all.conf:5: `allow 192.168.1.0/24`', '/etc/chrony-server-deny-all.conf:8: `deny all` comes later and overrides it'],
        },
      ],
    },
    {
      name: 'no allow on a chronyd moved to `port 11123`: the port it would open is 11123',
      // Read alone (lint, no interface): no network of this node's is known.
      observations: () => [chronyConfig('/etc/chrony.conf', 'server 198.51.100.7 iburst\nport 11123\n', { addresses: [LOOPBACK] })],
      findings: [{ subject: '/etc/chrony.conf', severity: 'info', title: 'has no `allow` directive', evidence: ['does not open UDP 11123'] }],
      check: ([f]) => {
        expect(f!.fixes[0]!.title).toContain('chronyd then opens UDP 11123');
        // No network of this node's is known here: a step in words, never a guessed `allow` line to paste.
        expect(f!.fixes[0]!.commands).toEqual([]);
        expect(f!.fixes[0]!.manual).toEqual(['Add a line `allow` followed by the client network (for example `allow 192.168.1.0/24`) to /etc/chrony.conf', 'Run: systemctl restart chronyd']);
        expect(f!.fixes[0]!.verify).toBe('ss -lun sport = :11123');
      },
    },
    {
      name: "no allow on node0 whose network is known: the allow line for that network, pasteable",
      observations: () => [chronyConfig('/etc/chrony.conf', 'server 198.51.100.7 iburst\nlocal stratum 10\n')],
      findings: [{ subject: '/etc/chrony.conf', severity: 'error', title: 'has no `allow` directive', evidence: ['does not open UDP 123'] }],
      check: ([f]) => {
        expect(f!.fixes[0]!.commands).toEqual(["echo 'allow 192.168.1.0/24' >> /etc/chrony.conf", 'systemctl restart chronyd']);
        expect(f!.fixes[0]!.verify).toBe('chronyc accheck 192.168.1.1');
      },
    },
  ],
});
