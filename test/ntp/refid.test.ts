import { describe, expect, it } from 'vitest';
import { decodeNtp } from '../../src/ntp/codec.js';
import { describeRefid, KISS_CODES, kissCode, refidFromText } from '../../src/ntp/refid.js';
import { SEED_SERVER_REPLY } from './seed-packets.js';

const ascii = (s: string) => refidFromText(s) as number;

describe('describeRefid (RFC 5905 §7.3)', () => {
  it('reads the seed server refid as the local clock driver address', () => {
    const m = decodeNtp(SEED_SERVER_REPLY).message;
    if (m?.kind !== 'time') throw new Error('no message');
    expect(m.refid).toBe(0x7f7f0101);
    expect(describeRefid(m.stratum, m.refid, 4)).toEqual({ kind: 'ipv4', text: '127.127.1.1' });
  });

  it('stratum 0: kiss codes', () => {
    for (const code of Object.keys(KISS_CODES)) {
      expect(describeRefid(0, ascii(code), 4)).toEqual({ kind: 'kod', text: code });
    }
    expect(Object.keys(KISS_CODES).sort()).toEqual(
      ['ACST', 'AUTH', 'AUTO', 'BCST', 'CRYP', 'DENY', 'DROP', 'RSTR', 'INIT', 'MCST', 'NKEY', 'NTSN', 'RATE', 'RMOT', 'STEP'].sort(),
    );
    expect(describeRefid(0, 0, 4)).toEqual({ kind: 'none', text: '' });
    expect(describeRefid(0, 0x01020304, 4)).toEqual({ kind: 'none', text: '0x01020304' });
  });

  it('stratum 1: reference clock names, NUL-padded', () => {
    expect(describeRefid(1, 0x47505300, 4)).toEqual({ kind: 'text', text: 'GPS' });
    expect(describeRefid(1, ascii('PPS'), 6)).toEqual({ kind: 'text', text: 'PPS' });
    expect(describeRefid(1, ascii('LOCL'), 4)).toEqual({ kind: 'text', text: 'LOCL' });
    // A NUL in the middle is not a name.
    expect(describeRefid(1, 0x47005300, 4).kind).toBe('none');
  });

  it('stratum 2–15: IPv4 address or IPv6 hash', () => {
    expect(describeRefid(2, 0xc0000201, 4)).toEqual({ kind: 'ipv4', text: '192.0.2.1' });
    expect(describeRefid(3, 0x1a2b3c4d, 6)).toEqual({ kind: 'hash', text: 'hash 0x1a2b3c4d' });
    // Looks like ASCII, but at stratum 2 it is an address.
    expect(describeRefid(2, ascii('RATE'), 4)).toEqual({ kind: 'ipv4', text: '82.65.84.69' });
  });

  it('stratum 16: status words or the last address', () => {
    expect(describeRefid(16, ascii('INIT'), 4)).toEqual({ kind: 'text', text: 'INIT' });
    expect(describeRefid(16, 0xc0a80164, 4)).toEqual({ kind: 'ipv4', text: '192.168.1.100' });
  });
});

describe('kissCode (RFC 5905 §7.4)', () => {
  it('only for stratum 0 server/symmetric/broadcast packets with a printable refid', () => {
    expect(kissCode({ stratum: 0, mode: 4, refid: ascii('RATE') })).toBe('RATE');
    expect(kissCode({ stratum: 0, mode: 2, refid: ascii('DENY') })).toBe('DENY');
    expect(kissCode({ stratum: 0, mode: 3, refid: ascii('RATE') })).toBeUndefined();
    expect(kissCode({ stratum: 1, mode: 4, refid: ascii('RATE') })).toBeUndefined();
    expect(kissCode({ stratum: 0, mode: 4, refid: 0 })).toBeUndefined();
  });
});

describe('refidFromText', () => {
  it('parses what describeRefid prints, and ntpq-style .NAME.', () => {
    expect(refidFromText('127.127.1.1')).toBe(0x7f7f0101);
    expect(refidFromText('hash 0x1a2b3c4d')).toBe(0x1a2b3c4d);
    expect(refidFromText('0xdeadbeef')).toBe(0xdeadbeef);
    expect(refidFromText('GPS')).toBe(0x47505300);
    expect(refidFromText('.INIT.')).toBe(0x494e4954);
    expect(refidFromText('256.1.1.1')).toBeUndefined();
    expect(refidFromText('TOOLONG')).toBeUndefined();
    expect(refidFromText('')).toBeUndefined();
  });
});
