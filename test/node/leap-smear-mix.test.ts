/** leap-smear-mix: leap-smearing and non-smearing sources in one config (rule tester cases). */
import rule from '../../rules/leap-smear-mix.js';
import { ruleTester } from '../rules/_tester.js';
import { chronyConfig } from './_build.js';

ruleTester.run('leap-smear-mix', rule, {
  valid: [
    { name: 'smearing only (Google, Amazon)', observations: () => [chronyConfig('chrony.conf', 'server time1.google.com iburst\nserver time2.google.com iburst\nserver time.aws.com iburst\n')] },
    { name: 'UTC only', observations: () => [chronyConfig('chrony.conf', 'pool 2.debian.pool.ntp.org iburst\nleapsectz right/UTC\n')] },
    { name: 'a name that merely contains google', observations: () => [chronyConfig('chrony.conf', 'server time.google.com.evil.example iburst\nserver 0.pool.ntp.org\n')] },
  ],
  invalid: [
    {
      name: 'time.google.com next to pool.ntp.org',
      observations: () => [chronyConfig('chrony.conf', 'server time.google.com iburst\npool 2.pool.ntp.org iburst\n')],
      findings: [
        {
          subject: '/etc/chrony.conf',
          severity: 'warning',
          title: 'mixes 1 leap-smearing and 1 non-smearing source(s)',
          evidence: ['/etc/chrony.conf:1: `server time.google.com iburst`: Google Public NTP smears leap seconds', '/etc/chrony.conf:2: `pool 2.pool.ntp.org iburst`: not known to smear'],
        },
      ],
    },
    {
      name: 'smearing plus only private servers: info',
      observations: () => [chronyConfig('chrony.conf', 'server 169.254.169.123 iburst\nserver 10.1.2.3 iburst\n')],
      findings: [{ subject: '/etc/chrony.conf', severity: 'info', evidence: ['169.254.169.123'] }],
    },
  ],
});
