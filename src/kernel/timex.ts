/**
 * The kernel clock's state as adjtimex(2) reports it with modes = 0 (a pure read: no privilege, nothing changed —
 * what `ntptime` and `adjtimex --print` do). Node has no binding for the syscall, so it is made through perl's
 * `syscall()`. One reader for everything that asks (serve's honest leap indicator, the node inspection's
 * kernel-unsynchronized); each judges the numbers its own way.
 */

/** struct timex status bits (include/uapi/linux/timex.h). */
export const STA_PLL = 0x0001;
export const STA_INS = 0x0010;
export const STA_DEL = 0x0020;
export const STA_UNSYNC = 0x0040;
export const STA_CLOCKERR = 0x1000;
export const STA_NANO = 0x2000;
/** maxerror (µs) at or above which the clock counts as unsynchronized: NTP_PHASE_LIMIT, 16 s (kernel/time/ntp.c). */
export const MAXERROR_UNSYNC_US = 16_000_000;

/** SYS_adjtimex by Node's process.arch (asm/unistd.h of each). Other architectures: the callers' fallbacks. */
export const SYS_ADJTIMEX: Readonly<Record<string, number>> = {
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

/** Size of a C `long` (struct timex's offset, freq, maxerror, …) on each 64-bit architecture: 8; elsewhere 4. */
export function longBytes(arch: string = process.arch): 4 | 8 {
  return ['x64', 'arm64', 'riscv64', 'loong64', 'ppc64', 's390x'].includes(arch) ? 8 : 4;
}

/** A zeroed struct timex (modes = 0: read only) handed to adjtimex; prints the return value and the first 64 octets in hex. */
export function perlAdjtimex(nr: number): string {
  return `my $b = "\\0" x 512; my $r = syscall(${nr}, $b); if ($r < 0) { print STDERR "adjtimex: $!\\n"; exit 1 } print "$r ", unpack("H*", substr($b, 0, 64)), "\\n";`;
}

/** The kernel's answer as decoded from a struct timex. */
export interface TimexReading {
  /** adjtimex's return value: clock state, TIME_OK 0 … TIME_ERROR 5. */
  ret: number;
  status: number;
  /** Microseconds. */
  maxerror: number;
}

/**
 * Decodes `RET HEX` (what perlAdjtimex prints) as a struct timex: `modes` (int), then the longs offset, freq,
 * maxerror, esterror, then `status` (int) — on 64-bit Linux at octets 0, 8, 16, 24, 32, 40; on 32-bit at 0, 4,
 * 8, 12, 16, 20. Undefined for anything else, or for negative values no kernel reports.
 */
export function decodeTimex(text: string, wordBytes: 4 | 8, little: boolean): TimexReading | undefined {
  const m = /^(-?\d+) ([0-9a-f]+)\s*$/.exec(text.trim());
  if (!m || (m[2] as string).length < 2 * 6 * wordBytes) return undefined;
  const b = Buffer.from(m[2] as string, 'hex');
  const int32 = (at: number): number => (little ? b.readInt32LE(at) : b.readInt32BE(at));
  const long = (at: number): number => (wordBytes === 4 ? int32(at) : Number(little ? b.readBigInt64LE(at) : b.readBigInt64BE(at)));
  const maxerror = long(3 * wordBytes);
  const status = int32(5 * wordBytes);
  if (maxerror < 0 || status < 0) return undefined;
  return { ret: Number(m[1]), maxerror, status };
}
