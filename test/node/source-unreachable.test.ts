/** source-unreachable: the daemon gets no valid reply from a source (rule tester cases). */
import { expect } from 'vitest';
import rule from '../../rules/source-unreachable.js';
import { ruleTester } from '../rules/_tester.js';
import { chronyConfig, chronySeesUnreachable, iface, LOOPBACK, localAddresses, NODE0 } from './_build.js';

ruleTester.run('source-unreachable', rule, {
  valid: [
    { name: 'a reachable, selected source', observations: () => [chronySeesUnreachable({ reach: 255, state: '*', selected: true })] },
    { name: 'the source is this host itself (self-sync covers it)', observations: () => [localAddresses([iface(), LOOPBACK]), chronySeesUnreachable()] },
  ],
  invalid: [
    {
      name: "the seed client's `^? node0`, reach 0, after 600 s",
      observations: () => [chronySeesUnreachable()],
      findings: [
        {
          subject: NODE0,
          severity: 'error',
          title: `chronyd gets no valid reply from ${NODE0} (^?)`,
          evidence: [`chronyc: ${NODE0} ^?, reach 0, stratum 0, NP 0, std dev 4000 ms, no sample ever`, 'No valid reply in the last 8 polls'],
        },
      ],
    },
    {
      name: 'chrony `server X port 11123`: the probe step asks that port, not 123',
      observations: () => [chronySeesUnreachable(), chronyConfig('/etc/chrony.conf', `server ${NODE0} iburst port 11123\n`)],
      findings: [{ subject: NODE0, severity: 'error', title: 'no valid reply', evidence: ['No valid reply in the last 8 polls'] }],
      check: ([f]) => expect(f!.fixes[0]!.commands).toEqual([`ntpdoctor probe ${NODE0}:11123`]),
    },
    {
      name: 'just after a restart: only wait (info)',
      observations: () => [chronySeesUnreachable({ reach: 3, poll: 6 }, 100)],
      findings: [{ subject: NODE0, severity: 'info', title: 'more seconds', evidence: [`chronyc: ${NODE0} ^?`] }],
    },
  ],
});
