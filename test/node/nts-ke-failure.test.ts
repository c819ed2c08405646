/** nts-ke-failure: NTS key establishment that fails or never completes (rule tester cases). */
import { expect } from 'vitest';
import rule from '../../rules/nts-ke-failure.js';
import { ruleTester } from '../rules/_tester.js';
import { chronyConfig } from './_build.js';
import { chronySeesNts, NTS_ADDR, ntsProbe } from './_nts.js';
import type { Observation } from '../../src/model/observation.js';
import { observeCapture } from '../../src/run/capture-file.js';

/** The observations real chronyd 4.3 captures make (fixtures/wire: the same client and server addresses as NTS_ADDR). */
const wire = async (name: string): Promise<Observation[]> => (await observeCapture(`fixtures/wire/${name}.pcap`)).observations;
const [rejected, untrusted, healthy] = await Promise.all([wire('nts-ke-rejected'), wire('nts-untrusted'), wire('nts-healthy')]);
/** The healthy capture's KE with the NTP after it cut away: completed, closed, and nothing follows. */
const closedOnly = (): Observation[] =>
  healthy.filter((o) => o.kind !== 'ntp-path').map((o) => (o.kind === 'nts-ke-session' ? { ...o, outcome: 'closed-without-ntp' as const, ntpRequests: 0 } : o));

const names = { 'nts.example.test': [NTS_ADDR] };
const conf = () => chronyConfig('chrony.conf', 'server nts.example.test iburst nts\n', { names });

ruleTester.run('nts-ke-failure', rule, {
  valid: [
    { name: 'KE completes and chronyd holds cookies', observations: () => [conf(), ntsProbe('ok', { detail: 'NTS-KE complete: 8 cookie(s) of 100 bytes' }), chronySeesNts(true)] },
    { name: 'no NTS configured', observations: () => [chronyConfig('chrony.conf', 'server 198.51.100.100 iburst\n'), ntsProbe('refused')] },
    { name: 'capture: KE completes, then NTS requests to the same server (nts-healthy.pcap)', observations: () => healthy },
    { name: 'capture and config: KE then NTP on the wire', observations: () => [conf(), ...healthy] },
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
      name: 'capture: SYN → RST twice (nts-ke-rejected.pcap), no config',
      observations: () => rejected,
      findings: [{ subject: NTS_ADDR, severity: 'error', title: 'TCP port refused or rejected', evidence: ['2 connections (client ports 48754, 53094) answered by RST from 198.51.100.100 straight after the SYN'] }],
      check: ([f]) => expect(f!.evidence[0]!.frames).toEqual([1, 2, 3, 4]),
    },
    {
      name: 'capture and config: the wire shows the refusal beside the server line',
      observations: () => [conf(), ...rejected, chronySeesNts(false)],
      findings: [{ subject: NTS_ADDR, severity: 'error', title: 'nts.example.test (198.51.100.100) fails: TCP port refused', evidence: ['/etc/chrony.conf:1', 'answered by RST from 198.51.100.100', 'KeyID 0, 0 cookie(s)'] }],
    },
    {
      name: 'capture: the client resets after the server flight (nts-untrusted.pcap): certificate not trusted',
      observations: () => untrusted,
      findings: [{ subject: NTS_ADDR, severity: 'error', title: 'its certificate is not trusted here', evidence: ['then the CLIENT reset the connection (client port 51986)', 'Error in the certificate verification'] }],
      check: ([f]) => expect(f!.fixes.flatMap((x) => x.commands)).toContain("echo 'ntstrustedcerts /etc/chrony/nts-ca.crt' >> /etc/chrony/chrony.conf"),
    },
    {
      name: 'capture: KE completed and closed, no NTP after it',
      observations: closedOnly,
      findings: [{ subject: NTS_ADDR, severity: 'warning', title: 'no NTP request follows', evidence: ['key establishment ran to the end and both sides closed it', 'no NTP request to 198.51.100.100 follows in the capture'] }],
      check: ([f]) => expect(f!.confidence).toBeLessThan(0.7),
    },
    {
      name: 'capture at a busy server: 8 clients refused, 5 told in full, the rest counted',
      observations: () => {
        const session = rejected.find((o) => o.kind === 'nts-ke-session')!;
        return [...rejected.filter((o) => o.kind !== 'nts-ke-session'), ...Array.from({ length: 8 }, (_, i) => ({ ...session, client: `198.51.100.${140 + i}` }))];
      },
      findings: [{ subject: NTS_ADDR, severity: 'error', title: 'TCP port refused', evidence: ['198.51.100.140 → 198.51.100.100', '3 more clients of 198.51.100.100:4460 in the capture, 8 of 8 failing in all'] }],
      check: ([f]) => expect(f!.evidence).toHaveLength(6),
    },
    {
      name: '--no-probe: authdata alone',
      observations: () => [conf(), chronySeesNts(false)],
      findings: [{ subject: NTS_ADDR, severity: 'error', title: 'does not complete (no cookies)', evidence: ['KeyID 0, 0 cookie(s)'] }],
    },
  ],
});
