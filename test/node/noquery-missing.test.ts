/** noquery-missing: classic ntpd answering ntpq/ntpdc (monlist) queries from anywhere (rule tester cases). */
import rule from '../../rules/noquery-missing.js';
import { ruleTester } from '../rules/_tester.js';
import { ntpdConfig } from './_build.js';

ruleTester.run('noquery-missing', rule, {
  valid: [
    { name: "the seed's final config", observations: () => [ntpdConfig('seed000-node0-final.ntp.conf')] },
    { name: "NTPsec's Debian default", observations: () => [ntpdConfig('debian12-ntpsec.ntp.conf', undefined, { variant: 'ntpsec' })] },
  ],
  invalid: [
    {
      name: "the seed's first node0 config: no restrict default, monitor on",
      observations: () => [ntpdConfig('seed000-node0-first.ntp.conf')],
      findings: [
        {
          subject: '/etc/seed000-node0-first.ntp.conf',
          severity: 'warning',
          evidence: ['No `restrict default` line: IPv4 queries are unrestricted', 'No `disable monitor`: classic ntpd answers mode 7 monlist'],
        },
      ],
    },
  ],
});
