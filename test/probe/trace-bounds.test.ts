/** trace's pure parts: addresses as hosts (RFC 4291 §2.2, §2.5.5.2) and the time bounds. */
import { describe, expect, it } from 'vitest';
import { addressKey, addressOctets, sameHost } from '../../src/probe/trace-address.js';
import { Deadline, defaultHopBudget, fitProbe } from '../../src/probe/trace-budget.js';
import { isServerAddress, traceExitsNonZero } from '../../src/probe/trace.js';

describe('addresses compared as hosts', () => {
  it.each([
    ['::1', '0::1'],
    ['::1', '::0:1'],
    ['::1', '0:0:0:0:0:0:0:1'],
    ['::1', '[::1]'],
    ['2001:DB8::A', '2001:db8:0:0:0:0:0:a'],
    ['2001:db8::1:0:0:1', '2001:0db8:0000:0000:0001:0000:0000:0001'],
    ['198.51.100.7', '::ffff:198.51.100.7'],
    ['198.51.100.7', '::FFFF:c633:6407'],
    ['198.51.100.7', '0:0:0:0:0:ffff:198.51.100.7'],
  ])('%s is %s', (a, b) => {
    expect(sameHost(a, b)).toBe(true);
    expect(addressKey(a)).toBe(addressKey(b));
  });

  it.each([
    ['::1', '::2'],
    ['198.51.100.7', '198.51.100.8'],
    // IPv4-compatible (deprecated ::a.b.c.d) is not IPv4-mapped: another address.
    ['198.51.100.7', '::198.51.100.7'],
    ['fe80::1%eth0', 'fe80::1%eth1'],
    ['ntp.example', '198.51.100.7'],
  ])('%s is not %s', (a, b) => expect(sameHost(a, b)).toBe(false));

  it('16 octets, IPv4 as ::ffff:a.b.c.d; not an address → undefined', () => {
    expect([...(addressOctets('198.51.100.7') ?? [])]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 198, 51, 100, 7]);
    expect([...(addressOctets('2001:db8::1') ?? [])]).toEqual([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    for (const bad of ['', '1.2.3', '1.2.3.256', ':::1', '1::2::3', 'g::1', '12345::1', 'localhost']) expect(addressOctets(bad), bad).toBeUndefined();
    expect(sameHost(undefined, '::1')).toBe(false);
  });

  it('isServerAddress: the unspecified address and 127.127.t.u in any spelling are not servers', () => {
    for (const a of ['0.0.0.0', '::', '0::0', '::ffff:0.0.0.0', '127.127.1.0', '::ffff:127.127.1.0', '::FFFF:7f7f:100', 'pool.example', '']) {
      expect(isServerAddress(a), a).toBe(false);
    }
    for (const a of ['198.51.100.7', '::ffff:198.51.100.7', '2001:db8::1', '127.0.0.1', '::1']) expect(isServerAddress(a), a).toBe(true);
  });
});

describe('time bounds', () => {
  it('hop budget: a quarter of the deadline, 2..10 s, never past the deadline', () => {
    expect(defaultHopBudget(20)).toBe(5);
    expect(defaultHopBudget(4)).toBe(2);
    expect(defaultHopBudget(1.2)).toBe(1.2);
    expect(defaultHopBudget(600)).toBe(10);
  });

  it('a deadline on an injected monotonic clock: left, spent, within', () => {
    let t = 1000;
    const d = Deadline.after(2, () => t);
    expect(d.leftMs()).toBe(2000);
    expect(d.within(0.5).leftMs()).toBe(500);
    t += 1990;
    expect(d.spent).toBe(true);
    expect(d.within(5).leftMs()).toBe(10);
    t += 100;
    expect(d.leftMs()).toBe(0);
  });

  it('fitProbe shrinks to what fits: samples, then the timeout; nothing when not even 50 ms is left', () => {
    const wanted = { samples: 2, timeout: 1, interval: 1 };
    expect(fitProbe(5000, wanted)).toBe(wanted);
    expect(fitProbe(1500, wanted)).toEqual({ samples: 1, timeout: 1, interval: 1 });
    expect(fitProbe(520, wanted)).toEqual({ samples: 1, timeout: 0.5, interval: 1 });
    expect(fitProbe(60, wanted)).toBeUndefined();
  });

  it('exit status: a failed chain or an incomplete one is non-zero', () => {
    expect(traceExitsNonZero({ end: 'primary', complete: true })).toBe(false);
    expect(traceExitsNonZero({ end: 'deadline', complete: false })).toBe(true);
    expect(traceExitsNonZero({ end: 'max-hops', complete: false })).toBe(true);
    expect(traceExitsNonZero({ end: 'loop', complete: true })).toBe(true);
  });
});
