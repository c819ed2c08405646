/** daemon-not-running: no time daemon runs, or two compete for the clock (rule tester cases). */
import rule from '../../rules/daemon-not-running.js';
import { ruleTester } from '../rules/_tester.js';
import { daemon, daemons } from './_build.js';

ruleTester.run('daemon-not-running', rule, {
  valid: [{ name: 'one daemon runs', observations: () => [daemons([daemon('ntpd', 11, ['ntpd'])])] }],
  invalid: [
    {
      name: 'nothing runs on a CentOS node whose /etc/ntp.conf is there',
      observations: () => [daemons([], { configsOnDisk: ['/etc/ntp.conf'], os: { id: 'centos', like: ['rhel', 'fedora'] } })],
      findings: [
        {
          subject: 'this node',
          severity: 'error',
          title: 'No time daemon runs on this node',
          evidence: ['No chronyd, ntpd, openntpd or systemd-timesyncd process', 'Config files are there: /etc/ntp.conf'],
        },
      ],
    },
    {
      name: 'chronyd and ntpd compete',
      observations: () => [daemons([daemon('chronyd', 10, ['chronyd']), daemon('ntpd', 11, ['ntpd', '-g'])])],
      findings: [{ subject: 'this node', severity: 'error', title: 'Competing time daemons: chronyd and ntpd both run', evidence: ['chronyd'] }],
    },
    {
      name: 'systemd-timesyncd beside chronyd is a warning',
      observations: () => [daemons([daemon('chronyd', 10, ['chronyd']), daemon('systemd-timesyncd', 12, ['systemd-timesyncd'])])],
      findings: [{ subject: 'this node', severity: 'warning', evidence: ['systemd-timesyncd'] }],
    },
  ],
});
