/**
 * Is this host's clock synchronized? The kernel knows (adjtimex(2)): a time daemon that disciplines the clock
 * clears STA_UNSYNC and keeps `maxerror` below 16 s; the kernel sets STA_UNSYNC again and grows maxerror by
 * 500 ppm when nobody does (kernel/time/ntp.c, NTP_PHASE_LIMIT). STA_INS / STA_DEL announce a leap second.
 * systemd-timedated's NTPSynchronized is the same test.
 *
 * Node has no binding for adjtimex, so it is read through a read-only call made by a tool that is on almost every
 * Linux host: perl's `syscall(SYS_adjtimex, buf)` with a zeroed struct timex, i.e. `modes = 0`, which the kernel
 * treats as a pure read (no privilege needed, nothing changed: the same call `ntptime`, chronyd and ntpd use to
 * read the status). Fallback: `timedatectl show -p NTPSynchronized --value`. Absolute paths, no shell, a time
 * bound; failure only makes the answer "unknown".
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { endianness } from 'node:os';

/** struct timex status bits (include/uapi/linux/timex.h). */
export const STA_INS = 0x0010;
export const STA_DEL = 0x0020;
export const STA_UNSYNC = 0x0040;
export const STA_CLOCKERR = 0x1000;
/** maxerror (µs) at or above which the clock is unsynchronized: NTP_PHASE_LIMIT, 16 s. */
export const MAXERROR_UNSYNC_US = 16_000_000;

export interface HostClock {
  state: 'synchronized' | 'unsynchronized' | 'unknown';
  /** Leap indicator the kernel announces (0, 1 insert, 2 delete); 3 when unsynchronized or unknown. */
  leap: 0 | 1 | 2 | 3;
  /** Where the answer came from, and what it said, in words. */
  source: string;
  detail: string;
}

/** SYS_adjtimex by Node's process.arch (asm/unistd.h of each). Other architectures: the fallback. */
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

/** The kernel's answer as decoded from a struct timex: what the rest of this file judges. */
export interface TimexReading {
  /** adjtimex's return value: clock state, TIME_OK 0 … TIME_ERROR 5. */
  ret: number;
  status: number;
  /** Microseconds. */
  maxerror: number;
}

/**
 * Decodes `RET HEX` (what PERL_ADJTIMEX prints) as a struct timex: `modes` (int), then the longs offset, freq,
 * maxerror, esterror, then `status` (int) — on 64-bit Linux at octets 0, 8, 16, 24, 32, 40; on 32-bit at 0, 4,
 * 8, 12, 16, 20.
 */
export function decodeTimex(text: string, wordBytes: 4 | 8, little: boolean): TimexReading | undefined {
  const m = /^(-?\d+) ([0-9a-f]+)\s*$/.exec(text);
  if (!m || (m[2] as string).length < 2 * 6 * wordBytes) return undefined;
  const b = Buffer.from(m[2] as string, 'hex');
  const int32 = (at: number): number => (little ? b.readInt32LE(at) : b.readInt32BE(at));
  const long = (at: number): number =>
    wordBytes === 4 ? int32(at) : Number(little ? b.readBigInt64LE(at) : b.readBigInt64BE(at));
  return { ret: Number(m[1]), maxerror: long(3 * wordBytes), status: int32(5 * wordBytes) };
}

/** What the kernel's status means for a server: synchronized or not, and the leap it announces. */
export function judgeTimex(r: TimexReading): HostClock {
  const why: string[] = [];
  if (r.status & STA_UNSYNC) why.push('STA_UNSYNC');
  if (r.status & STA_CLOCKERR) why.push('STA_CLOCKERR');
  if (r.maxerror >= MAXERROR_UNSYNC_US) why.push(`maxerror ${(r.maxerror / 1e6).toFixed(1)} s ≥ 16 s`);
  const source = 'kernel (adjtimex, read-only)';
  if (why.length) return { state: 'unsynchronized', leap: 3, source, detail: why.join(', ') };
  const leap = r.status & STA_INS ? 1 : r.status & STA_DEL ? 2 : 0;
  const detail = `status 0x${r.status.toString(16)}, maxerror ${(r.maxerror / 1e3).toFixed(1)} ms${leap ? `, leap second ${leap === 1 ? 'insert' : 'delete'} pending` : ''}`;
  return { state: 'synchronized', leap, source, detail };
}

/** `timedatectl show -p NTPSynchronized --value`: yes / no. */
export function judgeTimedatectl(text: string): HostClock | undefined {
  const v = text.trim();
  const source = 'timedatectl NTPSynchronized';
  if (v === 'yes') return { state: 'synchronized', leap: 0, source, detail: 'yes' };
  if (v === 'no') return { state: 'unsynchronized', leap: 3, source, detail: 'no' };
  return undefined;
}

/** A zeroed buffer (modes = 0: read only) handed to adjtimex; prints the return value and the buffer in hex. */
export function perlAdjtimex(nr: number): string {
  return `my $b = "\\0" x 512; my $r = syscall(${nr}, $b); if ($r < 0) { print "error $!\\n"; exit 1 } print "$r ", unpack("H*", $b), "\\n";`;
}

function run(file: string, args: string[], timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 64 * 1024, env: { PATH: '/usr/bin:/bin', LC_ALL: 'C' } }, (err, stdout) =>
      resolve(err ? undefined : stdout),
    );
  });
}

const firstExisting = (paths: readonly string[]): string | undefined => paths.find((p) => existsSync(p));

/** Reads the host clock's state: the kernel through perl, else timedatectl, else unknown (never throws). */
export async function readHostClock(timeoutMs = 2000): Promise<HostClock> {
  const tried: string[] = [];
  const nr = SYS_ADJTIMEX[process.arch];
  const perl = firstExisting(['/usr/bin/perl', '/bin/perl']);
  if (process.platform === 'linux' && nr !== undefined && perl) {
    const out = await run(perl, ['-e', perlAdjtimex(nr)], timeoutMs);
    const wordBytes = ['x64', 'arm64', 'riscv64', 'loong64', 'ppc64', 's390x'].includes(process.arch) ? 8 : 4;
    const r = out ? decodeTimex(out, wordBytes, endianness() === 'LE') : undefined;
    if (r) return judgeTimex(r);
    tried.push('adjtimex through perl failed');
  } else tried.push(perl ? `no adjtimex number for ${process.platform}/${process.arch}` : 'no perl for adjtimex');
  const timedatectl = firstExisting(['/usr/bin/timedatectl', '/bin/timedatectl']);
  if (timedatectl) {
    const out = await run(timedatectl, ['show', '-p', 'NTPSynchronized', '--value'], timeoutMs);
    const h = out !== undefined ? judgeTimedatectl(out) : undefined;
    if (h) return h;
    tried.push('timedatectl did not answer');
  } else tried.push('no timedatectl');
  return { state: 'unknown', leap: 3, source: 'none', detail: tried.join('; ') };
}
