/** kernel-unsynchronized: the kernel's STA_UNSYNC while the daemon says it is synchronized (rule tester cases). */
import rule from '../../rules/kernel-unsynchronized.js';
import { ruleTester } from '../rules/_tester.js';
import { chronyConfig, chronySeesUnreachable, ntpdConfig } from './_build.js';
import { ccDaemon, chronySynced, clockControl, kernelClock } from './_clock.js';

const CONF = 'server 198.51.100.1 iburst\nmakestep 1 3\n';

ruleTester.run('kernel-unsynchronized', rule, {
  valid: [
    { name: 'the kernel is synchronized', observations: () => [kernelClock(true), chronySynced(), chronyConfig('chrony.conf', CONF)] },
    { name: 'no daemon says it is synchronized', observations: () => [kernelClock(false), chronySeesUnreachable(), chronyConfig('chrony.conf', CONF)] },
    { name: 'no kernel reading', observations: () => [chronySynced(), chronyConfig('chrony.conf', CONF)] },
    {
      name: 'chronyd -x never touches the clock (no-clock-control says so)',
      observations: () => [
        kernelClock(false),
        chronySynced(),
        chronyConfig('chrony.conf', CONF),
        clockControl([ccDaemon({ name: 'chronyd', pid: 77, argv: ['/usr/sbin/chronyd', '-x', '-F', '2'], caps: { eff: '0', effSysTime: false }, noClockOption: true })]),
      ],
    },
    {
      name: 'chronyd without CAP_SYS_TIME cannot touch the clock',
      observations: () => [kernelClock(false), chronySynced(), chronyConfig('chrony.conf', CONF), clockControl([ccDaemon({ name: 'chronyd', pid: 9, argv: ['chronyd'] })])],
    },
  ],
  invalid: [
    {
      name: 'chronyd synchronized, no rtcsync in chrony.conf',
      observations: () => [kernelClock(false), chronySynced(), chronyConfig('chrony.conf', CONF)],
      findings: [
        {
          subject: 'this node',
          severity: 'warning',
          title: "node_exporter's NodeClockNotSynchronising fires on a healthy clock",
          evidence: ['STA_UNSYNC set (status 0x6041: PLL,UNSYNC,NANO,MODE)', 'No rtcsync in /etc/chrony.conf'],
        },
      ],
    },
    {
      name: 'ntpd with `disable kernel`',
      observations: () => [kernelClock(false), { ...chronySynced(), daemon: 'ntpd', via: 'mode 6 READVAR' }, ntpdConfig('ntp.conf', 'server 198.51.100.1 iburst\ndisable kernel\n')],
      findings: [{ subject: 'this node', severity: 'warning', evidence: ['/etc/ntp.conf:2: `disable kernel`'] }],
    },
  ],
});
