/** Parsers for clock control and the kernel clock, on recorded output (test/inspect/fixtures/clock/README.md). */
import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { describe, expect, it } from 'vitest';
import { chronydNoClock, containerFromCgroup, initialUserNamespace, journalRefusals, parseCaps, refusedLines } from '../../src/inspect/clock-control.js';
import { kernelClockFromTimex, parseAdjtimexPrint, parseTimedatectlShow, readKernelClock, statusNames, STA_UNSYNC } from '../../src/inspect/kernel-clock.js';
import { runCommand, type CommandResult, type Runner } from '../../src/inspect/run.js';

const fx = (n: string) => readFileSync(new URL(`fixtures/clock/${n}`, import.meta.url), 'utf8');
const ok = (stdout: string, command = 'x'): CommandResult => ({ ok: true, code: 0, stdout, stderr: '', command });
const missing = (command: string): CommandResult => ({ ok: false, code: null, stdout: '', stderr: '', problem: 'not-found', command });

describe('capabilities from /proc/PID/status', () => {
  it('reads bit 25 (CAP_SYS_TIME) from the recorded setpriv and root status files', () => {
    expect(parseCaps(fx('proc-status-no-sys-time.txt'))).toEqual({ eff: '000001fffcffffff', bnd: '000001fffcffffff', effSysTime: false, bndSysTime: false });
    expect(parseCaps(fx('proc-status-root.txt'))).toMatchObject({ effSysTime: true, bndSysTime: true });
  });
  it('refuses hostile or missing fields instead of guessing', () => {
    expect(parseCaps('Name:\tx\n')).toBeUndefined();
    expect(parseCaps('CapEff:\tzz\n')).toBeUndefined();
    expect(parseCaps(`CapEff:\t${'f'.repeat(200)}\n`)).toBeUndefined();
    expect(parseCaps('CapEff:\t2000000\n')).toMatchObject({ effSysTime: true });
    expect(parseCaps('CapEff:\t1000000\n')).toMatchObject({ effSysTime: false });
  });
  it('tells the initial user namespace from a rootless container', () => {
    expect(initialUserNamespace('         0          0 4294967295\n')).toBe(true);
    expect(initialUserNamespace('         0     100000      65536\n')).toBe(false);
  });
});

describe('chronyd -x as getopt reads it', () => {
  it.each([
    [['chronyd', '-x'], true],
    [['/usr/sbin/chronyd', '-d', '-x', '-f', '/etc/chrony.conf'], true],
    [['chronyd', '-dx'], true],
    [['chronyd', '-F', '2', '-x'], true],
    [['chronyd', '-f', '-x'], false], // -x is -f's file name
    [['chronyd', '-u', 'x'], false],
    [['chronyd', '-d', 'server x'], false],
    [['chronyd', '-d', 'maxupdateskew', '-x'], false], // options end at the first directive
    [['chronyd'], false],
  ])('%j → %s', (argv, want) => expect(chronydNoClock(argv)).toBe(want));
});

describe('container signs', () => {
  it('cgroup paths of the common runtimes; a cgroup namespace (all /) says nothing', () => {
    expect(containerFromCgroup('0::/system.slice/docker-4f2a.scope\n')).toBe('docker');
    expect(containerFromCgroup('12:memory:/docker/4f2a\n')).toBe('docker');
    expect(containerFromCgroup('0::/kubepods.slice/kubepods-burstable.slice/x\n')).toBe('kubernetes');
    expect(containerFromCgroup('0::/machine.slice/libpod-abc.scope\n')).toBe('podman');
    expect(containerFromCgroup('0::/lxc.payload.web/\n')).toBe('lxc');
    expect(containerFromCgroup(fx('proc-1-cgroup-docker-cgroupv1.txt'))).toBeUndefined();
    expect(containerFromCgroup('0::/init.scope\n')).toBeUndefined();
  });
});

describe('log lines that say the clock was refused (real recorded logs)', () => {
  it('NTPsec 1.2.2 without CAP_SYS_TIME', () => {
    const lines = refusedLines(fx('ntpsec-1.2.2-no-sys-time.log'));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('start_kern_loop: ntpd/ntp_loopfilter.c line 1063: ntp_adjtime: Operation not permitted');
  });
  it('chrony 4.3 without -x and without CAP_SYS_TIME', () => {
    const lines = refusedLines(fx('chrony-4.3-no-sys-time.log'));
    expect(lines.map((l) => l.replace(/^\S+ /, ''))).toEqual(['CAP_SYS_TIME not present', 'Fatal error : adjtimex(0x8001) failed : Operation not permitted']);
  });
  it('bounded: at most 10 lines, each at most 300 characters; nothing from ordinary lines', () => {
    const flood = Array.from({ length: 50 }, (_, i) => `x${i} ntp_adjtime: Operation not permitted ${'y'.repeat(1000)}`).join('\n');
    const lines = refusedLines(flood);
    expect(lines).toHaveLength(10);
    expect(lines[9]).toMatch(/^x49 /);
    expect(Math.max(...lines.map((l) => l.length))).toBe(300);
    expect(refusedLines('chronyd version 4.3 starting\nSelected source 198.51.100.1\n')).toEqual([]);
  });
  it('journalctl: missing → nothing; lines read only with -n and -b; not allowed → a gap', async () => {
    let args: readonly string[] = [];
    const run: Runner = async (file, a) => {
      args = a;
      return ok(fx('chrony-4.3-no-sys-time.log'), file);
    };
    expect((await journalRefusals(run, 1000)).lines).toHaveLength(2);
    expect(args).toEqual(expect.arrayContaining(['--no-pager', '-b', '-n', '400']));
    expect(await journalRefusals(async (f) => missing(f), 1000)).toEqual({ lines: [] });
    const denied = await journalRefusals(async () => ({ ...ok(''), ok: false, code: 1, problem: 'permission' }), 1000);
    expect(denied.gap).toMatch(/not allowed/);
  });
});

describe('kernel clock (adjtimex modes 0)', () => {
  it('adjtimex --print as recorded here: status 64 (UNSYNC), maxerror 16 s', () => {
    const r = parseAdjtimexPrint(fx('adjtimex-1.29-print-unsync.txt'))!;
    expect(r).toMatchObject({ via: 'adjtimex --print', status: 64, maxerror: 16_000_000, state: 5, synchronized: false });
    expect(r.reasons).toEqual(['STA_UNSYNC set (status 0x40: UNSYNC)', 'maxerror 16.0 s ≥ 16 s']);
  });
  it('a disciplined clock: status 0x2001 (PLL,NANO), maxerror 12 ms → synchronized', () => {
    const text = fx('adjtimex-1.29-print-unsync.txt').replace('status: 64', 'status: 8193').replace(/maxerror: \d+/, 'maxerror: 12000');
    expect(parseAdjtimexPrint(text)).toMatchObject({ synchronized: true, reasons: [] });
  });
  it('maxerror alone past 16 s is unsynchronized (node_exporter: maxerror_seconds >= 16)', () => {
    const text = fx('adjtimex-1.29-print-unsync.txt').replace('status: 64', 'status: 1').replace(/maxerror: \d+/, 'maxerror: 16000000');
    expect(parseAdjtimexPrint(text)).toMatchObject({ synchronized: false, reasons: ['maxerror 16.0 s ≥ 16 s'] });
  });
  it('the struct timex bytes as perl prints them (64-bit little-endian, recorded here)', () => {
    const hex = '0000000000000000000000000000000000000000000000000024f400000000000024f40000000000400000000000000002000000000000000100000000000000';
    expect(kernelClockFromTimex(`5 ${hex}`, 8, true)).toMatchObject({ status: STA_UNSYNC, maxerror: 16_000_000, state: 5, synchronized: false });
    expect(kernelClockFromTimex('5 00', 8, true)).toBeUndefined();
    expect(kernelClockFromTimex('garbage', 8, true)).toBeUndefined();
  });
  it('timedatectl show (transcribed, see README): NTPSynchronized', () => {
    expect(parseTimedatectlShow(fx('timedatectl-show-synced.txt'))).toMatchObject({ via: 'timedatectl show', synchronized: true });
    expect(parseTimedatectlShow(fx('timedatectl-show-synced.txt').replace('NTPSynchronized=yes', 'NTPSynchronized=no'))).toMatchObject({ synchronized: false });
    expect(parseTimedatectlShow('System has not been booted with systemd as init system (PID 1).')).toBeUndefined();
  });
  it('status names as ntptime prints them', () => {
    expect(statusNames(0x6041)).toEqual(['PLL', 'UNSYNC', 'NANO', 'MODE']);
  });
  it('falls back perl → adjtimex --print → timedatectl, and says what failed when none answers', async () => {
    const calls: string[] = [];
    const fake = (answers: Record<string, CommandResult>): Runner => async (file) => {
      calls.push(file);
      return answers[file] ?? missing(file);
    };
    const viaTool = await readKernelClock(fake({ adjtimex: ok(fx('adjtimex-1.29-print-unsync.txt')) }), 1000, 'x64');
    expect(viaTool.reading?.via).toBe('adjtimex --print');
    expect(calls).toEqual(['perl', 'adjtimex']);
    const viaTimedated = await readKernelClock(fake({ timedatectl: ok(fx('timedatectl-show-synced.txt')) }), 1000, 'x64');
    expect(viaTimedated.reading).toMatchObject({ via: 'timedatectl show', synchronized: true });
    const none = await readKernelClock(fake({}), 1000, 'x64');
    expect(none.reading).toBeUndefined();
    expect(none.tried.join('; ')).toBe('perl is not installed; adjtimex is not installed; timedatectl is not installed');
  });
  it("this machine's kernel, read for real: a definite answer that agrees with the raw flags", async () => {
    const g = await readKernelClock(runCommand, 10_000);
    expect(g.reading, g.tried.join('; ')).toBeDefined();
    const r = g.reading!;
    expect(typeof r.synchronized).toBe('boolean');
    if (r.status !== undefined) {
      expect(r.synchronized).toBe((r.status & STA_UNSYNC) === 0 && (r.maxerror ?? 0) < 16_000_000);
      expect(endianness()).toBe('LE'); // x64 / arm64 here: the decoder's byte order is the machine's
    }
    process.stderr.write(`kernel clock here: ${r.via}: ${r.synchronized ? 'synchronized' : `unsynchronized (${r.reasons.join('; ')})`}\n`);
  });
});
