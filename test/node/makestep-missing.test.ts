/** makestep-missing: chronyd without makestep (and ntpd without -g) when the clock may start far off (rule tester cases). */
import rule from '../../rules/makestep-missing.js';
import { path, stats } from '../rules/_build.js';
import { ruleTester } from '../rules/_tester.js';
import { chronyConfig, daemon, daemons } from './_build.js';

const yearOff = () => path({ server: { ip: '10.0.0.1', port: 123 }, source: 'probe', offset: stats([31566952.609973], 31566952.609973) });

ruleTester.run('makestep-missing', rule, {
  valid: [
    { name: 'makestep there (Debian default)', observations: () => [chronyConfig('debian12-chrony.conf')] },
    { name: 'ntpd started with -g a year off', observations: () => [yearOff(), daemons([daemon('ntpd', 7, ['/usr/sbin/ntpd', '-u', 'ntp:ntp', '-g'])])] },
  ],
  invalid: [
    {
      name: 'chrony.conf with no makestep',
      observations: () => [chronyConfig('chrony.conf', 'server 10.0.0.1 iburst\n')],
      findings: [{ subject: '/etc/chrony.conf', severity: 'info', title: 'has no makestep', evidence: ['No makestep in /etc/chrony.conf'] }],
    },
    {
      name: 'a probe shows the clock an hour off: a warning with the slew time',
      observations: () => [chronyConfig('chrony.conf', 'server 10.0.0.1 iburst\n'), path({ server: { ip: '10.0.0.1', port: 123 }, source: 'probe', offset: stats([3600], 3600) })],
      findings: [{ subject: '/etc/chrony.conf', severity: 'warning', title: 'chronyd will slew for about 43200 s (12.0 h)', evidence: ['No makestep in /etc/chrony.conf'] }],
    },
  ],
});
