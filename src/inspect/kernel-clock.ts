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
 * The same approach as h-net's src/serve/host-clock.ts (serve's leap indicator): the two should become one.
 */
import { endianness } from 'node:os';
import { whyFailed, type Runner } from './run.js';

/** struct timex status bits (include/uapi/linux/timex.h). */
export const STA_PLL = 0x0001;
export const STA_INS = 0x0010;
export const STA_DEL = 0x0020;
export const STA_UNSYNC = 0x0040;
export const STA_NANO = 0x2000;
export const STA_CLOCKERR = 0x1000;
/** maxerror (µs) at or above which the clock counts as unsynchronized: NTP_PHASE_LIMIT, 16 s. */
export const MAXERROR_UNSYNC_US = 16_000_000;

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

export function judge(via: KernelClockReading['via'], status: number, maxerror: number, state?: number): KernelClockReading {
  const reasons: string[] = [];
  if (status & STA_UNSYNC) reasons.push(`STA_UNSYNC set (status 0x${status.toString(16)}: ${statusNames(status).join(',')})`);
  if (maxerror >= MAXERROR_UNSYNC_US) reasons.push(`maxerror ${(maxerror / 1e6).toFixed(1)} s ≥ 16 s`);
  const r: KernelClockReading = { via, status, maxerror, synchronized: reasons.length === 0, reasons };
  if (state !== undefined) r.state = state;
  return r;
}

/**
 * Decodes `RET HEX` (what perlAdjtimex prints) as a struct timex: `modes` (int), then the longs offset, freq,
 * maxerror, esterror, then `status` (int) — on 64-bit Linux at octets 0, 8, 16, 24, 32, 40; on 32-bit at 0, 4,
 * 8, 12, 16, 20.
 */
export function decodeTimex(text: string, wordBytes: 4 | 8, little: boolean): KernelClockReading | undefined {
  const m = /^(-?\d+) ([0-9a-f]+)\s*$/.exec(text);
  if (!m || (m[2] as string).length < 2 * 6 * wordBytes) return undefined;
  const b = Buffer.from(m[2] as string, 'hex');
  const int32 = (at: number): number => (little ? b.readInt32LE(at) : b.readInt32BE(at));
  const long = (at: number): number => (wordBytes === 4 ? int32(at) : Number(little ? b.readBigInt64LE(at) : b.readBigInt64BE(at)));
  const maxerror = long(3 * wordBytes);
  const status = int32(5 * wordBytes);
  if (maxerror < 0 || status < 0) return undefined;
  return judge('adjtimex(2) modes 0 (perl)', status, maxerror, Number(m[1]));
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
  return judge('adjtimex --print', status, maxerror, field('return value'));
}

/** `timedatectl show`: NTPSynchronized=yes/no (timedated runs the same STA_UNSYNC / maxerror test). */
export function parseTimedatectlShow(text: string): KernelClockReading | undefined {
  const m = /^NTPSynchronized=(yes|no)\s*$/m.exec(text);
  if (!m) return undefined;
  const synchronized = m[1] === 'yes';
  return { via: 'timedatectl show', synchronized, reasons: synchronized ? [] : ['timedatectl: NTPSynchronized=no (STA_UNSYNC set or maxerror ≥ 16 s)'] };
}

/** SYS_adjtimex by Node's process.arch (asm/unistd.h of each). Other architectures: the fallbacks. */
const SYS_ADJTIMEX: Readonly<Record<string, number>> = {
  x64: 159,
  arm64: 171,
  riscv64: 171,
  loong64: 171,
  ia32: 124,
  arm: 124,
  ppc: 124,
  ppc64: 124,
  s390: 124,
  s390x: 124,
};
const WORD8 = ['x64', 'arm64', 'riscv64', 'loong64', 'ppc64', 's390x'];

/** A zeroed struct timex (modes = 0: read only) handed to adjtimex; prints the return value and the first 64 octets in hex. */
export function perlAdjtimex(nr: number): string {
  return `my $b = "\\0" x 512; my $r = syscall(${nr}, $b); if ($r < 0) { print STDERR "adjtimex: $!\\n"; exit 1 } print "$r ", unpack("H*", substr($b, 0, 64)), "\\n";`;
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
    const reading = r.ok ? decodeTimex(r.stdout.trim(), WORD8.includes(arch) ? 8 : 4, little) : undefined;
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
