/**
 * Clock-step advice (`ntpd -gq`, `chronyc makestep`) only from a sample a client would accept: the issue's
 * `serve --fault unsync --fault offset:5000` made probe advise a step from a server no client would use.
 */
import { describe, expect, it } from 'vitest';
import { makeContext } from '../../src/diagnose/engine.js';
import type { Rule } from '../../src/diagnose/types.js';
import type { Observation } from '../../src/model/observation.js';
import largeOffset from '../../rules/large-offset.js';
import makestepMissing from '../../rules/makestep-missing.js';
import { path, seen, stats } from '../rules/_build.js';
import { chronyConfig, daemon, daemons } from '../node/_build.js';

const hits = (rule: Rule, obs: Observation[]) => rule.match(makeContext(obs));
const FAR = stats([5000.01, 5000.02], 5000.01);
const frames = [2, 4];

describe('large-offset: only offsets from synchronised servers (RFC 5905 §8 tests 6 and 7)', () => {
  it('a synchronised server 5000 s away: step advice', () => {
    expect(hits(largeOffset, [path({ offset: FAR })])[0]?.severity).toBe('error');
  });
  it('stratum 16, leap 3 or a root distance ≥ 16 s on the path: no advice at all', () => {
    expect(hits(largeOffset, [path({ offset: FAR, strata: [seen(16, frames)] })])).toEqual([]);
    expect(hits(largeOffset, [path({ offset: FAR, leaps: [seen(3, frames)] })])).toEqual([]);
    expect(hits(largeOffset, [path({ offset: FAR, leaps: [seen(0, [2]), seen(3, [4])] })])).toEqual([]);
    expect(hits(largeOffset, [path({ offset: FAR, rootDistance: stats([0.1, 20]) })])).toEqual([]);
  });
  it('a kiss-o\'-death (stratum 0, leap 3) beside good replies does not hide a real offset', () => {
    const p = path({ offset: FAR, strata: [seen(3, [2, 4]), seen(0, [6])], leaps: [seen(0, [2, 4]), seen(3, [6])], kissCodes: [seen('RATE', [6])] });
    expect(hits(largeOffset, [p])).toHaveLength(1);
  });
});

describe('makestep-missing: the offset must come from an accepted probe sample', () => {
  const server = { ip: '10.0.0.1', port: 123 };
  it('an unsynchronised server 5000 s away gives no "clock is off" finding, only the plain missing-makestep note', () => {
    const unsync = path({ server, source: 'probe', offset: FAR, leaps: [seen(3, frames)] });
    const [h, ...rest] = hits(makestepMissing, [chronyConfig('chrony.conf', 'server 10.0.0.1 iburst\n'), unsync]);
    expect(rest).toEqual([]);
    expect(h!.severity).toBe('info');
    expect(h!.title).not.toContain('off and');
    const ntpd = hits(makestepMissing, [path({ server, source: 'probe', offset: FAR, strata: [seen(16, frames)] }), daemons([daemon('ntpd', 7, ['/usr/sbin/ntpd'])])]);
    expect(ntpd).toEqual([]);
  });
  it('the same offset from a synchronised server still warns', () => {
    const ok = path({ server, source: 'probe', offset: FAR });
    expect(hits(makestepMissing, [chronyConfig('chrony.conf', 'server 10.0.0.1 iburst\n'), ok])[0]!.title).toContain('chronyd will slew');
  });
});
