import { defineRule } from '../src/diagnose/define.js';
import type { Evidence, Hit, RuleContext } from '../src/diagnose/types.js';
import type { ChronyConfigObservation, HypervisorTimeSync } from '../src/model/node.js';
import type { TimeDaemonProcess } from '../src/model/daemon.js';
import { note } from './_lib/evidence.js';
import { appendLine, cmd, draft, type Draft, ranked, words } from './_lib/fixes.js';
import { restartOf } from './_lib/node.js';

/**
 * A hypervisor's guest tools set the clock while a time daemon disciplines it: two masters. VMware Tools'
 * periodic sync (`vmware-toolbox-cmd timesync status` → Enabled) and VirtualBox's VBoxService (without
 * --disable-timesync) step or slew the guest clock to the host's; the daemon sees the jumps as offsets, its
 * frequency estimate never settles, and chronyd/ntpd step back. Hyper-V's hv_utils steps the clock on boot and
 * resume and offers the host clock as a PTP device: chrony should read that as a refclock. KVM's ptp_kvm is
 * only a clock to read (never a writer), so it is never reported.
 */
export default defineRule({
  meta: {
    id: 'hypervisor-time-sync',
    summary: 'Hypervisor guest tools (VMware Tools, VirtualBox, Hyper-V) set the clock next to the time daemon',
    severity: 'warning',
    confidence: 0.8,
    priority: 30,
    why:
      'Only one thing may steer a clock. VMware Tools with periodic time sync enabled corrects the guest clock to the ' +
      "host's every 60 s by default; VBoxService's time sync steps the clock once it is more than 20 minutes off " +
      '(--timesync-set-threshold) and slews it otherwise. A daemon running beside them sees offsets it did not ' +
      "cause, its frequency estimate (chronyc tracking: Frequency) wanders, and the two step the clock under each other. " +
      'VMware KB 1006427 advises: use NTP in the guest and turn periodic sync off (one-off syncs on resume or ' +
      'vMotion stay). Hyper-V hv_utils steps the clock on boot and resume and exposes the host clock as /dev/ptp* ' +
      "(clock_name 'hyperv'): chrony can use it as a refclock (`refclock PHC /dev/ptp_hyperv`), as Azure's images do. " +
      "KVM's ptp_kvm is a clock to read, not a writer.",
    references: [
      'open-vm-tools toolbox/toolboxcmd-time.c (timesync status/disable)',
      'VMware KB 1006427 (Timekeeping best practices for Linux guests)',
      'VirtualBox manual §9.11 (VBoxService --disable-timesync, GetHostTimeDisabled)',
      'Linux drivers/hv/hv_util.c (ICTIMESYNCFLAG_SYNC, ptp_hyperv)',
      'Microsoft Learn: Time sync for Linux VMs in Azure (refclock PHC /dev/ptp_hyperv)',
      'chrony.conf(5) refclock PHC',
    ],
  },
  match(ctx) {
    const running = ctx.of('time-daemons').flatMap((t) => t.daemons);
    if (running.length === 0) return [];
    const hits: Hit[] = [];
    const daemonLine = note(`Time daemon running: ${running.map(describe).join('; ')}`);
    for (const p of ctx.of('platform-clock')) {
      for (const h of p.hypervisorSync) {
        if (h.tool === 'vmware-tools' && h.enabled !== false) hits.push(vmware(h, daemonLine));
        else if (h.tool === 'virtualbox' && h.enabled) hits.push(virtualbox(h, daemonLine));
        else if (h.tool === 'hyperv') {
          const hit = hyperv(ctx, h, running, p.ptpClocks, daemonLine);
          if (hit) hits.push(hit);
        }
      }
    }
    return hits;
  },
});

function describe(d: TimeDaemonProcess): string {
  return `${d.name} (pid ${d.pid})`;
}

function vmware(h: HypervisorTimeSync, daemon: Evidence): Hit {
  const hit: Hit = {
    subject: 'this node',
    title: 'VMware Tools periodic time sync is enabled while a time daemon runs: two masters set this clock',
    evidence: [note(h.evidence), daemon],
    fixes: ranked([
      draft('generic', "Turn VMware Tools' periodic time sync off (the setting lives in the VM's configuration; one-off syncs on resume and vMotion remain)", [words('vmware-toolbox-cmd timesync disable')], words('vmware-toolbox-cmd timesync status'), 'Disabled'),
    ]),
  };
  if (h.enabled === undefined) {
    hit.title = 'VMware Tools runs next to a time daemon and its periodic time sync setting could not be read';
    hit.severity = 'info';
    hit.confidence = 0.4;
  }
  return hit;
}

function virtualbox(h: HypervisorTimeSync, daemon: Evidence): Hit {
  return {
    subject: 'this node',
    title: 'VirtualBox guest additions (VBoxService) sync the clock while a time daemon runs: two masters set this clock',
    evidence: [note(h.evidence), note('No --disable-timesync on its command line'), daemon],
    fixes: ranked([
      draft(
        'systemd',
        'On the host, turn the guest time sync off for this VM (VBoxManage setextradata VMNAME "VBoxInternal/Devices/VMMDev/0/Config/GetHostTimeDisabled" 1, then power-cycle the VM); or, in the guest, stop the guest-additions service altogether (this also stops shared-folder automount and clipboard)',
        [words('systemctl disable --now vboxadd-service')],
        cmd('ps', '-o', 'args=', '-C', 'VBoxService'),
        'nothing, or --disable-timesync',
      ),
    ]),
  };
}

/** Hyper-V: only when the daemon does not already read the host clock as a PHC refclock. */
function hyperv(ctx: RuleContext, h: HypervisorTimeSync, running: readonly TimeDaemonProcess[], ptp: ReadonlyArray<{ device: string; name: string }>, daemon: Evidence): Hit | undefined {
  const chrony = ctx.of('chrony-config').filter((c) => c.inUse);
  if (chrony.some((c) => c.config.sources.some((s) => s.refclock?.driver === 'PHC'))) return undefined;
  if (!running.some((d) => d.name === 'chronyd' || d.name === 'ntpd')) return undefined;
  const phc = ptp.find((p) => p.name === 'hyperv');
  const device = phc && /^ptp\d{1,3}$/.test(phc.device) ? `/dev/${phc.device}` : '/dev/ptp_hyperv';
  const fixes: Draft[] = chrony.map((c: ChronyConfigObservation) =>
    draft('chrony', `Read the Hyper-V host clock as a refclock in chronyd (${device}), so the host's steps on resume agree with what chronyd follows`, [appendLine(c.config.file, `refclock PHC ${device} poll 3 dpoll -2 offset 0`), restartOf(c)], words('chronyc sources'), '#* PHC0 after a minute'),
  );
  if (fixes.length === 0) {
    fixes.push(draft('generic', 'Use chrony with the Hyper-V host clock as a refclock (refclock PHC /dev/ptp_hyperv poll 3 dpoll -2 offset 0), or keep ntpd and expect a step after every resume', [words('ls -l /dev/ptp_hyperv /sys/class/ptp')], words('chronyc sources'), '#* PHC0'));
  }
  return {
    subject: 'this node',
    title: "Hyper-V's hv_utils time sync steps this clock on boot and resume while the daemon follows network servers",
    evidence: [note(h.evidence), daemon, note(phc ? `${device} is the host clock (clock_name hyperv), unused by the daemon` : 'No PHC refclock in the chrony configuration')],
    fixes: ranked(fixes),
    severity: 'info',
    confidence: 0.5,
  };
}
