/** restrict-notrust: `notrust` on the clients' restrict line (rule tester cases). */
import rule from '../../rules/restrict-notrust.js';
import { ruleTester } from '../rules/_tester.js';
import { ntpdConfig } from './_build.js';

ruleTester.run('restrict-notrust', rule, {
  valid: [{ name: 'no notrust (seed 002)', observations: () => [ntpdConfig('seed002-server.ntp.conf')] }],
  invalid: [
    {
      name: 'the notrust the second write-up warns about',
      observations: () => [ntpdConfig('seed002-notrust.ntp.conf')],
      findings: [
        {
          subject: '/etc/seed002-notrust.ntp.conf',
          severity: 'error',
          evidence: ['/etc/seed002-notrust.ntp.conf:7: `restrict 192.168.1.0 mask 255.255.255.0 nomodify notrap notrust`: notrust', 'unless their requests are authenticated'],
        },
      ],
    },
  ],
});
