/** Daemon-state parsers on recorded chronyc / ntpq output (test/inspect/fixtures/daemon/README.md), and /proc reading. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { mergeChronycSourcestats, parseChronycSources, parseChronycTracking } from '../../src/inspect/daemon/chronyc.js';
import { chronycArgs, ntpdStateFrom } from '../../src/inspect/daemon/gather.js';
import { parseStatusPairs } from '../../src/inspect/daemon/mode6.js';
import { parseNtpqPeers, parseNtpqVariables, sourceFromVariables, systemFromVariables } from '../../src/inspect/daemon/ntpq.js';
import { configFromArgv, daemonOf, scanProcesses, startTicks } from '../../src/inspect/daemon/processes.js';
import { parseConfigText } from '../../src/inspect/config/load.js';
import type { ChronyConfig } from '../../src/model/config.js';

const dir = fileURLToPath(new URL('./fixtures/daemon/', import.meta.url));
const read = (name: string) => readFileSync(dir + name, 'utf8');

describe('chronyc -c -n', () => {
  it("reads the seed's picture: ^?, reach 0, never a sample, NP 0, std dev 4000 ms", () => {
    const sources = mergeChronycSourcestats(parseChronycSources(read('chronyc-sources-unreachable.csv')), read('chronyc-sourcestats-unreachable.csv'));
    expect(sources).toEqual([{ address: '198.51.100.100', kind: 'server', state: '?', selected: false, reach: 0, stratum: 0, poll: 6, samples: 0, jitter: 4 }]);
    expect(parseChronycTracking(read('chronyc-tracking-unsync.csv'))).toEqual({ stratum: 0, leap: 3, refid: '0.0.0.0', synchronized: false, offset: 0, rootDelay: 1, rootDispersion: 1 });
  });

  it('reads a healthy source: ^*, reach 377 octal = 255, a sample 0 s ago', () => {
    const [s] = mergeChronycSourcestats(parseChronycSources(read('chronyc-sources-reachable.csv')), read('chronyc-sourcestats-reachable.csv'));
    expect(s).toMatchObject({ address: '198.51.100.100', state: '*', selected: true, reach: 255, stratum: 10, poll: -2, lastRx: 0, samples: 23 });
    expect(s!.offset).toBeCloseTo(0.000001186, 12);
    const t = parseChronycTracking(read('chronyc-tracking-synced.csv'))!;
    expect(t).toMatchObject({ stratum: 11, leap: 0, refid: '198.51.100.100', synchronized: true });
  });

  it('points chronyc at the config command socket, then loopback UDP, then the default socket', async () => {
    const cfg = (await parseConfigText('/e/chrony.conf', 'bindcmdaddress /run/x/chronyd.sock\ncmdport 10323\n', 'chrony')) as ChronyConfig;
    expect(chronycArgs(cfg)).toEqual(['-h', '/run/x/chronyd.sock,127.0.0.1,::1,/run/chrony/chronyd.sock', '-p', '10323']);
    expect(chronycArgs()).toEqual(['-h', '127.0.0.1,::1,/run/chrony/chronyd.sock']);
  });
});

describe('ntpq', () => {
  it('reads the peers billboard of a node synchronized to itself (NTPsec)', () => {
    expect(parseNtpqPeers(read('ntpq-pn-selfsync.txt'))).toEqual([
      { address: '198.51.100.100', kind: 'server', state: ' ', selected: false, reach: 0, refid: 'INIT', stratum: 16, poll: 6, jitter: expect.closeTo(1e-7, 12) },
    ]);
  });

  it("reads the seed's `ntpq -p` right after a restart: reach 1, the LOCAL clock at stratum 10", () => {
    const peers = parseNtpqPeers(read('seed002-ntpq-p.txt'));
    expect(peers.map((p) => [p.address, p.kind, p.stratum, p.reach, p.poll, p.lastRx])).toEqual([
      ['192.168.30.22', 'server', 8, 1, 6, 22],
      ['LOCAL(0)', 'refclock', 10, 1, 6, 21],
    ]);
    expect(peers[0]!.offset).toBeCloseTo(179.133, 6);
  });

  it('reads system variables as ntpq prints them (leap=11 is binary for 3) and as mode 6 carries them (leap=3)', () => {
    const rv = parseNtpqVariables(read('ntpq-rv-selfsync.txt'));
    expect(rv).toMatchObject({ leap: '11', stratum: '16', refid: 'INIT', version: 'ntpd ntpsec-1.2.2', processor: 'x86_64' });
    expect(systemFromVariables(rv)).toMatchObject({ stratum: 16, leap: 3, refid: 'INIT', synchronized: false });
    expect(systemFromVariables({ leap: '0', stratum: '3', refid: '198.51.100.1', offset: '-1.5' })).toEqual({ stratum: 3, leap: 0, refid: '198.51.100.1', synchronized: true, offset: -0.0015 });
  });

  it('turns mode 6 peer variables into sources: reach in hex, the tally from the status word', () => {
    // READSTAT data recorded from NTPsec (self-sync): association 17767, status 0x8011 (configured, reject).
    const pairs = parseStatusPairs(Uint8Array.from([0x45, 0x67, 0x80, 0x11]));
    expect(pairs).toEqual([{ associationId: 17767, status: 0x8011 }]);
    const state = ntpdStateFrom({
      system: { leap: '3', stratum: '16', refid: 'INIT' },
      peers: [{ associationId: 17767, status: 0x8011, tally: ' ', vars: { srcadr: '198.51.100.100', stratum: '16', reach: '0x0', hpoll: '6', refid: 'INIT', jitter: '0.000060', hmode: '3' } }],
    });
    expect(state.sources).toEqual([{ address: '198.51.100.100', kind: 'server', state: ' ', selected: false, reach: 0, stratum: 16, poll: 6, refid: 'INIT', jitter: expect.closeTo(6e-8, 12) }]);
    expect(sourceFromVariables({ srcadr: '127.127.1.1', reach: '0x1f', stratum: '5' }, false).kind).toBe('refclock');
    expect(sourceFromVariables({ srcadr: '127.127.1.1', reach: '0x1f' }, false).reach).toBe(31);
  });
});

describe('/proc', () => {
  const root = mkdtempSync(join(tmpdir(), 'ndnode-proc-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('finds the daemons, their config flags and start times; leaves other network namespaces out', async () => {
    const proc = (pid: number, argv: string[], net: string, startTicks: number, exe = argv[0] as string) => {
      mkdirSync(join(root, String(pid), 'ns'), { recursive: true });
      writeFileSync(join(root, String(pid), 'cmdline'), `${argv.join('\0')}\0`);
      writeFileSync(join(root, String(pid), 'stat'), `${pid} (${argv[0]}) S 1 ${pid} ${pid} 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 ${startTicks} 0 0`);
      symlinkSync(`net:[${net}]`, join(root, String(pid), 'ns', 'net'));
      symlinkSync(exe, join(root, String(pid), 'exe'));
    };
    writeFileSync(join(root, 'stat'), 'cpu 1 2 3\nbtime 1700000000\n');
    mkdirSync(join(root, 'self', 'ns'), { recursive: true });
    symlinkSync('net:[4026531840]', join(root, 'self', 'ns', 'net'));
    proc(101, ['/usr/sbin/chronyd', '-x', '-f', '/etc/chrony/chrony.conf'], '4026531840', 12345);
    proc(102, ['/opt/ntpsec/usr/sbin/ntpd', '-n', '-c', '/tmp/lab/ntp.conf'], '4026531840', 20000);
    proc(103, ['/usr/sbin/chronyd', '-x'], '4026532999', 1);
    proc(104, ['/bin/bash'], '4026531840', 1);
    const scan = await scanProcesses(root);
    expect(scan.daemons).toEqual([
      { name: 'chronyd', pid: 101, argv: ['/usr/sbin/chronyd', '-x', '-f', '/etc/chrony/chrony.conf'], configPath: '/etc/chrony/chrony.conf', startedAt: 1700000123.45 },
      { name: 'ntpd', pid: 102, argv: ['/opt/ntpsec/usr/sbin/ntpd', '-n', '-c', '/tmp/lab/ntp.conf'], configPath: '/tmp/lab/ntp.conf', variant: 'ntpsec', startedAt: 1700000200 },
    ]);
    expect(scan.note).toContain('1 time daemon(s) in other network namespaces');
  });

  it('reads argv and stat the way the kernel writes them', () => {
    expect(daemonOf(['/usr/lib/systemd/systemd-timesyncd'])).toBe('systemd-timesyncd');
    expect(daemonOf(['ntpd', '-u', 'ntp:ntp', '-g'])).toBe('ntpd');
    expect(configFromArgv('ntpd', ['ntpd', '-gc/etc/x.conf'])).toBeUndefined();
    expect(configFromArgv('ntpd', ['ntpd', '-c/etc/x.conf'])).toBe('/etc/x.conf');
    expect(configFromArgv('ntpd', ['ntpd', '--configfile=/etc/y.conf'])).toBe('/etc/y.conf');
    expect(configFromArgv('chronyd', ['chronyd', '-u', 'chrony'])).toBeUndefined();
    // A comm with spaces and parentheses: fields are counted after the last ')'.
    expect(startTicks('42 (a (b) c) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 777 0')).toBe(777);
  });
});
