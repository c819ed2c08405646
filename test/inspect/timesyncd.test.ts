/**
 * systemd-timesyncd: its config files (timesyncd.conf(5) order and list semantics) and its own words, recorded
 * from the real binary (Debian 12, systemd 252.39) in network namespaces: fixtures/timesyncd/ (README.md there).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configuredServers, parseTimespan, parseTimesyncdConf, timesyncdFiles, loadTimesyncdConfig } from '../../src/inspect/config/timesyncd-conf.js';
import type { ConfigReader } from '../../src/model/config.js';
import { askTimesyncd, timesyncdStateFrom } from '../../src/inspect/daemon/timesyncd.js';
import { hostOf, parseShowTimesync, parseTimesyncdLog, parseTimesyncStatus } from '../../src/inspect/daemon/timesyncd-parse.js';
import type { CommandResult, Runner } from '../../src/inspect/run.js';
import { analyzeCaptures } from '../../src/run/capture-file.js';

const fx = (name: string) => readFileSync(`fixtures/timesyncd/${name}`, 'utf8');

function mapReader(files: Record<string, string>, dirs: Record<string, string[]> = {}): ConfigReader {
  const enoent = (p: string) => Object.assign(new Error(`ENOENT ${p}`), { code: 'ENOENT' });
  return {
    readFile: async (p) => {
      if (p in files) return { text: files[p] as string, bytes: (files[p] as string).length };
      throw enoent(p);
    },
    readdir: async (p) => {
      if (p in dirs) return { names: dirs[p] as string[], truncated: false };
      throw enoent(p);
    },
  };
}

describe('systemd.time(5) spans', () => {
  it.each([
    ['5', 5],
    ['5s', 5],
    ['1.5s', 1.5],
    ['34min 8s', 2048],
    ['1min 4s', 64],
    ['15us', 15e-6],
    ['1.867ms', 0.001867],
    ['2h', 7200],
    ['0', 0],
  ])('%s = %s s', (text, secs) => expect(parseTimespan(text)).toBeCloseTo(secs, 9));
  it.each(['', 'five', '5 parsecs', '-5', '5s junk'])('rejects %j', (text) => expect(parseTimespan(text)).toBeUndefined());
});

describe('timesyncd.conf + drop-ins', () => {
  it("Debian's shipped file (all commented out) means compiled-in defaults and the compiled-in fallback list", () => {
    const cfg = parseTimesyncdConf([{ file: '/etc/systemd/timesyncd.conf', text: fx('debian12-timesyncd.conf') }]);
    expect(cfg.ntp).toEqual([]);
    expect(cfg.fallbackCompiledIn).toBe(true);
    expect(cfg.settings.rootDistanceMaxSec).toEqual({ value: 5 });
    expect(cfg.settings.pollIntervalMinSec).toEqual({ value: 32 });
    expect(cfg.settings.pollIntervalMaxSec).toEqual({ value: 2048 });
    expect(configuredServers(cfg)).toEqual({ which: 'fallback', servers: [] });
  });

  it('the lab config: NTP= one address, PollIntervalMinSec=16 (what timedatectl then reported)', () => {
    const cfg = parseTimesyncdConf([{ file: '/etc/systemd/timesyncd.conf', text: fx('lab-timesyncd.conf') }]);
    expect(cfg.ntp.map((s) => [s.address, s.line])).toEqual([['198.51.100.1', 2]]);
    expect(cfg.settings.pollIntervalMinSec).toMatchObject({ value: 16, at: { line: 3 } });
    expect(parseShowTimesync(fx('healthy.show-timesync.txt')).pollIntervalMin).toBe(16);
  });

  it('lists accumulate across files and an empty assignment resets them; single values: the last one wins', () => {
    const cfg = parseTimesyncdConf([
      { file: '/etc/systemd/timesyncd.conf', text: '[Time]\nNTP=a.example b.example\nRootDistanceMaxSec=10\n' },
      { file: '/etc/systemd/timesyncd.conf.d/10-x.conf', text: '[Time]\nNTP=\nNTP=192.0.2.1\n' },
      { file: '/usr/lib/systemd/timesyncd.conf.d/20-y.conf', text: '# vendor\n[Time]\nNTP=2001:db8::1 192.0.2.1\nRootDistanceMaxSec=1min\nFallbackNTP=\n' },
    ]);
    expect(cfg.ntp.map((s) => s.address)).toEqual(['192.0.2.1', '2001:db8::1']);
    expect(cfg.settings.rootDistanceMaxSec).toMatchObject({ value: 60, at: { file: '/usr/lib/systemd/timesyncd.conf.d/20-y.conf', line: 4 } });
    // An empty FallbackNTP= alone leaves the compiled-in list (observed with systemd 252, fixtures/timesyncd).
    expect(cfg.fallbackCompiledIn).toBe(true);
  });

  it('ignores other sections, continues backslashed lines, reports bad values and falls back like timesyncd', () => {
    const cfg = parseTimesyncdConf([
      {
        file: '/etc/systemd/timesyncd.conf',
        text: '[Other]\nNTP=ignored.example\n[Time]\nNTP=a.example \\\n  b.example\nPollIntervalMinSec=5\nPollIntervalMaxSec=banana\nRootDistanceMaxSec=3s\nNTP=$(reboot)\nBogus=1\n',
      },
    ]);
    expect(cfg.ntp.map((s) => s.address)).toEqual(['a.example', 'b.example']);
    expect(cfg.settings.pollIntervalMinSec).toEqual({ value: 32 });
    expect(cfg.settings.pollIntervalMaxSec).toEqual({ value: 2048 });
    expect(cfg.settings.rootDistanceMaxSec.value).toBe(3);
    expect(cfg.invalid.map((i) => i.line)).toEqual([7, 9, 6]);
    expect(cfg.unknown.map((u) => u.text)).toEqual(['NTP=ignored.example', 'Bogus=1']);
  });

  it('drop-ins sort by name across directories; /etc masks the same name in /usr/lib', async () => {
    const reader = mapReader(
      {
        '/etc/systemd/timesyncd.conf': '[Time]\nNTP=main.example\n',
        '/etc/systemd/timesyncd.conf.d/50-site.conf': '[Time]\nNTP=site.example\n',
        '/usr/lib/systemd/timesyncd.conf.d/50-site.conf': '[Time]\nNTP=vendor-masked.example\n',
        '/usr/lib/systemd/timesyncd.conf.d/10-vendor.conf': '[Time]\nRootDistanceMaxSec=7\n',
        '/run/systemd/timesyncd.conf.d/90-runtime.conf': '[Time]\nRootDistanceMaxSec=9\n',
      },
      {
        '/etc/systemd/timesyncd.conf.d': ['50-site.conf', 'README', '.hidden.conf'],
        '/run/systemd/timesyncd.conf.d': ['90-runtime.conf'],
        '/usr/lib/systemd/timesyncd.conf.d': ['50-site.conf', '10-vendor.conf'],
      },
    );
    expect((await timesyncdFiles(reader)).files).toEqual([
      '/etc/systemd/timesyncd.conf',
      '/usr/lib/systemd/timesyncd.conf.d/10-vendor.conf',
      '/etc/systemd/timesyncd.conf.d/50-site.conf',
      '/run/systemd/timesyncd.conf.d/90-runtime.conf',
    ]);
    const cfg = (await loadTimesyncdConfig(reader))!;
    expect(cfg.ntp.map((s) => s.address)).toEqual(['main.example', 'site.example']);
    expect(cfg.settings.rootDistanceMaxSec.value).toBe(9);
  });

  it('no files at all: nothing (the caller uses defaults only if timesyncd runs)', async () => {
    expect(await loadTimesyncdConfig(mapReader({}))).toBeUndefined();
  });
});

describe('timedatectl (recorded from systemd 252 over a private D-Bus)', () => {
  it('show-timesync --all after an accepted reply', () => {
    const s = parseShowTimesync(fx('healthy.show-timesync.txt'));
    expect(s).toMatchObject({ systemServers: ['198.51.100.1'], serverName: '198.51.100.1', serverAddress: '198.51.100.1', rootDistanceMax: 5, pollInterval: 64, pollIntervalMax: 2048 });
    expect(s.fallbackServers).toHaveLength(4);
    expect(s.message).toMatchObject({ leap: 0, stratum: 2, rootDelay: 0, reference: '7F7F0101', ignored: false, packetCount: 2 });
    expect(s.message!.rootDispersion).toBeCloseTo(15e-6, 12);
    const st = parseTimesyncStatus(fx('healthy.timesync-status.txt'));
    expect(st.offset).toBeCloseTo(0.000482, 9);
    expect(st.delay).toBeCloseTo(0.001867, 9);
  });

  it('after root-distance rejections: no NTPMessage, packet count 0', () => {
    const s = parseShowTimesync(fx('root-distance.show-timesync.txt'));
    expect(s.message).toBeUndefined();
    expect(s.serverAddress).toBe('198.51.100.1');
    expect(parseTimesyncStatus(fx('root-distance.timesync-status.txt'))).toEqual({});
  });
});

describe('its log', () => {
  it('root distance: two rejections of the server last connected to, never a contact', () => {
    const log = parseTimesyncdLog(fx('root-distance.stderr.txt'));
    expect(log.servers).toEqual([{ address: '198.51.100.1', contacted: false, rootDistance: { message: 'Server has too large root distance. Disconnecting.', count: 2 } }]);
  });

  it('silence: "Timed out waiting for reply"', () => {
    const [s] = parseTimesyncdLog(fx('silence.stderr.txt')).servers;
    expect(s).toMatchObject({ address: '198.51.100.1', contacted: false, noReply: { count: 2 } });
  });

  it('healthy: contacted; without CAP_SYS_TIME clock_adjtime fails', () => {
    const log = parseTimesyncdLog(fx('healthy.stderr.txt'));
    expect(log.servers[0]).toMatchObject({ address: '198.51.100.1', contacted: true });
    expect(log.servers[0]!.noReply).toBeUndefined();
    expect(log.adjtimeFailed).toMatchObject({ message: 'Failed to call clock_adjtime(): Operation not permitted', count: 2 });
  });

  it('journal lines (short-unix): times, names, IPv6, and a contact clearing earlier failures', () => {
    const j = [
      '1796570000.000001 host systemd-timesyncd[585]: Timed out waiting for reply from [2001:db8::7]:123 (ntp.example).',
      '1796570040.000001 host systemd-timesyncd[585]: Timed out waiting for reply from [2001:db8::7]:123 (ntp.example).',
      '1796570100.5 host systemd-timesyncd[585]: Timed out waiting for reply from 192.0.2.9:123 (ntp.example).',
      '1796570200.5 host systemd-timesyncd[585]: Contacted time server 192.0.2.9:123 (ntp.example).',
      '1796570300.5 host systemd-timesyncd[585]: Server has too large root distance. Disconnecting.',
    ].join('\n');
    const log = parseTimesyncdLog(j);
    expect(log.servers).toEqual([
      { address: '2001:db8::7', name: 'ntp.example', contacted: false, noReply: { message: 'Timed out waiting for reply from [2001:db8::7]:123 (ntp.example).', count: 2, lastAt: 1796570040.000001 } },
      { address: '192.0.2.9', name: 'ntp.example', contacted: true, lastContact: 1796570200.5, rootDistance: { message: 'Server has too large root distance. Disconnecting.', count: 1, lastAt: 1796570300.5 } },
    ]);
    expect(hostOf('[::1]:123')).toBe('::1');
  });
});

describe('daemon state', () => {
  const cfg = parseTimesyncdConf([{ file: '/etc/systemd/timesyncd.conf', text: fx('lab-timesyncd.conf') }]);

  it('healthy: the server is selected, stratum 2, offset from timesync-status', () => {
    const st = timesyncdStateFrom(
      { show: parseShowTimesync(fx('healthy.show-timesync.txt')), status: parseTimesyncStatus(fx('healthy.timesync-status.txt')), log: parseTimesyncdLog(fx('healthy.stderr.txt')), config: cfg, synchronizedAt: 1796573372 },
      ['timedatectl show-timesync --all'],
    );
    expect(st.daemon).toBe('systemd-timesyncd');
    expect(st.sources).toHaveLength(1);
    expect(st.sources[0]).toMatchObject({ address: '198.51.100.1', selected: true, state: '*', reach: 255, reachRegister: false, stratum: 2, poll: 6 });
    expect(st.system).toMatchObject({ stratum: 3, leap: 0, synchronized: true });
    expect(st.timesyncd).toMatchObject({ serverAddress: '198.51.100.1', rootDistanceMax: 5, synchronizedAt: 1796573372, adjtimeFailed: { count: 2 } });
  });

  it('root distance: rejected with the test, the limit and where the limit comes from', () => {
    const st = timesyncdStateFrom({ show: parseShowTimesync(fx('root-distance.show-timesync.txt')), log: parseTimesyncdLog(fx('root-distance.stderr.txt')), config: cfg }, ['x']);
    expect(st.sources[0]).toMatchObject({ address: '198.51.100.1', selected: false, reach: 0, rejected: { test: 'root-distance', limit: 5, limitFrom: 'default', count: 2 } });
    expect(st.system).toBeUndefined();
  });

  it('a configured RootDistanceMaxSec is the limit, with its line', () => {
    const c = parseTimesyncdConf([{ file: '/etc/systemd/timesyncd.conf', text: '[Time]\nNTP=198.51.100.1\nRootDistanceMaxSec=2\n' }]);
    const st = timesyncdStateFrom({ log: parseTimesyncdLog(fx('root-distance.stderr.txt')), config: c }, ['x']);
    expect(st.sources[0]!.rejected).toMatchObject({ test: 'root-distance', limit: 2, limitFrom: { line: 3 } });
  });

  it('silence: no reply, not rejected', () => {
    const st = timesyncdStateFrom({ log: parseTimesyncdLog(fx('silence.stderr.txt')), config: cfg }, ['x']);
    expect(st.sources[0]).toMatchObject({ address: '198.51.100.1', selected: false, reach: 0, noReply: { count: 2 } });
    expect(st.sources[0]!.rejected).toBeUndefined();
  });

  it('without D-Bus (as in a container): a gap, and the journal alone still gives the state', async () => {
    const res = (ok: boolean, stdout: string, stderr = ''): CommandResult => ({ ok, code: ok ? 0 : 1, stdout, stderr, command: 'x' });
    const journal = fx('silence.stderr.txt')
      .split('\n')
      .map((l) => `1796573400.000000 host systemd-timesyncd[42]: ${l}`)
      .join('\n');
    const run: Runner = async (file) => {
      if (file === 'timedatectl') return res(false, '', fx('timedatectl-no-systemd.txt'));
      return res(true, journal);
    };
    const out = await askTimesyncd(run, { name: 'systemd-timesyncd', pid: 42, argv: ['/lib/systemd/systemd-timesyncd'] }, cfg, 0, 1000, '/nonexistent/flag');
    expect(out.gaps).toHaveLength(1);
    expect(out.gaps[0]!.what).toContain('D-Bus');
    expect(out.states[0]!.sources[0]).toMatchObject({ address: '198.51.100.1', noReply: { count: 2, lastAt: 1796573400 } });
  });
});

describe("timesyncd's packets (fixtures/timesyncd/*.pcap, captured in the client namespace)", () => {
  it.each([
    ['root-distance.pcap', 'root-distance-too-large'],
    ['silence.pcap', 'no-response'],
  ])('%s → %s first', async (file, rule) => {
    const report = await analyzeCaptures([`fixtures/timesyncd/${file}`]);
    expect(report.findings[0]!.rule).toBe(rule);
  });

  it('healthy.pcap: replies answered, nothing wrong with the server (veth checksum offload aside)', async () => {
    const report = await analyzeCaptures(['fixtures/timesyncd/healthy.pcap']);
    expect(report.findings.map((f) => f.rule).filter((r) => r !== 'checksum-offload-artifact')).toEqual([]);
  });
});

describe('hostile log and bus text', () => {
  it('never makes a source of anything but a literal address', () => {
    const log = parseTimesyncdLog('Timed out waiting for reply from $(reboot):123 (x).\nTimed out waiting for reply from 192.0.2.1:123 (\u001b[2Jevil).\n' + 'x'.repeat(100_000));
    const st = timesyncdStateFrom({ log, show: parseShowTimesync('ServerAddress=;rm -rf /\nServerName=evil\n') }, ['x']);
    expect(st.sources.map((s) => s.address)).toEqual(['192.0.2.1']);
    expect(st.timesyncd?.serverAddress).toBeUndefined();
  });
});
