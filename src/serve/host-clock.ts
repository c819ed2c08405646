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
import { decodeTimex, longBytes, MAXERROR_UNSYNC_US, perlAdjtimex, STA_CLOCKERR, STA_DEL, STA_INS, STA_UNSYNC, SYS_ADJTIMEX, type TimexReading } from '../kernel/timex.js';

export { decodeTimex, perlAdjtimex, STA_DEL, STA_INS, STA_UNSYNC, type TimexReading } from '../kernel/timex.js';

export interface HostClock {
  state: 'synchronized' | 'unsynchronized' | 'unknown';
  /** Leap indicator the kernel announces (0, 1 insert, 2 delete); 3 when unsynchronized or unknown. */
  leap: 0 | 1 | 2 | 3;
  /** Where the answer came from, and what it said, in words. */
  source: string;
  detail: string;
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
    const r = out ? decodeTimex(out, longBytes(), endianness() === 'LE') : undefined;
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
