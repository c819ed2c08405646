/**
 * systemd-timesyncd through the existing node rules, on its real recorded outputs (fixtures/timesyncd/):
 * source-unreachable claims only "Timed out waiting for reply" (a root-distance rejection is source-rejected's),
 * and daemon-not-running names timesyncd's servers and state when it competes with chronyd or ntpd.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeContext } from '../../src/diagnose/engine.js';
import type { Hit, Rule } from '../../src/diagnose/types.js';
import { parseTimesyncdConf } from '../../src/inspect/config/timesyncd-conf.js';
import { timesyncdStateFrom } from '../../src/inspect/daemon/timesyncd.js';
import { parseShowTimesync, parseTimesyncdLog, parseTimesyncStatus } from '../../src/inspect/daemon/timesyncd-parse.js';
import type { NodeFacts } from '../../src/inspect/node.js';
import { nodeObservations } from '../../src/inspect/observations.js';
import type { TimesyncdConfigObservation } from '../../src/model/node.js';
import type { DaemonStateObservation } from '../../src/model/daemon.js';
import type { Observation } from '../../src/model/observation.js';
import daemonNotRunning from '../../rules/daemon-not-running.js';
import sourceRejected from '../../rules/source-rejected.js';
import sourceUnreachable from '../../rules/source-unreachable.js';
import { silentPath } from '../rules/_build.js';
import { daemon, daemons } from './_build.js';

const fx = (name: string) => readFileSync(`fixtures/timesyncd/${name}`, 'utf8');
const hits = (rule: Rule, obs: Observation[]): Hit[] => rule.match(makeContext(obs));
const config = parseTimesyncdConf([{ file: '/etc/systemd/timesyncd.conf', text: fx('lab-timesyncd.conf') }]);

function state(scenario: 'healthy' | 'root-distance' | 'silence'): DaemonStateObservation {
  return timesyncdStateFrom(
    {
      show: parseShowTimesync(fx(`${scenario}.show-timesync.txt`)),
      status: parseTimesyncStatus(fx(`${scenario}.timesync-status.txt`)),
      log: parseTimesyncdLog(fx(`${scenario}.stderr.txt`)),
      config,
      uptime: 600,
    },
    ['timedatectl show-timesync --all', 'journalctl -u systemd-timesyncd'],
  );
}

const configObs = (inUse = true): TimesyncdConfigObservation => ({ kind: 'timesyncd-config', source: 'config', config, inUse, servers: { which: 'system', addresses: ['198.51.100.1'] } });

describe('source-unreachable on systemd-timesyncd', () => {
  it('"Timed out waiting for reply": no reply, with the probe\'s reason when there is one', () => {
    const [h] = hits(sourceUnreachable, [state('silence')]);
    expect(h!.title).toBe('systemd-timesyncd gets no reply from 198.51.100.1 ("Timed out waiting for reply")');
    expect(h!.evidence[0]!.text).toContain('2× "Timed out waiting for reply from 198.51.100.1:123 (198.51.100.1)."');
    const silent = silentPath([1, 2, 3], { server: { ip: '198.51.100.1', port: 123 }, source: 'probe' });
    expect(hits(sourceUnreachable, [state('silence'), silent])[0]!.title).toContain(': no reply at all to a probe either');
  });

  it('leaves a root-distance rejection alone (replies do arrive: source-rejected) and a healthy server too', () => {
    const rd = state('root-distance');
    expect(rd.sources[0]!.rejected).toMatchObject({ test: 'root-distance', limit: 5 });
    expect(hits(sourceUnreachable, [rd])).toEqual([]);
    expect(hits(sourceUnreachable, [state('healthy')])).toEqual([]);
  });

  it('does not read the derived reach 0 of a configured server it has not tried yet as eight lost polls', () => {
    const idle: DaemonStateObservation = { ...state('healthy'), sources: [{ address: '192.0.2.5', kind: 'server', state: '?', selected: false, reach: 0, reachRegister: false }] };
    expect(hits(sourceUnreachable, [idle])).toEqual([]);
  });
});

describe('source-rejected on systemd-timesyncd (its log is the verdict: issue 12 item 5)', () => {
  it('"Server has too large root distance": source-rejected names RootDistanceMaxSec and its 5 s default', () => {
    const [h, ...rest] = hits(sourceRejected, [state('root-distance')]);
    expect(rest).toEqual([]);
    expect(h!.subject).toBe('198.51.100.1');
    expect(h!.title).toContain('systemd-timesyncd hears 198.51.100.1');
    expect(h!.title).toContain('RootDistanceMaxSec 5 s (the default) [timesyncd RootDistanceMaxSec]');
    expect(h!.evidence[0]!.text).toContain('Server has too large root distance');
    expect(h!.fixes.map((f) => f.platform)).toEqual(['generic', 'systemd']);
    expect(h!.fixes[1]!.commands).toContain("printf '[Time]\\nRootDistanceMaxSec=10\\n' > /etc/systemd/timesyncd.conf.d/50-ntpdoctor.conf");
  });

  it('says nothing of a healthy timesyncd or one whose server is silent (that is source-unreachable)', () => {
    expect(hits(sourceRejected, [state('healthy')])).toEqual([]);
    expect(hits(sourceRejected, [state('silence')])).toEqual([]);
  });
});

describe('daemon-not-running with systemd-timesyncd', () => {
  it('names its servers, its sync state and its powerless clock_adjtime when it runs beside chronyd', () => {
    const obs = [daemons([daemon('chronyd', 10, ['chronyd']), daemon('systemd-timesyncd', 12, ['/lib/systemd/systemd-timesyncd'])]), configObs(), state('healthy')];
    const [h] = hits(daemonNotRunning, obs);
    expect(h!.title).toBe('Competing time daemons: chronyd and systemd-timesyncd both run');
    expect(h!.severity).toBe('warning');
    expect(h!.confidence).toBe(0.5);
    const text = h!.evidence.map((e) => e.text).join('\n');
    expect(text).toContain('systemd-timesyncd polls 198.51.100.1 (NTP=; /etc/systemd/timesyncd.conf)');
    expect(text).toContain('systemd-timesyncd is synchronised to 198.51.100.1');
    expect(text).toContain('it cannot adjust this clock (no CAP_SYS_TIME)');
    expect(h!.fixes[0]!.commands).toEqual(['systemctl disable --now systemd-timesyncd']);
  });

  it('chronyd and ntpd beside timesyncd stay an error', () => {
    const [h] = hits(daemonNotRunning, [daemons([daemon('chronyd', 10, ['chronyd']), daemon('ntpd', 11, ['ntpd']), daemon('systemd-timesyncd', 12, ['systemd-timesyncd'])]), state('healthy')]);
    expect(h!.severity).toBeUndefined();
  });

  it('timesyncd alone is the active client: no finding', () => {
    expect(hits(daemonNotRunning, [daemons([daemon('systemd-timesyncd', 12, ['systemd-timesyncd'])]), configObs(), state('healthy')])).toEqual([]);
  });
});

describe('node facts → observations', () => {
  it('emits timesyncd-config with the servers it polls, and its daemon state', () => {
    const facts: NodeFacts = {
      hostname: 'h',
      at: 0,
      addresses: [],
      processes: { daemons: [daemon('systemd-timesyncd', 12, ['systemd-timesyncd'])], complete: true },
      configsOnDisk: [],
      configs: [],
      daemonStates: [state('root-distance')],
      gaps: [],
      timesyncd: { config, inUse: true },
    };
    const obs = nodeObservations(facts);
    const t = obs.find((o) => o.kind === 'timesyncd-config') as TimesyncdConfigObservation;
    expect(t.servers).toEqual({ which: 'system', addresses: ['198.51.100.1'] });
    expect(obs.some((o) => o.kind === 'daemon-state' && o.daemon === 'systemd-timesyncd')).toBe(true);
  });
});

describe('daemon-not-running when nothing runs but timesyncd.conf is there', () => {
  it('offers to start systemd-timesyncd first and names its file', () => {
    const [h] = hits(daemonNotRunning, [daemons([], { configsOnDisk: [], os: { id: 'ubuntu', like: ['debian'] } }), configObs(false)]);
    expect(h!.fixes[0]!.commands).toEqual(['systemctl enable --now systemd-timesyncd']);
    expect(h!.evidence[1]!.text).toBe('Config files are there: /etc/systemd/timesyncd.conf: the daemon is installed but stopped');
    // With chrony.conf on disk, chrony stays the first offer.
    const [c] = hits(daemonNotRunning, [daemons([], { configsOnDisk: ['/etc/chrony/chrony.conf'], os: { id: 'debian', like: [] } }), configObs(false)]);
    expect(c!.fixes[0]!.commands).toEqual(['systemctl enable --now chrony']);
  });
});
