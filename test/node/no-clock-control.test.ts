/** no-clock-control: a time daemon without CAP_SYS_TIME, or told never to set the clock (rule tester cases). */
import rule from '../../rules/no-clock-control.js';
import { ruleTester } from '../rules/_tester.js';
import { daemon, daemons } from './_build.js';
import { ccDaemon, clockControl, kernelClock, ROOT_CAPS } from './_clock.js';

/** The daemon as seen when its /proc/PID/status could not be read: no capability sets at all. */
function withoutCaps(d: ReturnType<typeof ccDaemon>): ReturnType<typeof ccDaemon> {
  const { caps: _caps, ...rest } = d;
  return rest;
}
const CHRONYD_X = () => ccDaemon({ name: 'chronyd', pid: 77, argv: ['/usr/sbin/chronyd', '-x', '-F', '2'], caps: { eff: '0', effSysTime: false }, noClockOption: true });

ruleTester.run('no-clock-control', rule, {
  valid: [
    { name: 'the daemon holds CAP_SYS_TIME in the initial user namespace', observations: () => [clockControl([ccDaemon({ caps: ROOT_CAPS, initialUserNs: true })])] },
    { name: 'a daemon whose /proc status could not be read', observations: () => [clockControl([withoutCaps(ccDaemon())])] },
    { name: 'an old adjtimex failure in the journal while a daemon runs now', observations: () => [daemons([daemon('chronyd', 5, ['chronyd'])]), clockControl([], { logLines: ['chronyd[88]: Fatal error : adjtimex(0x8001) failed : Operation not permitted'] })] },
  ],
  invalid: [
    {
      name: 'ntpd without CAP_SYS_TIME in a docker container',
      observations: () => [clockControl([ccDaemon()], { container: { kind: 'docker', signs: ['/.dockerenv exists'] } })],
      findings: [
        {
          subject: 'ntpd[4242]',
          severity: 'warning',
          title: 'no CAP_SYS_TIME in this docker container',
          evidence: ['/proc/4242/status CapEff 000001fffcffffff: bit 25 (CAP_SYS_TIME) is clear', 'This node is a docker container (/.dockerenv exists)'],
        },
      ],
    },
    {
      name: 'chronyd -x while the kernel says nothing else keeps the clock',
      observations: () => [clockControl([CHRONYD_X()]), kernelClock(false)],
      findings: [{ subject: 'chronyd[77]', severity: 'warning', title: 'and nothing else does', evidence: ['STA_UNSYNC set'] }],
    },
    {
      name: 'chronyd -x with a synchronized kernel: info by design',
      observations: () => [clockControl([CHRONYD_X()]), kernelClock(true)],
      findings: [{ subject: 'chronyd[77]', severity: 'info', title: 'chronyd runs with -x: it serves time but never adjusts this clock', evidence: ['-x'] }],
    },
  ],
});
