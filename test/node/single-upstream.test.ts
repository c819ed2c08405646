/** single-upstream: one upstream and nothing to check it against (rule tester cases). */
import rule from '../../rules/single-upstream.js';
import { ruleTester } from '../rules/_tester.js';
import { chronyConfig, iface, localAddresses, ntpdConfig } from './_build.js';

ruleTester.run('single-upstream', rule, {
  valid: [
    { name: 'a pool (Debian default)', observations: () => [chronyConfig('debian12-chrony.conf')] },
    { name: 'several servers', observations: () => [chronyConfig('chrony-server-ok.conf')] },
  ],
  invalid: [
    {
      name: 'chrony.conf naming one server',
      observations: () => [chronyConfig('chrony.conf', 'server 10.0.0.1 iburst\n')],
      findings: [{ subject: '/etc/chrony.conf', severity: 'info', title: 'chronyd has a single upstream: 10.0.0.1', evidence: ['/etc/chrony.conf:1: `server 10.0.0.1 iburst`: the only upstream'] }],
    },
    {
      name: 'the seed client names node0 alone',
      observations: () => [localAddresses([iface('192.168.1.130')]), ntpdConfig('seed000-client.ntp.conf')],
      findings: [{ subject: '/etc/seed000-client.ntp.conf', severity: 'info', title: 'ntpd has a single upstream: 192.168.1.100', evidence: ['192.168.1.100'] }],
    },
  ],
});
