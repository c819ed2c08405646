/**
 * Pure readers of the platform's own text: the kernel's clocksource files and log lines, vmware-toolbox-cmd's
 * answer, a VBoxService command line, ntpd's panic line, the DMI vendor. Every input is hostile: lines are capped
 * in length and count, and nothing here throws.
 */
import type { ClocksourceEvent } from '../../model/node.js';

/** Longest log line kept as evidence (the kernel's own lines are < 200 characters). */
const MAX_LINE = 300;
/** At most this many clocksource events are kept (a flapping watchdog can log thousands). */
export const MAX_EVENTS = 20;

/** A clocksource name as the kernel spells them (tsc, hpet, acpi_pm, kvm-clock, hyperv_clocksource_tsc_page, arch_sys_counter). */
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** current_clocksource and available_clocksource (space-separated), as read from sysfs. */
export function parseClocksource(current: string, available: string): { current: string; available: string[] } | undefined {
  const cur = current.trim();
  if (!NAME.test(cur)) return undefined;
  const avail = available.trim().split(/\s+/).filter((n) => NAME.test(n)).slice(0, 32);
  return { current: cur, available: avail };
}

/**
 * Clocksource events in kernel log text (dmesg or `journalctl -k`). The messages, from kernel/time/clocksource.c
 * (pr_fmt "clocksource: "):
 *   "timekeeping watchdog on CPU%d: Marking clocksource '%s' as unstable because the skew is too large:"
 *   "Switched to clocksource %s"
 * and arch/x86/kernel/tsc.c: "tsc: Marking TSC unstable due to %s" (the same event, seen from the TSC side).
 */
export function parseKernelClockLog(text: string, via: string): ClocksourceEvent[] {
  // Kept as we go, so a flapping watchdog (thousands of lines) costs nothing: the first unstable events (the
  // cause) and the last switches (where the kernel ended up).
  const unstable: ClocksourceEvent[] = [];
  const switched: ClocksourceEvent[] = [];
  for (const raw of text.split('\n')) {
    if (!raw.includes('locksource') && !raw.includes('TSC unstable')) continue;
    const line = raw.trim().slice(0, MAX_LINE);
    let m = /Marking clocksource '([^']{1,64})' as unstable/.exec(line);
    if (m && NAME.test(m[1] as string)) {
      if (unstable.length < MAX_EVENTS / 2) unstable.push({ event: 'unstable', clocksource: m[1] as string, line, via });
    } else if (/tsc: Marking TSC unstable due to/.test(line)) {
      // The same event as the watchdog line above when both are there; alone it still means the TSC was dropped.
      if (unstable.length < MAX_EVENTS / 2 && !unstable.some((e) => e.clocksource.startsWith('tsc'))) unstable.push({ event: 'unstable', clocksource: 'tsc', line, via });
    } else if ((m = /clocksource: Switched to clocksource (\S{1,64})/.exec(line)) && NAME.test(m[1] as string)) {
      switched.push({ event: 'switched', clocksource: m[1] as string, line, via });
      if (switched.length > MAX_EVENTS / 2) switched.shift();
    }
  }
  return [...unstable, ...switched];
}

/**
 * Resumes in kernel log text: kernel/power/suspend.c `pr_info("suspend exit\n")` (pr_fmt "PM: "),
 * kernel/power/hibernate.c "PM: hibernation: hibernation exit", and older kernels' "PM: Finishing wakeup.".
 */
export function parseResumes(text: string, via: string): { count: number; last: string; via: string } | undefined {
  let count = 0;
  let last = '';
  for (const raw of text.split('\n')) {
    if (!/PM: (suspend exit|hibernation: hibernation exit|Finishing wakeup)/.test(raw)) continue;
    count++;
    last = raw.trim().slice(0, MAX_LINE);
  }
  return count ? { count, last, via } : undefined;
}

/**
 * `vmware-toolbox-cmd timesync status` (open-vm-tools toolbox/toolboxcmd-time.c, TimeSyncStatus): prints
 * "Enabled" and exits 0, or "Disabled" and exits EX_UNAVAILABLE (69). Localised builds translate the words, so
 * the exit status decides when the word is not recognised.
 */
export function parseVmwareStatus(stdout: string, code: number | null): boolean | undefined {
  const word = stdout.trim().split('\n')[0]?.trim() ?? '';
  if (/^enabled$/i.test(word)) return true;
  if (/^disabled$/i.test(word)) return false;
  if (code === 0) return true;
  if (code === 69) return false;
  return undefined;
}

/**
 * VBoxService syncs the guest clock unless started with --disable-timesync (VBoxService --help; the sync can also
 * be turned off from the host with GetHostTimeDisabled, which the guest cannot see).
 */
export function virtualboxSyncOn(argv: readonly string[]): boolean {
  return !argv.some((a) => a === '--disable-timesync');
}

/** A program name a process may carry in argv[0]. */
export function programOf(argv: readonly string[]): string {
  const first = argv[0] ?? '';
  return first.slice(first.lastIndexOf('/') + 1);
}

/**
 * ntpd's panic exit (ntpd/ntp_loopfilter.c local_clock): "time correction of %.0f seconds exceeds sanity limit
 * (%.0f); set clock manually to the correct UTC time." (NTPsec: the same text).
 */
export function parseNtpdPanics(text: string, via: string): Array<{ line: string; seconds: number; via: string }> {
  const out: Array<{ line: string; seconds: number; via: string }> = [];
  for (const raw of text.split('\n')) {
    const m = /time correction of (-?\d{1,12}) seconds exceeds sanity limit/.exec(raw);
    if (!m) continue;
    out.push({ line: raw.trim().slice(0, MAX_LINE), seconds: Number(m[1]), via });
    // The last ones matter (the most recent exits); keep a handful.
    if (out.length > 5) out.shift();
  }
  return out;
}

/** /sys/class/dmi/id/sys_vendor (and product_name) → systemd-detect-virt's names (src/basic/virt.c dmi_vendor_table). */
export function virtualizationFromDmi(vendor: string, product = ''): string | undefined {
  const v = `${vendor.trim()} ${product.trim()}`;
  if (/VMware/i.test(v)) return 'vmware';
  if (/innotek GmbH|Oracle Corporation|VirtualBox/i.test(v)) return 'oracle';
  if (/Microsoft Corporation/i.test(v) && /Virtual Machine/i.test(v)) return 'microsoft';
  if (/QEMU|KVM|Red Hat/i.test(v)) return 'kvm';
  if (/Xen/i.test(v)) return 'xen';
  if (/Amazon EC2/i.test(v)) return 'amazon';
  return undefined;
}

/** The clocksource a hypervisor provides tells which one it is when DMI is not readable (containers). */
export function virtualizationFromClocksource(available: readonly string[]): string | undefined {
  if (available.includes('kvm-clock')) return 'kvm';
  if (available.some((n) => n.startsWith('hyperv_clocksource'))) return 'microsoft';
  if (available.includes('xen')) return 'xen';
  return undefined;
}
