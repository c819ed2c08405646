/** local-clock-mismatch: a `fudge 127.127.1.U` that names another unit than the local clock's `server` line (rule tester cases). */
import rule from '../../rules/local-clock-mismatch.js';
import { ruleTester } from '../rules/_tester.js';
import { ntpdConfig } from './_build.js';

ruleTester.run('local-clock-mismatch', rule, {
  valid: [
    { name: 'server and fudge name the same unit (seed 002)', observations: () => [ntpdConfig('seed002-server.ntp.conf')] },
    { name: 'NTPsec `refclock local`', observations: () => [ntpdConfig('ntpsec-refclock-local.ntp.conf', undefined, { variant: 'ntpsec' })] },
  ],
  invalid: [
    {
      name: "the seed's final node0 config: fudge 127.127.1.0 beside server 127.127.1.1",
      observations: () => [ntpdConfig('seed000-node0-final.ntp.conf')],
      findings: [
        {
          subject: '/etc/seed000-node0-final.ntp.conf',
          severity: 'warning',
          title: 'the local clock stays at stratum 5, clients see 6',
          evidence: ['/etc/seed000-node0-final.ntp.conf:31: `server 127.127.1.1 iburst`', '/etc/seed000-node0-final.ntp.conf:32: `fudge 127.127.1.0 stratum 10`: names unit 0'],
        },
      ],
    },
  ],
});
