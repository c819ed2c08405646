/**
 * The kernel's own verdict on the clock (adjtimex(2)): a daemon that disciplines the clock clears STA_UNSYNC and
 * keeps `maxerror` below 16 s; the kernel sets STA_UNSYNC again and grows maxerror by 500 ppm when nobody does
 * (kernel/time/ntp.c, NTP_PHASE_LIMIT). node_exporter's timex collector reads exactly these two values, and its
 * NodeClockNotSynchronising alert is `node_timex_sync_status == 0 and node_timex_maxerror_seconds >= 16`;
 * systemd-timedated's NTPSynchronized is the same test (ntp_synced() in systemd's time-util.c).
 *
 * Read only, three ways, first that answers wins:
 *  1. adjtimex(2) with modes = 0 through perl's `syscall` (perl is on almost every host; Node has no binding).
 *     modes 0 is a pure read: no privilege needed, nothing changed (what `ntptime` and `adjtimex --print` do).
 *  2. `adjtimex --print` (Debian package adjtimex), when installed: --print only prints, it never sets. Not
 *     installed by scripts/setup.sh on purpose: its postinst may run adjtimexconfig and its boot service sets
 *     tick and frequency (`adjtimex -tick -frequency`), a clock write; the tests use recorded output instead.
 *  3. `timedatectl show` (systemd): NTPSynchronized=yes/no only, no raw status.
 * The syscall itself is src/kernel/timex.ts, shared with serve's leap indicator (src/serve/host-clock.ts).
 */
import { endianness } from 'node:os';
import { whyFailed, type Runner } from './run.js';

import { decodeTimex as decodeRaw, longBytes, MAXERROR_UNSYNC_US, perlAdjtimex, STA_UNSYNC, SYS_ADJTIMEX } from '../kernel/timex.js';

export { MAXERROR_UNSYNC_US, STA_CLOCKERR, STA_DEL, STA_INS, STA_NANO, STA_PLL, STA_UNSYNC, perlAdjtimex } from '../kernel/timex.js';

const STATUS_NAMES: ReadonlyArray<[number, string]> = [
  [0x0001, 'PLL'],
  [0x0002, 'PPSFREQ'],
  [0x0004, 'PPSTIME'],
  [0x0008, 'FLL'],
  [0x0010, 'INS'],
  [0x0020, 'DEL'],
  [0x0040, 'UNSYNC'],
  [0x0080, 'FREQHOLD'],
  [0x0100, 'PPSSIGNAL'],
  [0x0200, 'PPSJITTER'],
  [0x0400, 'PPSWANDER'],
  [0x0800, 'PPSERROR'],
  [0x1000, 'CLOCKERR'],
  [0x2000, 'NANO'],
  [0x4000, 'MODE'],
  [0x8000, 'CLK'],
];

/** `status 0x6041 (PLL,UNSYNC,NANO,MODE)`-style names, as ntptime prints them. */
export function statusNames(status: number): string[] {
  return STATUS_NAMES.filter(([bit]) => (status & bit) !== 0).map(([, n]) => n);
}

/** What the kernel said, in one shape whichever way it was read. */
export interface KernelClockReading {
  via: 'adjtimex(2) modes 0 (perl)' | 'adjtimex --print' | 'timedatectl show';
  /** Kernel status word; absent when only timedatectl answered. */
  status?: number;
  /** Microseconds; absent when only timedatectl answered. */
  maxerror?: number;
  /** adjtimex's return value: TIME_OK 0 … TIME_ERROR 5 (the clock is not synchronized). */
  state?: number;
  /** The kernel's verdict: STA_UNSYNC clear and maxerror < 16 s. */
  synchronized: boolean;
  /** Why unsynchronized, in words ('STA_UNSYNC set', 'maxerror 16.0 s ≥ 16 s'); empty when synchronized. */
  reasons: string[];
}

export function judgeKernelClock(via: KernelClockReading['via'], status: number, maxerror: number, state?: number): KernelClockReading {
  const reasons: string[] = [];
  if (status & STA_UNSYNC) reasons.push(`STA_UNSYNC set (status 0x${status.toString(16)}: ${statusNames(status).join(',')})`);
  if (maxerror >= MAXERROR_UNSYNC_US) reasons.push(`maxerror ${(maxerror / 1e6).toFixed(1)} s ≥ 16 s`);
  const r: KernelClockReading = { via, status, maxerror, synchronized: reasons.length === 0, reasons };
  if (state !== undefined) r.state = state;
  return r;
}

/** `RET HEX` from perlAdjtimex, judged as node_exporter and timedated judgeKernelClock it. */
export function kernelClockFromTimex(text: string, wordBytes: 4 | 8, little: boolean): KernelClockReading | undefined {
  const r = decodeRaw(text, wordBytes, little);
  return r ? judgeKernelClock('adjtimex(2) modes 0 (perl)', r.status, r.maxerror, r.ret) : undefined;
}

/** `adjtimex --print` (adjtimex 1.29): `     maxerror: 16000000`, `       status: 64`, ` return value = 5`. */
export function parseAdjtimexPrint(text: string): KernelClockReading | undefined {
  const field = (name: string): number | undefined => {
    const m = new RegExp(`^\\s*${name}\\s*[:=]\\s*(-?\\d{1,12})\\s*$`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  };
  const status = field('status');
  const maxerror = field('maxerror');
  if (status === undefined || maxerror === undefined || status < 0 || maxerror < 0) return undefined;
  return judgeKernelClock('adjtimex --print', status, maxerror, field('return value'));
}

/** `timedatectl show`: NTPSynchronized=yes/no (timedated runs the same STA_UNSYNC / maxerror test). */
export function parseTimedatectlShow(text: string): KernelClockReading | undefined {
  const m = /^NTPSynchronized=(yes|no)\s*$/m.exec(text);
  if (!m) return undefined;
  const synchronized = m[1] === 'yes';
  return { via: 'timedatectl show', synchronized, reasons: synchronized ? [] : ['timedatectl: NTPSynchronized=no (STA_UNSYNC set or maxerror ≥ 16 s)'] };
}

export interface KernelClockGather {
  reading?: KernelClockReading;
  /** What was tried and failed, for inspection-incomplete when nothing answered. */
  tried: string[];
}

/** Reads the kernel clock state (never throws, never writes): perl adjtimex, then adjtimex --print, then timedatectl. */
export async function readKernelClock(run: Runner, timeoutMs: number, arch = process.arch, little = endianness() === 'LE'): Promise<KernelClockGather> {
  const tried: string[] = [];
  const nr = SYS_ADJTIMEX[arch];
  if (process.platform === 'linux' && nr !== undefined) {
    const r = await run('perl', ['-e', perlAdjtimex(nr)], { timeoutMs });
    const reading = r.ok ? kernelClockFromTimex(r.stdout.trim(), longBytes(arch), little) : undefined;
    if (reading) return { reading, tried };
    tried.push(r.ok ? 'perl adjtimex: unreadable answer' : whyFailed(r, timeoutMs));
  } else tried.push(`no adjtimex syscall number for ${process.platform}/${arch}`);
  const a = await run('adjtimex', ['--print'], { timeoutMs });
  const fromTool = a.ok ? parseAdjtimexPrint(a.stdout) : undefined;
  if (fromTool) return { reading: fromTool, tried };
  tried.push(a.ok ? '`adjtimex --print`: unreadable answer' : whyFailed(a, timeoutMs));
  const t = await run('timedatectl', ['show'], { timeoutMs });
  const fromTimedated = t.ok ? parseTimedatectlShow(t.stdout) : undefined;
  if (fromTimedated) return { reading: fromTimedated, tried };
  tried.push(t.ok ? '`timedatectl show`: no NTPSynchronized' : whyFailed(t, timeoutMs));
  return { tried };
}
