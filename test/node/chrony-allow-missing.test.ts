/** chrony-allow-missing: a chronyd meant to serve that allows nobody (rule tester cases). */
import { expect } from 'vitest';
import rule from '../../rules/chrony-allow-missing.js';
import { ruleTester } from '../rules/_tester.js';
import { chronyConfig } from './_build.js';

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
      observations: () => [chronyConfig('/etc/chrony.conf', 'server 198.51.100.7 iburst\nport 11123\n')],
      findings: [{ subject: '/etc/chrony.conf', severity: 'info', title: 'has no `allow` directive', evidence: ['does not open UDP 11123'] }],
      check: ([f]) => expect(f!.fixes[0]!.title).toContain('chronyd then opens UDP 11123'),
    },
  ],
});
