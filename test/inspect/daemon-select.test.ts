/** chronyc ntpdata / selectdata / activity / -N sources -a on recorded chrony 4.3 output (fixtures/daemon/README.md). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { mergeChronycNames, mergeChronycSelection, parseChronycActivity, parseChronycNtpdata, parseChronycSelectdata } from '../../src/inspect/daemon/chrony-select.js';
import { mergeChronycSourcestats, parseChronycSources } from '../../src/inspect/daemon/chronyc.js';
import { chronycSocketArgs, chronyLimits } from '../../src/inspect/daemon/gather.js';
import { parseConfigText } from '../../src/inspect/config/load.js';
import type { ChronyConfig } from '../../src/model/config.js';

const dir = fileURLToPath(new URL('./fixtures/daemon/', import.meta.url));
const read = (name: string) => readFileSync(dir + name, 'utf8');

describe('chronyc ntpdata', () => {
  it('root dispersion 5 s: every test passes (test7 allows up to 16 s), 34 valid, 31 good', () => {
    expect(parseChronycNtpdata(read('chronyc-distance-ntpdata.csv')).get('198.51.100.100')).toEqual({
      totalTx: 34, totalRx: 34, validRx: 34, goodRx: 31, leap: 0, stratum: 2, rootDelay: 0, rootDispersion: 5, tests: '1111111111', authenticated: false,
    });
  });

  it('an unsynchronised server: test6 fails, 14 valid replies and none good', () => {
    expect(parseChronycNtpdata(read('chronyc-unsync-ntpdata.csv')).get('198.51.100.100')).toMatchObject({ totalRx: 14, validRx: 14, goodRx: 0, leap: 3, stratum: 16, tests: '1111010000' });
  });

  it('no valid reply at all (mode Invalid): only the totals are kept', () => {
    expect(parseChronycNtpdata(read('chronyc-auth-ntpdata.csv')).get('198.51.100.100')).toEqual({ totalTx: 14, totalRx: 14, validRx: 0, goodRx: 0 });
  });

  it('ignores what is not a record', () => {
    expect(parseChronycNtpdata('501 Not authorised\n\n').size).toBe(0);
    expect(parseChronycNtpdata('a,b,c').size).toBe(0);
  });
});

describe('chronyc selectdata, activity, -N sources -a', () => {
  it("selectdata: d (distance) with the ±5 s interval; M with Auth Y for the keyed source", () => {
    expect(parseChronycSelectdata(read('chronyc-distance-selectdata.csv')).get('198.51.100.100')).toEqual({ state: 'd', authenticated: false, interval: [-5.00018692, 5.000092506], leap: 'Normal' });
    expect(parseChronycSelectdata(read('chronyc-auth-selectdata.csv')).get('198.51.100.100')).toMatchObject({ state: 'M', authenticated: true });
  });

  it('activity: 0 online, 1 offline, 9 with unknown address', () => {
    expect(parseChronycActivity(read('chronyc-names-activity.csv'))).toEqual({ online: 0, offline: 1, burstOnline: 0, burstOffline: 0, unknownAddress: 9 });
    expect(parseChronycActivity('506 Cannot talk to daemon')).toBeUndefined();
  });

  it('sources -a: ID# rows are unresolved; -N gives them their configured names', () => {
    const sources = mergeChronycNames(parseChronycSources(read('chronyc-names-sources-a.csv')), read('chronyc-names-sources-N-a.csv'));
    expect(sources).toHaveLength(10);
    expect(sources[0]).toMatchObject({ address: 'ID#0000000001', unresolved: true, name: 'ntp1.lab.example', reach: 0 });
    expect(sources[1]).toMatchObject({ address: '198.51.100.100', reach: 0 });
    expect(sources[1]!.unresolved).toBeUndefined();
    expect(sources[1]!.name).toBeUndefined();
    expect(sources.slice(2).every((s) => s.unresolved && s.name === 'pool.lab.example')).toBe(true);
  });

  it('does not pair names when the two lists differ (a source resolved between the calls)', () => {
    const sources = parseChronycSources(read('chronyc-names-sources-a.csv'));
    mergeChronycNames(sources, read('chronyc-names-sources-N-a.csv').split('\n').slice(1).join('\n'));
    expect(sources.some((s) => s.name)).toBe(false);
  });

  it('merges ntpdata and selectdata into the source; keeps the +/- error of sources', () => {
    const [s] = mergeChronycSelection(
      mergeChronycSourcestats(parseChronycSources(read('chronyc-distance-sources.csv')), read('chronyc-distance-sourcestats.csv')),
      read('chronyc-distance-ntpdata.csv'),
      read('chronyc-distance-selectdata.csv'),
    );
    expect(s).toMatchObject({ state: '?', reach: 255, error: 5.000592232, selection: { state: 'd' }, packets: { rootDispersion: 5, goodRx: 31 } });
    expect(s!.packets!.tests).toBe('1111111111');
  });
});

describe('where chronyc is asked', () => {
  it('ntpdata/selectdata only on Unix sockets; none when bindcmdaddress / switches the socket off', async () => {
    const cfg = (await parseConfigText('/e/chrony.conf', 'bindcmdaddress /run/x/chronyd.sock\nmaxdistance 6\nmaxjitter 0.5\n', 'chrony')) as ChronyConfig;
    expect(chronycSocketArgs(cfg)).toEqual(['-h', '/run/x/chronyd.sock,/run/chrony/chronyd.sock']);
    const off = (await parseConfigText('/e/chrony.conf', 'bindcmdaddress /\n', 'chrony')) as ChronyConfig;
    expect(chronycSocketArgs(off)).toBeUndefined();
    expect(chronyLimits(cfg)).toEqual({ maxDistance: 6, maxJitter: 0.5 });
    expect(chronyLimits()).toEqual({ maxDistance: 3, maxJitter: 1 });
  });
});
