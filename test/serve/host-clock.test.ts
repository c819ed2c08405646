/** serve's honesty about its own clock and whom it answers: pure parts tested as data, plus the real kernel. */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { announce } from '../../src/serve/announce.js';
import { AccessList, isLoopbackHost } from '../../src/serve/access.js';
import { decodeTimex, judgeTimedatectl, judgeTimex, perlAdjtimex, readHostClock, STA_INS, STA_UNSYNC } from '../../src/serve/host-clock.js';
import { describeListenError } from '../../src/serve/listen-error.js';
import { parseAllow } from '../../src/serve/options.js';

/**
 * Real output of `perl -e PERL_ADJTIMEX(159)` on this lab machine (x86_64, no time daemon), first 208 octets
 * (sizeof struct timex): ret 5 (TIME_ERROR); maxerror and esterror 0x00f42400 = 16 000 000 µs at octets 24 and
 * 32; status 0x0040 (STA_UNSYNC) at 40; constant 2 at 48, precision 1 at 56, tolerance 0x01f40000 (500 ppm) at 64.
 */
const REAL_UNSYNC =
  '5 0000000000000000000000000000000000000000000000000024f400000000000024f400000000004000000000000000020000000000000001000000000000000000f40100000000b07e156b00000000ac24050000000000102700000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000';

/** A 64-bit little-endian struct timex with the given status and maxerror (µs). */
function timex64(ret: number, status: number, maxerror: number): string {
  const b = Buffer.alloc(208);
  b.writeBigInt64LE(BigInt(maxerror), 24);
  b.writeInt32LE(status, 40);
  return `${ret} ${b.toString('hex')}`;
}

describe('host clock from the kernel (adjtimex, modes 0)', () => {
  it('decodes the real unsynchronized reading: STA_UNSYNC, maxerror 16 s → leap 3', () => {
    const r = decodeTimex(REAL_UNSYNC, 8, true);
    expect(r).toEqual({ ret: 5, maxerror: 16_000_000, status: STA_UNSYNC });
    expect(judgeTimex(r!)).toMatchObject({ state: 'unsynchronized', leap: 3, detail: 'STA_UNSYNC, maxerror 16.0 s ≥ 16 s' });
  });

  it('synchronized: status without STA_UNSYNC and maxerror < 16 s; a pending leap second is announced', () => {
    expect(judgeTimex(decodeTimex(timex64(0, 0x2001, 12_500), 8, true)!)).toMatchObject({ state: 'synchronized', leap: 0 });
    expect(judgeTimex(decodeTimex(timex64(1, 0x2001 | STA_INS, 12_500), 8, true)!)).toMatchObject({ state: 'synchronized', leap: 1 });
    // maxerror alone (a daemon died: the kernel grows it by 500 ppm until 16 s).
    expect(judgeTimex(decodeTimex(timex64(0, 0x2001, 16_000_000), 8, true)!)).toMatchObject({ state: 'unsynchronized', leap: 3 });
  });

  it('32-bit and big-endian layouts; junk is not a reading', () => {
    const b = Buffer.alloc(128);
    b.writeInt32BE(40_000, 12);
    b.writeInt32BE(0x2001, 20);
    expect(decodeTimex(`0 ${b.toString('hex')}`, 4, false)).toEqual({ ret: 0, maxerror: 40_000, status: 0x2001 });
    for (const junk of ['', 'error Operation not permitted', '0 zz', '0 00', `x ${b.toString('hex')}`]) expect(decodeTimex(junk, 8, true)).toBeUndefined();
  });

  it('timedatectl NTPSynchronized', () => {
    expect(judgeTimedatectl('yes\n')).toMatchObject({ state: 'synchronized', leap: 0 });
    expect(judgeTimedatectl('no\n')).toMatchObject({ state: 'unsynchronized', leap: 3 });
    expect(judgeTimedatectl('')).toBeUndefined();
  });

  it('the perl program passes a zeroed buffer: modes = 0, a read', () => {
    expect(perlAdjtimex(159)).toContain('"\\0" x 512');
    expect(perlAdjtimex(159)).toContain('syscall(159, $b)');
  });

  it.skipIf(!existsSync('/usr/bin/perl') || process.arch !== 'x64')('this host: readHostClock agrees with a reading of its own', async () => {
    const h = await readHostClock();
    const own = spawnSync('/usr/bin/perl', ['-e', perlAdjtimex(159)], { encoding: 'utf8' }).stdout;
    const expected = judgeTimex(decodeTimex(own, 8, true)!);
    expect(h.state).toBe(expected.state);
    expect(h.leap).toBe(expected.leap);
  });
});

describe('what serve announces', () => {
  const unsync = { state: 'unsynchronized', leap: 3, source: 'kernel', detail: 'STA_UNSYNC' } as const;
  const unknown = { state: 'unknown', leap: 3, source: 'none', detail: 'no perl' } as const;
  const sync = { state: 'synchronized', leap: 0, source: 'kernel', detail: 'ok' } as const;
  it('unsynchronized or unknown: leap 3, stratum 16, INIT, and it says so', () => {
    for (const h of [unsync, unknown]) {
      const a = announce(h, 10, undefined);
      expect(a).toMatchObject({ stratum: 16, leap: 3, refid: 0x494e4954 });
      expect(a.note).toMatch(/serving leap 3 \(alarm\), stratum 16/);
    }
    expect(announce(unknown, 10, undefined).note).toMatch(/^cannot tell whether the host clock is synchronized/);
  });
  it('--stratum forces a value, and the note says clients will trust it', () => {
    expect(announce(unsync, 10, 3)).toMatchObject({ stratum: 3, leap: 0 });
    expect(announce(unsync, 10, 3).note).toMatch(/NOT synchronized.*stratum 3, leap 0 anyway/);
    expect(announce(sync, 10, 3)).toMatchObject({ stratum: 3, leap: 0 });
  });
  it('synchronized: the default stratum, the kernel\'s leap', () => {
    expect(announce(sync, 10, undefined)).toEqual({ stratum: 10, leap: 0, note: expect.stringContaining('synchronized') });
    expect(announce({ ...sync, leap: 1 }, 10, undefined).leap).toBe(1);
  });
});

describe('whom serve answers', () => {
  it('loopback always; nothing else without --allow', () => {
    const a = new AccessList([]);
    for (const ok of ['127.0.0.1', '127.255.0.9', '::1', '::ffff:127.0.0.1']) expect(a.allows(ok), ok).toBe(true);
    for (const no of ['198.51.100.2', '2001:db8::2', '::ffff:198.51.100.2', '::', '0.0.0.0', 'garbage']) expect(a.allows(no), no).toBe(false);
    expect(a.describe()).toBe('loopback only');
  });
  it('--allow prefixes, IPv4-mapped clients as IPv4', () => {
    const a = new AccessList(parseAllow(['198.51.100.0/24', '2001:db8:3::/48']));
    for (const ok of ['198.51.100.2', '::ffff:198.51.100.200', '2001:db8:3::99']) expect(a.allows(ok), ok).toBe(true);
    for (const no of ['198.51.101.2', '2001:db8:4::1', '192.0.2.1']) expect(a.allows(no), no).toBe(false);
    expect(a.describe()).toBe('loopback and 198.51.100.0/24, 2001:db8:3::/48');
    expect(new AccessList(parseAllow(['all'])).allows('192.0.2.1')).toBe(true);
    expect(isLoopbackHost('::2')).toBe(false);
  });
});

describe('why serve cannot listen', () => {
  const at = (code: string, address = '127.0.0.1', port = 123) => describeListenError({ code, listen: { address, port }, where: address.includes(':') ? `[${address}]:${port}` : `${address}:${port}` });
  it('says the real reason, one line each', () => {
    expect(at('EADDRINUSE')).toBe('cannot listen on 127.0.0.1:123: it is in use by another program (chronyd/ntpd?): stop it, or use another port (--listen 127.0.0.1:11123)');
    expect(at('EACCES')).toMatch(/^cannot listen on 127.0.0.1:123: port 123 needs root or CAP_NET_BIND_SERVICE/);
    expect(at('EADDRNOTAVAIL', '192.0.2.1')).toMatch(/192.0.2.1 is not an address of this host/);
    expect(at('EADDRINUSE', '::1', 11123)).toContain('--listen [::1]:11124');
    for (const c of ['EADDRINUSE', 'EACCES', 'EADDRNOTAVAIL', 'EAFNOSUPPORT', 'EWHAT']) expect(at(c)).not.toMatch(/\n/);
  });
});
