/**
 * The platform under the daemon, read-only: sysfs clocksource files, DMI vendor, PTP clocks, the hv_utils module,
 * hypervisor tools in /proc, the kernel log (dmesg, else `journalctl -k -b`), `vmware-toolbox-cmd timesync status`
 * and ntpd's journal for its panic exit. Every file read is capped, every command bounded by the Runner's timeout;
 * what could not be read comes back as a gap for inspection-incomplete.
 */
import { open, readdir } from 'node:fs/promises';
import type { HypervisorTimeSync, PlatformClockObservation } from '../../model/node.js';
import { whyFailed, type Runner } from '../run.js';
import { parseClocksource, parseKernelClockLog, parseResumes, parseNtpdPanics, parseVmwareStatus, programOf, virtualboxSyncOn, virtualizationFromClocksource, virtualizationFromDmi } from './parse.js';

export interface PlatformGap {
  what: string;
  why: string;
}

export interface PlatformGatherOptions {
  run: Runner;
  timeoutMs: number;
  /** Roots, for tests that replay recorded trees. */
  sysRoot?: string;
  procRoot?: string;
  /** Look for ntpd's panic exit in its journal (an ntp.conf is there or ntpd runs). */
  ntpdLog?: boolean;
  /** Syslog files searched when the journal has nothing (tests). */
  syslogFiles?: readonly string[];
}

/** Bytes read from any one file: sysfs values are one line, cmdline a few hundred bytes. */
const FILE_CAP = 16 * 1024;
/** Processes looked at, and PTP devices: bounds on a hostile /proc or /sys. */
const MAX_PIDS = 200_000;
const MAX_PTP = 64;

/** First FILE_CAP bytes of a file, or undefined (absent, unreadable, not a regular file that answers). */
export async function readCapped(path: string, cap = FILE_CAP): Promise<string | undefined> {
  let fh;
  try {
    fh = await open(path, 'r');
    const buf = Buffer.alloc(cap);
    const { bytesRead } = await fh.read(buf, 0, cap, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } catch {
    return undefined;
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/** vmtoolsd and VBoxService in /proc (their command lines). */
async function hypervisorProcesses(procRoot: string): Promise<Array<{ pid: number; argv: string[] }>> {
  let names: string[];
  try {
    names = (await readdir(procRoot)).filter((n) => /^\d{1,10}$/.test(n)).slice(0, MAX_PIDS);
  } catch {
    return [];
  }
  const found: Array<{ pid: number; argv: string[] }> = [];
  // In slices, so a huge /proc never opens thousands of files at once.
  for (let i = 0; i < names.length; i += 256) {
    await Promise.all(
      names.slice(i, i + 256).map(async (pid) => {
        const raw = await readCapped(`${procRoot}/${pid}/cmdline`, 4096);
        if (!raw) return;
        const argv = raw.split('\0').filter(Boolean).slice(0, 64);
        const prog = programOf(argv);
        if (prog === 'vmtoolsd' || prog === 'VBoxService') found.push({ pid: Number(pid), argv });
      }),
    );
  }
  return found.sort((a, b) => a.pid - b.pid);
}

async function ptpClocks(sysRoot: string): Promise<Array<{ device: string; name: string }>> {
  let devs: string[];
  try {
    devs = (await readdir(`${sysRoot}/class/ptp`)).filter((d) => /^ptp\d{1,3}$/.test(d)).slice(0, MAX_PTP);
  } catch {
    return [];
  }
  const out: Array<{ device: string; name: string }> = [];
  for (const device of devs.sort()) {
    const name = (await readCapped(`${sysRoot}/class/ptp/${device}/clock_name`, 256))?.trim();
    // Printable ASCII only: the name lands in evidence text.
    if (name && /^[\x20-\x7e]{1,64}$/.test(name)) out.push({ device, name });
  }
  return out;
}

/** The kernel log: dmesg (refused when kernel.dmesg_restrict=1 and not root), else the journal's kernel lines of this boot. */
type KernelLog = { events: PlatformClockObservation['kernelEvents']; resumes?: { count: number; last: string; via: string } };

function readKernelLog(text: string, via: string): KernelLog {
  const resumes = parseResumes(text, via);
  return resumes ? { events: parseKernelClockLog(text, via), resumes } : { events: parseKernelClockLog(text, via) };
}

async function kernelLog(run: Runner, timeoutMs: number, gaps: PlatformGap[]): Promise<KernelLog> {
  const d = await run('dmesg', [], { timeoutMs });
  if (d.ok) return readKernelLog(d.stdout, 'dmesg');
  const j = await run('journalctl', ['-k', '-b', '-q', '--no-pager', '-o', 'short-monotonic', '-n', '20000'], { timeoutMs });
  if (j.ok && j.stdout.trim()) return readKernelLog(j.stdout, 'journalctl -k -b');
  gaps.push({ what: 'kernel log (clocksource messages)', why: `${whyFailed(d, timeoutMs)}; ${j.ok ? '`journalctl -k -b` shows no kernel lines to this user' : whyFailed(j, timeoutMs)}` });
  return { events: [] };
}

async function vmwareStatus(run: Runner, timeoutMs: number, pid: number, gaps: PlatformGap[]): Promise<HypervisorTimeSync> {
  const r = await run('vmware-toolbox-cmd', ['timesync', 'status'], { timeoutMs });
  const enabled = r.problem === 'not-found' || r.problem === 'timeout' ? undefined : parseVmwareStatus(r.stdout, r.code);
  if (enabled === undefined) gaps.push({ what: 'VMware Tools periodic time sync setting', why: whyFailed(r, timeoutMs) });
  const word = r.stdout.trim().split('\n')[0]?.slice(0, 40) ?? '';
  return { tool: 'vmware-tools', enabled, evidence: `vmtoolsd runs (pid ${pid}); \`vmware-toolbox-cmd timesync status\`: ${word || '(no answer)'}`, pid };
}

/** The last `cap` bytes of a file (a syslog file can be gigabytes): undefined when absent or unreadable. */
export async function readTail(path: string, cap = SYSLOG_TAIL): Promise<string | undefined> {
  let fh;
  try {
    fh = await open(path, 'r');
    const st = await fh.stat();
    if (!st.isFile()) return undefined;
    const len = Math.min(cap, st.size);
    const buf = Buffer.alloc(len);
    const { bytesRead } = await fh.read(buf, 0, len, st.size - len);
    return buf.subarray(0, bytesRead).toString('utf8');
  } catch {
    return undefined;
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/** Bytes read from the end of /var/log/messages or /var/log/syslog. */
const SYSLOG_TAIL = 1024 * 1024;
const SYSLOG_FILES = ['/var/log/messages', '/var/log/syslog'];

/**
 * ntpd's panic exit: the journal of its units this boot, else the end of the syslog file (CentOS 6 and systems
 * without journald write it to /var/log/messages, Debian to /var/log/syslog).
 */
async function ntpdPanics(run: Runner, timeoutMs: number, gaps: PlatformGap[], syslogFiles: readonly string[]): Promise<PlatformClockObservation['ntpdPanics']> {
  const r = await run('journalctl', ['-b', '-q', '--no-pager', '-o', 'short', '-n', '5000', '-u', 'ntpd', '-u', 'ntp', '-u', 'ntpsec'], { timeoutMs });
  const fromJournal = r.ok ? parseNtpdPanics(r.stdout, 'journalctl -u ntpd -u ntp -u ntpsec -b') : [];
  if (fromJournal.length) return fromJournal;
  let readAny = false;
  for (const file of syslogFiles) {
    const text = await readTail(file);
    if (text === undefined) continue;
    readAny = true;
    const found = parseNtpdPanics(text, file);
    if (found.length) return found;
  }
  if (!r.ok && !readAny) gaps.push({ what: "ntpd's log (panic exits)", why: `${whyFailed(r, timeoutMs)}; no readable ${syslogFiles.join(' or ')}` });
  return [];
}

export async function gatherPlatformClock(opts: PlatformGatherOptions): Promise<{ observation: PlatformClockObservation; gaps: PlatformGap[] }> {
  const sys = opts.sysRoot ?? '/sys';
  const proc = opts.procRoot ?? '/proc';
  const gaps: PlatformGap[] = [];
  const csDir = `${sys}/devices/system/clocksource/clocksource0`;
  // vmware-toolbox-cmd runs as soon as vmtoolsd is seen, beside the kernel log: the commands' time limits overlap.
  const procsJob = hypervisorProcesses(proc);
  const vmwareJob = procsJob.then((ps) => {
    const tools = ps.find((p) => programOf(p.argv) === 'vmtoolsd');
    return tools ? vmwareStatus(opts.run, opts.timeoutMs, tools.pid, gaps) : undefined;
  });
  const [current, available, vendor, product, cpuinfo, hvUtils, ptp, procs, klog, panics, vmware] = await Promise.all([
    readCapped(`${csDir}/current_clocksource`),
    readCapped(`${csDir}/available_clocksource`),
    readCapped(`${sys}/class/dmi/id/sys_vendor`, 256),
    readCapped(`${sys}/class/dmi/id/product_name`, 256),
    readCapped(`${proc}/cpuinfo`, 64 * 1024),
    readdir(`${sys}/module/hv_utils`).then(() => true, () => false),
    ptpClocks(sys),
    procsJob,
    kernelLog(opts.run, opts.timeoutMs, gaps),
    opts.ntpdLog ? ntpdPanics(opts.run, opts.timeoutMs, gaps, opts.syslogFiles ?? SYSLOG_FILES) : Promise.resolve([]),
    vmwareJob,
  ]);
  const observation: PlatformClockObservation = { kind: 'platform-clock', source: 'node', kernelEvents: klog.events, hypervisorSync: [], ptpClocks: ptp, ntpdPanics: panics };
  if (klog.resumes) observation.resumes = klog.resumes;
  const cs = current !== undefined && available !== undefined ? parseClocksource(current, available) : undefined;
  if (cs) observation.clocksource = cs;
  else gaps.push({ what: `${csDir}/current_clocksource`, why: 'not readable (no sysfs here, or not Linux)' });
  const virt =
    (vendor !== undefined ? virtualizationFromDmi(vendor, product) : undefined) ??
    virtualizationFromClocksource(cs?.available ?? []) ??
    (hvUtils ? 'microsoft' : undefined) ??
    (cpuinfo !== undefined && /^flags\s*:.*\bhypervisor\b/m.test(cpuinfo) ? 'vm' : undefined);
  if (virt) observation.virtualization = virt;

  if (vmware) observation.hypervisorSync.push(vmware);
  for (const p of procs) {
    if (programOf(p.argv) === 'VBoxService') {
      observation.hypervisorSync.push({ tool: 'virtualbox', enabled: virtualboxSyncOn(p.argv), evidence: `VBoxService pid ${p.pid}: ${p.argv.join(' ').slice(0, 200)}`, pid: p.pid });
    }
  }
  // Hyper-V Integration Services time sync (drivers/hv/hv_util.c): steps the clock on boot and resume
  // (ICTIMESYNCFLAG_SYNC) and offers the host clock as the PTP device 'hyperv' (ptp_hyperv).
  if (hvUtils) {
    const phc = ptp.find((p) => p.name === 'hyperv');
    observation.hypervisorSync.push({ tool: 'hyperv', enabled: true, evidence: `hv_utils is loaded (${sys}/module/hv_utils)${phc ? `; the host clock is /dev/${phc.device} (clock_name hyperv)` : ''}` });
  }
  return { observation, gaps };
}
