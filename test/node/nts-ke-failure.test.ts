/** nts-ke-failure: NTS key establishment that fails or never completes (rule tester cases). */
import rule from '../../rules/nts-ke-failure.js';
import { ruleTester } from '../rules/_tester.js';
import { chronyConfig } from './_build.js';
import { chronySeesNts, NTS_ADDR, ntsProbe } from './_nts.js';

const names = { 'nts.example.test': [NTS_ADDR] };
const conf = () => chronyConfig('chrony.conf', 'server nts.example.test iburst nts\n', { names });

ruleTester.run('nts-ke-failure', rule, {
  valid: [
    { name: 'KE completes and chronyd holds cookies', observations: () => [conf(), ntsProbe('ok', { detail: 'NTS-KE complete: 8 cookie(s) of 100 bytes' }), chronySeesNts(true)] },
    { name: 'no NTS configured', observations: () => [chronyConfig('chrony.conf', 'server 198.51.100.100 iburst\n'), ntsProbe('refused')] },
  ],
  invalid: [
    {
      name: 'TCP 4460 refused, chronyd has no cookies',
      observations: () => [conf(), ntsProbe('refused'), chronySeesNts(false)],
      findings: [
        {
          subject: NTS_ADDR,
          severity: 'error',
          title: 'TCP port refused or rejected',
          evidence: ['/etc/chrony.conf:1: `server nts.example.test iburst nts`', 'TCP connect to 198.51.100.100:4460: ECONNREFUSED', 'KeyID 0, 0 cookie(s), 1 NTS-KE attempt(s)'],
        },
      ],
    },
    {
      name: '--no-probe: authdata alone',
      observations: () => [conf(), chronySeesNts(false)],
      findings: [{ subject: NTS_ADDR, severity: 'error', title: 'does not complete (no cookies)', evidence: ['KeyID 0, 0 cookie(s)'] }],
    },
  ],
});
