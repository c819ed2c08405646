/** inspection-incomplete: what the node inspection could not see, and why (rule tester cases). */
import { expect } from 'vitest';
import rule from '../../rules/inspection-incomplete.js';
import { ruleTester } from '../rules/_tester.js';

ruleTester.run('inspection-incomplete', rule, {
  valid: [{ name: 'no gap', observations: () => [] }],
  invalid: [
    {
      name: 'the nftables ruleset needs root',
      observations: () => [
        { kind: 'inspection-gap', source: 'node', area: 'firewall', what: 'nftables ruleset', why: '`nft -j list ruleset` needs privileges (Operation not permitted): run ntpdoctor as root to see it' },
      ],
      findings: [{ subject: 'this node', severity: 'info', title: 'Not everything could be inspected: firewall', evidence: ['firewall: nftables ruleset: `nft -j list ruleset` needs privileges'] }],
    },
    {
      name: 'a daemon that gives no mode 6 answer',
      observations: () => [{ kind: 'inspection-gap', source: 'node', area: 'daemon', what: 'ntpd (pid 5)', why: 'no mode 6 answer' }],
      findings: [{ subject: 'this node', severity: 'info', evidence: ['daemon: ntpd (pid 5): no mode 6 answer'] }],
      check: ([f]) => expect(f!.evidence[0]!.text).toBe('daemon: ntpd (pid 5): no mode 6 answer'),
    },
  ],
});
