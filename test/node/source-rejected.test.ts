/** source-rejected: the daemon hears a source but its selection rejects it (rule tester cases, recorded chronyc). */
import rule from '../../rules/source-rejected.js';
import { ruleTester } from '../rules/_tester.js';
import { chronySeesUnreachable } from './_build.js';
import { recordedChrony } from './_daemon.js';

ruleTester.run('source-rejected', rule, {
  valid: [
    { name: 'no reply at all (reach 0, no ntpdata): source-unreachable instead', observations: () => [chronySeesUnreachable()] },
    { name: 'a healthy selected source', observations: () => [chronySeesUnreachable({ state: '*', selected: true, reach: 255, lastRx: 3 })] },
    {
      name: 'a still-starting source (selectdata M)',
      observations: () => [chronySeesUnreachable({ reach: 3, selection: { state: 'M', authenticated: false }, packets: { totalRx: 2, validRx: 2, goodRx: 2, tests: '1111111111' } })],
    },
  ],
  invalid: [
    {
      name: 'chronyd rejects a root distance of 5 s (recorded: selectdata d)',
      observations: () => [recordedChrony('distance')],
      findings: [
        {
          subject: '198.51.100.100',
          severity: 'error',
          title: 'root distance 5.000 s > maxdistance 3 s [selectdata d]',
          evidence: ['selectdata d: root distance 5.000 s > maxdistance 3 s', 'root dispersion 5.000000 s'],
        },
      ],
    },
  ],
});
