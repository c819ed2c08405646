/** restrict-blocks-clients: `restrict default ignore` with nothing more specific for the clients a server serves (rule tester cases). */
import rule from '../../rules/restrict-blocks-clients.js';
import { ruleTester } from '../rules/_tester.js';
import { ntpdConfig } from './_build.js';

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
    },
  ],
});
