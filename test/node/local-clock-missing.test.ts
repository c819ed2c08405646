/** local-clock-missing: a node that serves others with no usable upstream and no local clock (rule tester cases). */
import rule from '../../rules/local-clock-missing.js';
import { path } from '../rules/_build.js';
import { ruleTester } from '../rules/_tester.js';
import { chronyConfig, iface, LOOPBACK, localAddresses, ntpdConfig } from './_build.js';

const node0 = () => localAddresses([iface(), LOOPBACK]);

ruleTester.run('local-clock-missing', rule, {
  valid: [
    { name: 'a local clock (seed 002)', observations: () => [node0(), ntpdConfig('seed002-server.ntp.conf')] },
    { name: 'tos orphan', observations: () => [node0(), ntpdConfig('ntp-orphan-ok.ntp.conf')] },
    { name: 'chrony `local`', observations: () => [node0(), chronyConfig('chrony-server-ok.conf')] },
    {
      name: 'a reachable upstream',
      observations: () => [
        node0(),
        ntpdConfig('ntp.conf', 'restrict 192.168.1.0 mask 255.255.255.0 nomodify notrap\nserver 10.0.0.1 iburst\n'),
        path({ server: { ip: '10.0.0.1', port: 123 }, source: 'probe' }),
      ],
    },
  ],
  invalid: [
    {
      name: "the seed's first node0 config: serves the LAN, only itself upstream",
      observations: () => [node0(), ntpdConfig('seed000-node0-first.ntp.conf')],
      findings: [
        {
          subject: '/etc/seed000-node0-first.ntp.conf',
          severity: 'warning',
          evidence: ['`server 192.168.1.100 iburst`: 192.168.1.100 is this host itself', 'ntpd serves stratum 16 / leap 3'],
        },
      ],
    },
  ],
});
