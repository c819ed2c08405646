/**
 * The platform collector (src/inspect/hostclock/) on recorded text: this machine's real sysfs and dmesg, the
 * kernel's own clocksource messages, open-vm-tools' status words, VBoxService command lines, ntpd's panic line
 * (test/inspect/fixtures/platform/README.md says where each comes from). The gatherer runs over a /sys and /proc
 * tree built in a temporary directory and a Runner that replays the recorded outputs.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { gatherPlatformClock } from '../../src/inspect/hostclock/gather.js';
import { MAX_EVENTS, parseClocksource, parseKernelClockLog, parseNtpdPanics, parseVmwareStatus, virtualboxSyncOn, virtualizationFromDmi } from '../../src/inspect/hostclock/parse.js';
import type { CommandResult, Runner } from '../../src/inspect/run.js';

const FX = fileURLToPath(new URL('./fixtures/platform/', import.meta.url));
const fx = (name: string) => readFileSync(FX + name, 'utf8');
const CS = 'devices/system/clocksource/clocksource0';

describe('parsers on recorded text', () => {
  it("this machine's real sysfs: kvm-clock current and the only one available", () => {
    const cs = parseClocksource(fx(`this-machine/sys/${CS}/current_clocksource`), fx(`this-machine/sys/${CS}/available_clocksource`));
    expect(cs).toEqual({ current: 'kvm-clock', available: ['kvm-clock'] });
  });

  it("this machine's real dmesg: one switch to kvm-clock, nothing unstable", () => {
    expect(parseKernelClockLog(fx('this-machine/dmesg-clocksource.txt'), 'dmesg')).toEqual([
      { event: 'switched', clocksource: 'kvm-clock', line: '[    0.266471] clocksource: Switched to clocksource kvm-clock', via: 'dmesg' },
    ]);
  });

  it('the watchdog marking the TSC unstable: one unstable event (the tsc.c line is the same event), switches kept', () => {
    const ev = parseKernelClockLog(fx('kernel-tsc-unstable.dmesg'), 'dmesg');
    expect(ev.filter((e) => e.event === 'unstable')).toEqual([expect.objectContaining({ clocksource: 'tsc', line: expect.stringContaining('CPU67: Marking clocksource') })]);
    expect(ev.filter((e) => e.event === 'switched').map((e) => e.clocksource)).toEqual(['tsc-early', 'tsc', 'hpet']);
  });

  it('the tsc.c line alone still counts as the TSC dropped', () => {
    const ev = parseKernelClockLog('[ 5.1] tsc: Marking TSC unstable due to clocksource watchdog\n', 'journalctl -k -b');
    expect(ev).toEqual([expect.objectContaining({ event: 'unstable', clocksource: 'tsc', via: 'journalctl -k -b' })]);
  });

  it('hostile kernel log: a flapping watchdog and megabyte lines stay bounded', () => {
    const flap = "clocksource: timekeeping watchdog on CPU1: Marking clocksource 'tsc' as unstable because the skew is too large:" + 'x'.repeat(2000);
    const long = 'clocksource: Switched to clocksource hpet ' + 'y'.repeat(1_000_000);
    const text = [long, ...Array.from({ length: 20_000 }, () => flap), long, 'clocksource: Switched to clocksource acpi_pm'].join('\n');
    const ev = parseKernelClockLog(text, 'dmesg');
    // The last switch survives the flood: that is where the kernel ended up.
    expect(ev.at(-1)?.clocksource).toBe('acpi_pm');
    expect(ev.length).toBeLessThanOrEqual(MAX_EVENTS);
    for (const e of ev) expect(e.line.length).toBeLessThanOrEqual(300);
    // A name with shell metacharacters is not a clocksource name.
    expect(parseKernelClockLog("Marking clocksource '$(reboot)' as unstable", 'dmesg')).toEqual([]);
    expect(parseClocksource('tsc; reboot', 'tsc')).toBeUndefined();
  });

  it("vmware-toolbox-cmd timesync status (open-vm-tools TimeSyncStatus): Enabled/0, Disabled/69, localised words by exit status", () => {
    expect(parseVmwareStatus(fx('vmware-toolbox-cmd-timesync-status-enabled.txt'), 0)).toBe(true);
    expect(parseVmwareStatus(fx('vmware-toolbox-cmd-timesync-status-disabled.txt'), 69)).toBe(false);
    expect(parseVmwareStatus('Aktiviert\n', 0)).toBe(true);
    expect(parseVmwareStatus('Deaktiviert\n', 69)).toBe(false);
    expect(parseVmwareStatus('', 1)).toBeUndefined();
  });

  it('VBoxService syncs unless --disable-timesync is on its command line', () => {
    expect(virtualboxSyncOn(fx('vboxservice.cmdline').split('\0').filter(Boolean))).toBe(true);
    expect(virtualboxSyncOn(fx('vboxservice-disable-timesync.cmdline').split('\0').filter(Boolean))).toBe(false);
  });

  it("ntpd's panic exit (ntpd/ntp_loopfilter.c msyslog line in a journal), the seconds read", () => {
    const p = parseNtpdPanics(fx('ntpd-panic.journal'), 'ntpd log');
    expect(p.length).toBe(1);
    expect(p[0]?.seconds).toBe(31566952);
    expect(p[0]?.line).toContain('exceeds sanity limit');
  });

  it('DMI vendors as systemd-detect-virt names them', () => {
    expect(virtualizationFromDmi('VMware, Inc.\n', 'VMware Virtual Platform\n')).toBe('vmware');
    expect(virtualizationFromDmi('innotek GmbH\n', 'VirtualBox\n')).toBe('oracle');
    expect(virtualizationFromDmi('Microsoft Corporation\n', 'Virtual Machine\n')).toBe('microsoft');
    expect(virtualizationFromDmi('Microsoft Corporation\n', 'Surface Pro\n')).toBeUndefined();
    expect(virtualizationFromDmi('Dell Inc.\n', 'PowerEdge R640\n')).toBeUndefined();
  });
});

/** A Runner replaying recorded outputs by program name; anything else is "not installed". */
function replay(outputs: Record<string, Partial<CommandResult>>, calls: string[] = []): Runner {
  return async (file, args) => {
    calls.push([file, ...args].join(' '));
    const o = outputs[file];
    const command = [file, ...args].join(' ');
    if (!o) return { ok: false, code: null, stdout: '', stderr: '', problem: 'not-found', command };
    return { ok: true, code: 0, stdout: '', stderr: '', command, ...o };
  };
}

describe('gatherPlatformClock over a recorded /sys and /proc', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  function tree(clocksource: 'this-machine' | 'hpet' | 'acpi_pm', procs: Record<string, string>, extra: (sys: string) => void = () => {}): { sys: string; proc: string } {
    dir = mkdtempSync(join(tmpdir(), 'ndplat-'));
    const sys = join(dir, 'sys');
    const proc = join(dir, 'proc');
    mkdirSync(join(sys, CS), { recursive: true });
    if (clocksource === 'this-machine') {
      for (const f of ['current_clocksource', 'available_clocksource']) copyFileSync(FX + `this-machine/sys/${CS}/${f}`, join(sys, CS, f));
    } else {
      copyFileSync(FX + `${clocksource}-current_clocksource`, join(sys, CS, 'current_clocksource'));
      copyFileSync(FX + `${clocksource}-available_clocksource`, join(sys, CS, 'available_clocksource'));
    }
    for (const [pid, file] of Object.entries(procs)) {
      mkdirSync(join(proc, pid), { recursive: true });
      copyFileSync(FX + file, join(proc, pid, 'cmdline'));
    }
    mkdirSync(proc, { recursive: true });
    extra(sys);
    return { sys, proc };
  }

  it('this machine as recorded: KVM guest on kvm-clock, no hypervisor tool, nothing unstable, no gaps', async () => {
    const { sys, proc } = tree('this-machine', {});
    const r = await gatherPlatformClock({ run: replay({ dmesg: { stdout: fx('this-machine/dmesg-clocksource.txt') } }), timeoutMs: 1000, sysRoot: sys, procRoot: proc });
    expect(r.gaps).toEqual([]);
    expect(r.observation).toMatchObject({ virtualization: 'kvm', clocksource: { current: 'kvm-clock' }, hypervisorSync: [], ptpClocks: [], ntpdPanics: [] });
    expect(r.observation.kernelEvents.map((e) => e.event)).toEqual(['switched']);
  });

  it('VMware guest: vmtoolsd runs, the status command answers Enabled; VBoxService with and without --disable-timesync', async () => {
    const { sys, proc } = tree('acpi_pm', { '812': 'vmtoolsd.cmdline', '900': 'vboxservice.cmdline', '901': 'vboxservice-disable-timesync.cmdline' }, (s) => {
      mkdirSync(join(s, 'class/dmi/id'), { recursive: true });
      writeFileSync(join(s, 'class/dmi/id/sys_vendor'), 'VMware, Inc.\n');
    });
    const calls: string[] = [];
    const run = replay({ dmesg: { stdout: fx('kernel-tsc-unstable.dmesg') }, 'vmware-toolbox-cmd': { stdout: fx('vmware-toolbox-cmd-timesync-status-enabled.txt') } }, calls);
    const r = await gatherPlatformClock({ run, timeoutMs: 1000, sysRoot: sys, procRoot: proc });
    expect(calls).toContain('vmware-toolbox-cmd timesync status');
    expect(r.observation.virtualization).toBe('vmware');
    expect(r.observation.hypervisorSync).toEqual([
      expect.objectContaining({ tool: 'vmware-tools', enabled: true, pid: 812 }),
      expect.objectContaining({ tool: 'virtualbox', enabled: true, pid: 900 }),
      expect.objectContaining({ tool: 'virtualbox', enabled: false, pid: 901 }),
    ]);
    expect(r.observation.clocksource).toEqual({ current: 'acpi_pm', available: ['tsc', 'hpet', 'acpi_pm'] });
  });

  it('VMware "Disabled" comes back with exit 69 (EX_UNAVAILABLE): read as off, not as a failure', async () => {
    const { sys, proc } = tree('this-machine', { '812': 'vmtoolsd.cmdline' });
    const run = replay({ dmesg: { stdout: '' }, 'vmware-toolbox-cmd': { ok: false, code: 69, problem: 'failed', stdout: fx('vmware-toolbox-cmd-timesync-status-disabled.txt') } });
    const r = await gatherPlatformClock({ run, timeoutMs: 1000, sysRoot: sys, procRoot: proc });
    expect(r.observation.hypervisorSync).toEqual([expect.objectContaining({ tool: 'vmware-tools', enabled: false })]);
    expect(r.gaps).toEqual([]);
  });

  it('Hyper-V: hv_utils loaded and the hyperv PTP clock named', async () => {
    const { sys, proc } = tree('this-machine', {}, (s) => {
      mkdirSync(join(s, 'module/hv_utils'), { recursive: true });
      mkdirSync(join(s, 'class/ptp/ptp0'), { recursive: true });
      writeFileSync(join(s, 'class/ptp/ptp0/clock_name'), 'hyperv\n');
    });
    const r = await gatherPlatformClock({ run: replay({ dmesg: { stdout: '' } }), timeoutMs: 1000, sysRoot: sys, procRoot: proc });
    expect(r.observation.ptpClocks).toEqual([{ device: 'ptp0', name: 'hyperv' }]);
    expect(r.observation.hypervisorSync).toEqual([expect.objectContaining({ tool: 'hyperv', enabled: true, evidence: expect.stringContaining('/dev/ptp0') })]);
  });

  it('what cannot be read becomes gaps: dmesg refused and no journal, no sysfs, vmware tool missing, ntpd journal refused', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ndplat-'));
    mkdirSync(join(dir, 'proc/812'), { recursive: true });
    copyFileSync(FX + 'vmtoolsd.cmdline', join(dir, 'proc/812/cmdline'));
    const run = replay({
      dmesg: { ok: false, code: 1, problem: 'permission', stderr: 'dmesg: read kernel buffer failed: Operation not permitted\n' },
      journalctl: { ok: false, code: 1, problem: 'permission', stderr: 'Failed to open journal: Permission denied\n' },
    });
    const r = await gatherPlatformClock({ run, timeoutMs: 1000, sysRoot: join(dir, 'nosys'), procRoot: join(dir, 'proc'), ntpdLog: true, syslogFiles: [join(dir, 'no-messages')] });
    const whats = r.gaps.map((g) => g.what).join('\n');
    expect(whats).toContain('kernel log');
    expect(whats).toContain('current_clocksource');
    expect(whats).toContain('VMware Tools');
    expect(whats).toContain("ntpd's log");
    expect(r.gaps.find((g) => g.what.includes('kernel log'))?.why).toContain('Operation not permitted');
    expect(r.observation.hypervisorSync).toEqual([expect.objectContaining({ tool: 'vmware-tools', enabled: undefined })]);
  });

  it("ntpd's journal is read only when asked, and its panic line comes back", async () => {
    const { sys, proc } = tree('this-machine', {});
    const calls: string[] = [];
    const run = replay({ dmesg: { stdout: '' }, journalctl: { stdout: fx('ntpd-panic.journal') } }, calls);
    const without = await gatherPlatformClock({ run, timeoutMs: 1000, sysRoot: sys, procRoot: proc });
    expect(calls.some((c) => c.includes('-u ntpd'))).toBe(false);
    expect(without.observation.ntpdPanics).toEqual([]);
    const withLog = await gatherPlatformClock({ run, timeoutMs: 1000, sysRoot: sys, procRoot: proc, ntpdLog: true, syslogFiles: [] });
    expect(withLog.observation.ntpdPanics).toEqual([expect.objectContaining({ via: expect.stringContaining('journalctl') })]);
  });

  it('no journal (CentOS 6, containers): the end of /var/log/messages is read, only its last MiB', async () => {
    const { sys, proc } = tree('this-machine', {});
    const messages = join(dir!, 'messages');
    // 3 MiB of other lines first: the panic line near the end is found, an old one at the start is beyond the tail.
    const old = 'Jan  1 00:00:00 node1 ntpd[1]: time correction of 99999 seconds exceeds sanity limit (1000); set clock manually to the correct UTC time.\n';
    writeFileSync(messages, old + 'Dec  6 09:00:00 node1 kernel: filler\n'.repeat(90_000) + fx('ntpd-panic.journal'));
    const run = replay({ dmesg: { stdout: '' }, journalctl: { ok: false, code: 1, problem: 'failed', stderr: 'No journal files were found.\n' } });
    const r = await gatherPlatformClock({ run, timeoutMs: 1000, sysRoot: sys, procRoot: proc, ntpdLog: true, syslogFiles: [join(dir!, 'syslog-absent'), messages] });
    expect(r.observation.ntpdPanics.map((p) => [p.seconds, p.via])).toEqual([[31566952, messages]]);
    expect(r.gaps).toEqual([]);
  });
});

describe("this machine's own /sys and kernel log, read for real (read-only)", () => {
  const cs = '/sys/devices/system/clocksource/clocksource0/current_clocksource';
  let readable = true;
  try {
    readFileSync(cs, 'utf8');
  } catch {
    readable = false;
  }
  it.skipIf(!readable)('the collector reports what sysfs says, and the platform rules agree with the machine', async () => {
    const { runCommand } = await import('../../src/inspect/run.js');
    const r = await gatherPlatformClock({ run: runCommand, timeoutMs: 5000 });
    expect(r.observation.clocksource?.current).toBe(readFileSync(cs, 'utf8').trim());
    expect(r.observation.clocksource?.available).toEqual(readFileSync(cs.replace('current', 'available'), 'utf8').trim().split(/\s+/));
    // Every event the collector kept is a line the kernel really logged in this boot.
    for (const e of r.observation.kernelEvents) expect(e.line).toMatch(/clocksource|TSC/);
  });
  if (!readable) it('SKIPPED: no readable sysfs clocksource here', () => {});
});
