/**
 * source-rejected, sources-not-polled and source-unreachable on recorded chrony 4.3 output (test/node/_daemon.ts)
 * and on ntpd peer variables: each answering-but-rejected source is claimed by source-rejected alone, naming the
 * failing test and its threshold; an unanswered source stays source-unreachable's; unresolved names and offline
 * sources are sources-not-polled's.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseNtpqVariables, sourceFromVariables } from '../../src/inspect/daemon/ntpq.js';
import { makeContext, runRules } from '../../src/diagnose/engine.js';
import type { Hit, Rule } from '../../src/diagnose/types.js';
import type { Observation } from '../../src/model/observation.js';
import { rules } from '../../rules/index.js';
import sourceRejected from '../../rules/source-rejected.js';
import sourcesNotPolled from '../../rules/sources-not-polled.js';
import sourceUnreachable from '../../rules/source-unreachable.js';
import { ntpdStateFrom } from '../../src/inspect/daemon/gather.js';
import type { DaemonStateObservation } from '../../src/model/daemon.js';
import { chronyConfig, chronySeesUnreachable } from './_build.js';
import { recordedChrony } from './_daemon.js';

const hits = (rule: Rule, obs: Observation[]): Hit[] => rule.match(makeContext(obs));
const SRV = '198.51.100.100';

describe('source-rejected (chrony)', () => {
  it('root dispersion 5 s: ^? reach 377, selectdata d → maxdistance 3 s, not source-unreachable', () => {
    const st = recordedChrony('distance');
    const conf = chronyConfig('chrony.conf', `server ${SRV} iburst\n`);
    const [h, more] = hits(sourceRejected, [st, conf]);
    expect(more).toBeUndefined();
    expect(h!.subject).toBe(SRV);
    expect(h!.title).toBe(`chronyd hears ${SRV} but rejects it: root distance 5.000 s > maxdistance 3 s [selectdata d]`);
    const text = h!.evidence.map((e) => e.text).join('\n');
    expect(text).toContain('^?, ntpdata: 34 replies received, 34 valid, 31 good (of 34 requests)');
    expect(text).toContain('root dispersion 5.000000 s');
    expect(h!.fixes[0]!.commands[0]).toBe(`ntpdoctor probe ${SRV}`);
    expect(h!.fixes[1]!.commands).toEqual(["echo 'maxdistance 7' >> /etc/chrony.conf", 'systemctl restart chronyd']);
    expect(hits(sourceUnreachable, [st])).toEqual([]);
  });

  it("one reply failing testC on a busy path (seen in the lab) does not hide selectdata's d while good replies come", () => {
    const st = recordedChrony('distance');
    st.sources[0]!.packets!.tests = '1111111101';
    expect(hits(sourceRejected, [st])[0]!.title).toContain('> maxdistance 3 s [selectdata d]');
  });

  it('not root (no ntpdata/selectdata): reach 377 and `+/- 5000ms` still name maxdistance', () => {
    const [h] = hits(sourceRejected, [recordedChrony('distance', { privileged: false })]);
    expect(h!.title).toContain('root distance 5.001 s > maxdistance 3 s [maxdistance]');
  });

  it('an unsynchronised server: reach 0, but ntpdata counts 14 replies failing test6', () => {
    const st = recordedChrony('unsync');
    expect(st.sources[0]!.reach).toBe(0);
    const [h] = hits(sourceRejected, [st]);
    expect(h!.title).toContain('the server is unsynchronised (leap 3 or stratum 0/16 and up) (leap 3, stratum 16) [chrony test6]');
    expect(hits(sourceUnreachable, [st])).toEqual([]);
  });

  it('a key the server does not sign with: every reply invalid, Auth Y → test5', () => {
    const [h] = hits(sourceRejected, [recordedChrony('auth')]);
    expect(h!.title).toContain('none of 14 replies passed authentication');
    expect(h!.title).toContain('[chrony test5]');
    expect(h!.fixes[0]!.commands).toEqual(['chronyc -N authdata', 'chronyc ntpdata']);
  });

  it('no reply at all (the seed: reach 0, no ntpdata): source-unreachable, not source-rejected', () => {
    const st = chronySeesUnreachable();
    expect(hits(sourceRejected, [st])).toEqual([]);
    expect(hits(sourceUnreachable, [st])).toHaveLength(1);
    // ntpdata that counts no reply changes nothing.
    st.sources[0]!.packets = { totalTx: 20, totalRx: 0, validRx: 0, goodRx: 0 };
    expect(hits(sourceRejected, [st])).toEqual([]);
  });

  it('the whole rule set ranks source-rejected first for the distance case and never shows source-unreachable', () => {
    const findings = runRules(rules, [recordedChrony('distance')]);
    expect(findings[0]!.rule).toBe('source-rejected');
    expect(findings.some((f) => f.rule === 'source-unreachable')).toBe(false);
  });
});

describe('source-rejected (ntpd flash bits)', () => {
  const ntpd = (flash: string, tally = ' '): DaemonStateObservation => ({
    kind: 'daemon-state',
    source: 'daemon',
    daemon: 'ntpd',
    via: 'mode 6',
    uptime: 900,
    ...ntpdStateFrom({
      system: { leap: '3', stratum: '16', refid: 'INIT' },
      peers: [{ associationId: 1, status: 0x9014, tally, vars: { srcadr: SRV, stratum: '2', reach: '0xff', hpoll: '6', leap: '00', rootdelay: '0.000', rootdisp: '5000.000', flash, hmode: '3' } }],
    }),
  });

  it('TEST11 peer_dist: root distance past tos maxdist 1.5 s', () => {
    const [h] = hits(sourceRejected, [ntpd('0x400')]);
    expect(h!.title).toBe(`ntpd hears ${SRV} but rejects it: root distance beyond tos maxdist (root distance ≥ 5.000 s, limit 1.5 s) [ntpd TEST11 (peer_dist)]`);
    expect(h!.fixes[0]!.commands[0]).toBe(`ntpdoctor probe ${SRV}`);
    expect(hits(sourceUnreachable, [ntpd('0x400')])).toEqual([]);
  });

  it('recorded NTPsec 1.2.2 (`ntpq -c "rv ASSOC"`): flash=400 peer_dist, rootdisp=5000.0 ms, reach 007', () => {
    const rv = parseNtpqVariables(readFileSync(fileURLToPath(new URL('../inspect/fixtures/daemon/ntpq-rv-peer-dist.txt', import.meta.url)), 'utf8'));
    const src = sourceFromVariables(rv, false, ' ');
    expect(src).toMatchObject({ address: SRV, reach: 7, packets: { flash: 0x400, leap: 0, stratum: 2, rootDelay: 0, rootDispersion: 5 } });
    const st: DaemonStateObservation = { kind: 'daemon-state', source: 'daemon', daemon: 'ntpd', via: 'ntpq', sources: [src], limits: { maxDistance: 1.5 } };
    expect(hits(sourceRejected, [st])[0]!.title).toContain('[ntpd TEST11 (peer_dist)]');
    expect(hits(sourceUnreachable, [st])).toEqual([]);
  });

  it('ntpq text form (`flash=400 peer_dist`) reads the same; flash 0 on a candidate is fine', () => {
    expect(hits(sourceRejected, [ntpd('400 peer_dist')])[0]!.title).toContain('TEST11');
    expect(hits(sourceRejected, [ntpd('0x0', '+')])).toEqual([]);
  });
});

describe('sources-not-polled', () => {
  it('names that never resolve and an offline source: chronyd polls nothing', () => {
    const st = recordedChrony('names', { uptime: 4 });
    const conf = chronyConfig('chrony.conf', 'server ntp1.lab.example iburst\nserver 198.51.100.100 iburst offline\npool pool.lab.example iburst\n');
    const [h] = hits(sourcesNotPolled, [st, conf]);
    expect(h!.title).toBe('chronyd polls nothing: 9 sources whose name never resolved, 1 source left offline');
    expect(h!.severity).toBeUndefined();
    const text = h!.evidence.map((e) => e.text);
    expect(text).toContain('Activity as chronyc activity reports it: 0 sources online, 1 offline, 9 with unknown address');
    expect(text).toContain('Unresolved source in chronyc sources -a: ntp1.lab.example has no address yet (name not resolved)');
    expect(text).toContain('Unresolved source in chronyc sources -a: pool.lab.example has no address yet (name not resolved)');
    expect(h!.evidence.find((e) => e.line === 1)).toMatchObject({ file: '/etc/chrony.conf' });
    expect(h!.fixes[0]!.commands).toEqual(['chronyc online']);
    expect(h!.fixes[2]!.commands[1]).toContain("After=network-online.target");
    expect(h!.fixes[2]!.commands[1]).toContain('/etc/systemd/system/chronyd.service.d/10-network-online.conf');
    // None of it is source-unreachable's: nothing was sent.
    expect(hits(sourceUnreachable, [st])).toEqual([]);
  });

  it('one name unresolved while others are polled: a warning', () => {
    const st = recordedChrony('distance');
    st.sources.push({ address: 'ID#0000000002', name: 'ntp2.lab.example', unresolved: true, kind: 'server', state: '?', selected: false, reach: 0 });
    st.activity = { online: 1, offline: 0, burstOnline: 0, burstOffline: 0, unknownAddress: 1 };
    const [h] = hits(sourcesNotPolled, [st]);
    expect(h!.severity).toBe('warning');
    expect(h!.title).toBe('chronyd does not poll every source: 1 source whose name never resolved');
  });

  it('a hostile unit name never reaches a command', () => {
    const conf = chronyConfig('chrony.conf', 'server ntp1.lab.example iburst\n', { service: 'x;rm -rf /' });
    const [h] = hits(sourcesNotPolled, [recordedChrony('names'), conf]);
    expect(h!.fixes.flatMap((f) => f.commands).join('\n')).not.toContain('rm -rf');
  });
});
