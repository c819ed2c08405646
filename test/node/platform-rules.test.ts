/**
 * The platform rules (hypervisor-time-sync, clocksource-unstable, leap-smear-mix) and makestep-missing's VM and
 * panic-exit evidence, on observations built from the recorded fixtures (test/inspect/fixtures/platform/) and
 * real configs through the real parsers: each fires where it should and stays quiet where it must.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeContext } from '../../src/diagnose/engine.js';
import type { Hit, Rule } from '../../src/diagnose/types.js';
import { parseClocksource, parseKernelClockLog, parseNtpdPanics, parseResumes } from '../../src/inspect/hostclock/parse.js';
import type { PlatformClockObservation } from '../../src/model/node.js';
import type { Observation } from '../../src/model/observation.js';
import clocksourceUnstable from '../../rules/clocksource-unstable.js';
import hypervisorTimeSync from '../../rules/hypervisor-time-sync.js';
import leapSmearMix from '../../rules/leap-smear-mix.js';
import makestepMissing from '../../rules/makestep-missing.js';
import { chronyConfig, daemon, daemons, ntpdConfig } from './_build.js';
import { platform } from './_clock.js';

const FX = fileURLToPath(new URL('../inspect/fixtures/platform/', import.meta.url));
const fx = (name: string) => readFileSync(FX + name, 'utf8');
const hits = (rule: Rule, obs: Observation[]): Hit[] => rule.match(makeContext(obs));

const thisMachine = () =>
  platform({
    virtualization: 'kvm',
    clocksource: parseClocksource(fx('this-machine/sys/devices/system/clocksource/clocksource0/current_clocksource'), fx('this-machine/sys/devices/system/clocksource/clocksource0/available_clocksource'))!,
    kernelEvents: parseKernelClockLog(fx('this-machine/dmesg-clocksource.txt'), 'dmesg'),
  });
const chronyd = () => daemons([daemon('chronyd', 612, ['/usr/sbin/chronyd', '-F', '2'])]);
const vmwareOn = () => platform({ virtualization: 'vmware', hypervisorSync: [{ tool: 'vmware-tools', enabled: true, evidence: 'vmtoolsd runs (pid 812); `vmware-toolbox-cmd timesync status`: Enabled', pid: 812 }] });

describe('hypervisor-time-sync', () => {
  it('VMware Tools periodic sync enabled next to chronyd: warning, fix disables the periodic sync', () => {
    const [h, ...rest] = hits(hypervisorTimeSync, [chronyd(), vmwareOn()]);
    expect(rest).toEqual([]);
    expect(h?.title).toMatch(/VMware Tools periodic time sync is enabled/);
    expect(h?.severity).toBeUndefined();
    expect(h?.fixes[0]?.commands).toEqual(['vmware-toolbox-cmd timesync disable']);
    expect(h?.evidence.map((e) => e.text).join('\n')).toContain('chronyd (pid 612)');
  });

  it('quiet when the sync is Disabled, or when no daemon runs (then the tools are the only master)', () => {
    const off = platform({ hypervisorSync: [{ tool: 'vmware-tools', enabled: false, evidence: 'Disabled' }] });
    expect(hits(hypervisorTimeSync, [chronyd(), off])).toEqual([]);
    expect(hits(hypervisorTimeSync, [daemons([]), vmwareOn()])).toEqual([]);
  });

  it('VMware setting unreadable: an info, not a warning', () => {
    const unknown = platform({ hypervisorSync: [{ tool: 'vmware-tools', enabled: undefined, evidence: 'vmtoolsd runs (pid 812)' }] });
    expect(hits(hypervisorTimeSync, [chronyd(), unknown])[0]).toMatchObject({ severity: 'info' });
  });

  it('VBoxService without --disable-timesync next to ntpd fires; with it, quiet', () => {
    const ntpd = daemons([daemon('ntpd', 700, ['/usr/sbin/ntpd', '-g'])]);
    const on = platform({ hypervisorSync: [{ tool: 'virtualbox', enabled: true, evidence: 'VBoxService pid 900: /usr/sbin/VBoxService --pidfile /var/run/vboxadd-service.sh', pid: 900 }] });
    expect(hits(hypervisorTimeSync, [ntpd, on])[0]?.title).toMatch(/VirtualBox/);
    const off = platform({ hypervisorSync: [{ tool: 'virtualbox', enabled: false, evidence: 'x', pid: 901 }] });
    expect(hits(hypervisorTimeSync, [ntpd, off])).toEqual([]);
  });

  it('Hyper-V: chrony without a PHC refclock gets an info with the exact refclock line; with one, quiet', () => {
    const hv = platform({ virtualization: 'microsoft', ptpClocks: [{ device: 'ptp0', name: 'hyperv' }], hypervisorSync: [{ tool: 'hyperv', enabled: true, evidence: 'hv_utils is loaded' }] });
    const plain = chronyConfig('chrony.conf', 'server 10.0.0.1 iburst\nmakestep 1 3\n', { inUse: true });
    const [h] = hits(hypervisorTimeSync, [chronyd(), plain, hv]);
    expect(h?.severity).toBe('info');
    expect(h?.fixes[0]?.commands[0]).toBe("echo 'refclock PHC /dev/ptp0 poll 3 dpoll -2 offset 0' >> /etc/chrony.conf");
    const withPhc = chronyConfig('chrony.conf', 'refclock PHC /dev/ptp_hyperv poll 3 dpoll -2 offset 0\nserver 10.0.0.1 iburst\n', { inUse: true });
    expect(hits(hypervisorTimeSync, [chronyd(), withPhc, hv])).toEqual([]);
  });

  it("this machine's real state (KVM, no guest tools): quiet", () => {
    expect(hits(hypervisorTimeSync, [chronyd(), thisMachine()])).toEqual([]);
  });
});

describe('clocksource-unstable', () => {
  const tscDropped = () =>
    platform({ clocksource: parseClocksource(fx('hpet-current_clocksource'), fx('hpet-available_clocksource'))!, kernelEvents: parseKernelClockLog(fx('kernel-tsc-unstable.dmesg'), 'dmesg') });

  it("the watchdog's line and hpet current: warning quoting the kernel's own words", () => {
    const [h, ...rest] = hits(clocksourceUnstable, [tscDropped()]);
    expect(rest).toEqual([]);
    expect(h?.title).toBe("The kernel marked clocksource 'tsc' unstable and runs on hpet: the daemon disciplines a clock whose rate jumps");
    expect(h?.severity).toBeUndefined();
    const ev = h!.evidence.map((e) => e.text).join('\n');
    expect(ev).toContain("Marking clocksource 'tsc' as unstable because the skew is too large");
    expect(ev).toContain('Switched to clocksource hpet');
    // tsc is no longer available: no "switch back to tsc" fix.
    expect(h?.fixes.map((f) => f.commands.join(' ')).join('\n')).not.toContain('echo tsc');
  });

  it('acpi_pm current while tsc is available, no watchdog line: an info, with the runtime switch as second fix', () => {
    const p = platform({ clocksource: parseClocksource(fx('acpi_pm-current_clocksource'), fx('acpi_pm-available_clocksource'))! });
    const [h] = hits(clocksourceUnstable, [p]);
    expect(h?.severity).toBe('info');
    expect(h?.title).toMatch(/acpi_pm although tsc is available/);
    expect(h?.fixes[1]?.commands).toEqual(['echo tsc > /sys/devices/system/clocksource/clocksource0/current_clocksource']);
  });

  it("this machine's real sysfs and dmesg (kvm-clock): quiet", () => {
    expect(hits(clocksourceUnstable, [thisMachine()])).toEqual([]);
  });

  it('a KVM guest on kvm-clock whose TSC was dropped beside it lost nothing: quiet', () => {
    const p = platform({ clocksource: { current: 'kvm-clock', available: ['kvm-clock', 'hpet'] }, kernelEvents: parseKernelClockLog(fx('kernel-tsc-unstable.dmesg'), 'dmesg') });
    expect(hits(clocksourceUnstable, [p])).toEqual([]);
  });
});

describe('leap-smear-mix', () => {
  it('time.google.com next to pool.ntp.org (chrony): both lines in evidence, two exclusive fixes', () => {
    const c = chronyConfig('chrony.conf', 'server time.google.com iburst\npool 2.debian.pool.ntp.org iburst\nmakestep 1 3\n');
    const [h, ...rest] = hits(leapSmearMix, [c]);
    expect(rest).toEqual([]);
    expect(h?.title).toBe('/etc/chrony.conf mixes 1 leap-smearing and 1 non-smearing source(s): they disagree by up to 0.5 s around a leap second');
    expect(h?.evidence.map((e) => e.line)).toEqual([1, 2]);
    expect(h?.fixes.map((f) => f.commands[0])).toEqual(["sed -i '2s/^/# /' /etc/chrony.conf", "sed -i '1s/^/# /' /etc/chrony.conf"]);
  });

  it("Amazon's 169.254.169.123 with `leapsectz right/UTC` and no other source: the leapsectz line is what to remove", () => {
    const c = chronyConfig('chrony.conf', 'server 169.254.169.123 prefer iburst minpoll 4 maxpoll 4\nleapsectz right/UTC\n');
    const [h] = hits(leapSmearMix, [c]);
    expect(h?.title).toMatch(/a leap-smearing source and `leapsectz`/);
    expect(h?.fixes.map((f) => f.commands)).toEqual([["sed -i '2s/^/# /' /etc/chrony.conf", 'systemctl restart chronyd']]);
  });

  it('ntpd: fd00:ec2::123 with a `leapfile` and a public server', () => {
    const c = ntpdConfig('ntp.conf', 'server fd00:ec2::123 iburst\nserver 0.pool.ntp.org iburst\nleapfile /usr/share/zoneinfo/leap-seconds.list\n');
    const [h] = hits(leapSmearMix, [c]);
    expect(h?.evidence.map((e) => e.line)).toEqual([1, 2, 3]);
    expect(h?.fixes.length).toBe(3);
  });

  it("Google's anycast addresses count as Google, whether written or resolved", () => {
    const [h] = hits(leapSmearMix, [chronyConfig('chrony.conf', 'server 2001:4860:4806:8:: iburst\nserver ntp.example.net iburst\n', { names: { 'ntp.example.net': ['203.0.113.5'] } })]);
    expect(h?.evidence[0]?.text).toContain('Google Public NTP');
    const [r] = hits(leapSmearMix, [chronyConfig('chrony.conf', 'server ntp1.corp.example iburst\nserver 0.pool.ntp.org iburst\n', { names: { 'ntp1.corp.example': ['216.239.35.4'] } })]);
    expect(r?.evidence[0]?.text).toContain('Google Public NTP');
  });

  it('smearing plus only private servers: an info (they may relay the smear)', () => {
    const [h] = hits(leapSmearMix, [chronyConfig('chrony.conf', 'server 169.254.169.123 iburst\nserver 10.1.2.3 iburst\n')]);
    expect(h).toMatchObject({ severity: 'info' });
  });
});

describe('makestep-missing: the VM and panic-exit evidence', () => {
  it('`makestep 1 3` on a VM: info, replace the line with a negative limit', () => {
    const c = chronyConfig('chrony.conf', 'server 10.0.0.1 iburst\nmakestep 1 3\n');
    const found = hits(makestepMissing, [c, platform({ virtualization: 'vmware' })]);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ severity: 'info', subject: '/etc/chrony.conf' });
    expect(found[0]?.fixes[0]?.commands).toEqual(["sed -i '2c\\makestep 1 -1' /etc/chrony.conf", 'systemctl restart chronyd']);
  });

  it('`makestep 1 3` on bare metal, on a KVM guest that never resumed (this machine), and `makestep 1 -1` on VMware: quiet', () => {
    const distroDefault = () => chronyConfig('chrony.conf', 'server 10.0.0.1 iburst\nmakestep 1 3\n');
    expect(hits(makestepMissing, [distroDefault(), platform()])).toEqual([]);
    expect(hits(makestepMissing, [distroDefault(), thisMachine()])).toEqual([]);
    expect(hits(makestepMissing, [chronyConfig('chrony.conf', 'server 10.0.0.1 iburst\nmakestep 1 -1\n'), platform({ virtualization: 'vmware' })])).toEqual([]);
  });

  it('a resume from suspend in the kernel log (kernel/power/suspend.c "PM: suspend exit") counts on any machine', () => {
    const log = '[ 8123.000100] PM: suspend entry (deep)\n[ 8123.400200] PM: suspend exit\n';
    const p = platform({ resumes: parseResumes(log, 'dmesg')! });
    const [h] = hits(makestepMissing, [chronyConfig('chrony.conf', 'server 10.0.0.1 iburst\nmakestep 1 3\n'), p]);
    expect(h?.title).toBe('`makestep 1 3` steps only in the first 3 updates: after a suspend, snapshot restore or migration chronyd will only slew');
    expect(h?.evidence[1]?.text).toBe('dmesg: 1 resume(s) from suspend this boot, the last: [ 8123.400200] PM: suspend exit');
  });

  it("ntpd's recorded panic exit: an error naming the offset, with ntpd -gq and tinker panic 0", () => {
    const conf = ntpdConfig('ntp.conf', 'server 10.0.0.1 iburst\n', { inUse: true, variant: 'ntpsec', service: 'ntpsec' });
    const p = platform({ ntpdPanics: parseNtpdPanics(fx('ntpd-panic.journal'), 'ntpd log') });
    const found = hits(makestepMissing, [conf, daemons([]), p]);
    expect(found).toHaveLength(1);
    expect(found[0]?.severity).toBe('error');
    expect(found[0]?.title).toMatch(/^ntpd exited at its panic threshold/);
    expect(found[0]?.evidence[0]?.text).toContain('exceeds sanity limit');
    expect(found[0]?.fixes.map((f) => f.commands)).toEqual([
      ['systemctl stop ntpsec', 'ntpd -gq', 'systemctl start ntpsec'],
      ["echo 'tinker panic 0' >> /etc/ntp.conf", 'systemctl restart ntpsec'],
    ]);
  });
});
