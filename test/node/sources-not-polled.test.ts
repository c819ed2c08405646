/** sources-not-polled: sources chronyd never polls (names never resolved, left offline) (rule tester cases, recorded chronyc). */
import rule from '../../rules/sources-not-polled.js';
import { ruleTester } from '../rules/_tester.js';
import { chronySeesUnreachable } from './_build.js';
import { recordedChrony } from './_daemon.js';

ruleTester.run('sources-not-polled', rule, {
  valid: [
    { name: 'every source polled (recorded)', observations: () => [recordedChrony('distance')] },
    { name: 'a polled source that does not answer', observations: () => [chronySeesUnreachable()] },
  ],
  invalid: [
    {
      name: 'names that never resolve and an offline source (recorded)',
      observations: () => [recordedChrony('names')],
      findings: [
        {
          subject: 'chronyd',
          severity: 'error',
          title: 'chronyd polls nothing: 9 sources whose name never resolved, 1 source left offline',
          evidence: ['0 sources online, 1 offline, 9 with unknown address', 'ntp1.lab.example has no address yet (name not resolved)'],
        },
      ],
    },
  ],
});
