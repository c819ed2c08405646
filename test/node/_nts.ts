/** NTS observations for the rule tests: chronyc authdata as recorded (fixtures/nts/) and ntpdoctor's KE probe results. */
import type { DaemonStateObservation, NtsKeObservation } from '../../src/model/daemon.js';
import { chronySeesUnreachable } from './_build.js';

export const NTS_ADDR = '198.51.100.100';

/** chronyc sources + authdata: healthy = 198.51.100.100,NTS,1,15,256,3,0,0,8,100; failed = ...,NTS,0,0,0,never,1,0,0,0. */
export function chronySeesNts(healthy: boolean): DaemonStateObservation {
  const auth = healthy
    ? { mode: 'NTS', keyId: 1, type: 15, keyLength: 256, lastKe: 3, attempts: 0, naks: 0, cookies: 8, cookieLength: 100, name: 'nts.example.test' }
    : { mode: 'NTS', keyId: 0, type: 0, keyLength: 0, attempts: 1, naks: 0, cookies: 0, cookieLength: 0, name: 'nts.example.test' };
  const st = chronySeesUnreachable(healthy ? { state: '*', selected: true, reach: 0o17, stratum: 3 } : {});
  st.sources = st.sources.map((s) => ({ ...s, address: NTS_ADDR, auth }));
  return st;
}

export function ntsProbe(outcome: NtsKeObservation['outcome'], over: Partial<NtsKeObservation> = {}): NtsKeObservation {
  const stage: NtsKeObservation['stage'] =
    outcome === 'ok' ? 'ok' : ['refused', 'timeout', 'unreachable'].includes(outcome) ? 'connect' : ['untrusted', 'expired', 'not-yet-valid', 'name-mismatch'].includes(outcome) ? 'certificate' : outcome === 'ke-error' ? 'ke' : 'tls';
  return {
    kind: 'nts-ke',
    source: 'probe',
    address: NTS_ADDR,
    port: 4460,
    serverName: 'nts.example.test',
    from: '/etc/chrony.conf:1',
    stage,
    outcome,
    detail: outcome === 'refused' ? `TCP connect to ${NTS_ADDR}:4460: ECONNREFUSED` : outcome,
    ms: 3,
    trust: { files: ['/etc/chrony/nts-ca.crt'], system: true, unreadable: [] },
    ...over,
  };
}
