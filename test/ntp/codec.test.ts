import { describe, expect, it } from 'vitest';
import { decodeNtp, encodeNtp, extensionName, ntpEncodingLength } from '../../src/ntp/codec.js';
import { describeRefid } from '../../src/ntp/refid.js';
import { fractionToNanoseconds } from '../../src/ntp/timestamp.js';
import type { NtpMessage } from '../../src/ntp/types.js';
import { hex, toHex } from './hex.js';
import { SEED_CLIENT_REQUEST, SEED_SERVER_REPLY } from './seed-packets.js';

function time(msg: NtpMessage) {
  if (msg.kind !== 'time') throw new Error(`expected a time packet, got ${msg.kind}`);
  return msg;
}

/** tcpdump's p_sfix: trunc(fraction / 65536 * 1e6) microseconds. */
function tcpdumpShort(seconds: number): string {
  const whole = Math.floor(seconds);
  const micro = Math.floor((seconds - whole) * 1e6);
  return `${whole}.${String(micro).padStart(6, '0')}`;
}

function tcpdumpTime(ts: { seconds: number; fraction: number }): string {
  return `${ts.seconds}.${String(fractionToNanoseconds(ts.fraction)).padStart(9, '0')}`;
}

/** Round trip, dns-packet style: decode → encode → same bytes; also at an offset inside a larger buffer. */
function roundTrip(bytes: Uint8Array): NtpMessage {
  const first = decodeNtp(bytes);
  expect(first.issues).toEqual([]);
  expect(first.truncated).toBe(false);
  const msg = first.message as NtpMessage;
  expect(msg).toBeDefined();
  expect(ntpEncodingLength(msg)).toBe(bytes.length);
  expect(toHex(encodeNtp(msg))).toBe(toHex(bytes));

  const big = new Uint8Array(bytes.length + 23).fill(0xa5);
  const written = encodeNtp(msg, big, 11);
  expect(written.byteOffset).toBe(11);
  expect(toHex(written)).toBe(toHex(bytes));
  expect(big[10]).toBe(0xa5);
  expect(big[11 + bytes.length]).toBe(0xa5);
  const again = decodeNtp(big, 11, bytes.length);
  expect(again.issues).toEqual([]);
  expect(again.message).toEqual(msg);
  return msg;
}

describe('seed exchange (seeds/000, tcpdump -vvv at node0, 09:19:15)', () => {
  it('decodes the client request field by field', () => {
    const r = decodeNtp(SEED_CLIENT_REQUEST);
    expect(r.truncated).toBe(false);
    expect(r.issues).toEqual([]);
    const m = time(r.message as NtpMessage);
    expect(m.leap).toBe(3); // "Leap indicator: clock unsynchronized (192)": 3 << 6
    expect(m.leap << 6).toBe(192);
    expect(m.version).toBe(4);
    expect(m.mode).toBe(3);
    expect(m.stratum).toBe(0);
    expect(m.poll).toBe(3);
    expect(m.precision).toBe(-6);
    expect(m.rootDelay).toBe(1);
    expect(m.rootDispersion).toBe(1);
    expect(m.refid).toBe(0);
    expect(m.referenceTime).toEqual({ seconds: 0, fraction: 0 });
    expect(m.originTime).toEqual({ seconds: 0, fraction: 0 });
    expect(m.receiveTime).toEqual({ seconds: 0, fraction: 0 });
    expect(tcpdumpTime(m.transmitTime)).toBe('3663364755.938188076');
    expect(m.extensions).toEqual([]);
    expect(m.mac).toBeUndefined();
    roundTrip(SEED_CLIENT_REQUEST);
  });

  it('decodes the server reply field by field', () => {
    const r = decodeNtp(SEED_SERVER_REPLY);
    expect(r.issues).toEqual([]);
    const m = time(r.message as NtpMessage);
    expect([m.leap, m.version, m.mode]).toEqual([0, 4, 4]);
    expect(m.stratum).toBe(6);
    expect(m.poll).toBe(3);
    expect(m.precision).toBe(-23);
    expect(tcpdumpShort(m.rootDelay)).toBe('0.000000');
    expect(tcpdumpShort(m.rootDispersion)).toBe('7.947586');
    expect(m.rootDispersion).toBe(7 + 0xf295 / 65536); // 16.16 decoded exactly
    expect(describeRefid(m.stratum, m.refid, 4)).toEqual({ kind: 'ipv4', text: '127.127.1.1' });
    expect(tcpdumpTime(m.referenceTime)).toBe('3663364749.628949761');
    expect(tcpdumpTime(m.originTime)).toBe('3663364755.938188076');
    expect(tcpdumpTime(m.receiveTime)).toBe('3663364755.890792727');
    expect(tcpdumpTime(m.transmitTime)).toBe('3663364755.890906155');
    // The reply's origin is the request's transmit, bit for bit (RFC 5905 §8 origin check).
    const req = time(decodeNtp(SEED_CLIENT_REQUEST).message as NtpMessage);
    expect(m.originTime).toEqual(req.transmitTime);
    roundTrip(SEED_SERVER_REPLY);
  });
});

// An NTS-protected client request shaped as RFC 8915 §5.7 lays it out: Unique Identifier (32 octets),
// NTS Cookie (100), Cookie Placeholder (100), Authenticator (nonce 16, ciphertext 16). Body bytes synthetic.
const NTS_REQUEST = hex(`
  23 00 0a 20  00000000 00000000 00000000              # LI 0 VN 4 mode 3, stratum 0, poll 10, precision 32
  0000000000000000 0000000000000000 0000000000000000   # reference, origin, receive: 0
  e7a1b2c3 d4e5f607                                    # transmit
  0104 0024 ${'11'.repeat(32)}                        # Unique Identifier, length 36
  0204 0068 ${'22'.repeat(100)}                       # NTS Cookie, length 104
  0304 0068 ${'00'.repeat(100)}                       # NTS Cookie Placeholder, length 104
  0404 0028 0010 0010 ${'33'.repeat(16)} ${'44'.repeat(16)}  # Authenticator: nonce len 16, ciphertext len 16
`);

// A symmetric-key authenticated reply (ntp.keys MD5 key 7) with one 16-octet extension field before the MAC.
const EF_AND_MD5_MAC = hex(`
  24 02 06 ec  00000010 00000020 c0000201
  e7a1b2c0 00000000  e7a1b2c3 d4e5f607  e7a1b2c3 e0000000  e7a1b2c3 e0001000
  2005 0010 ${'ab'.repeat(12)}     # Checksum Complement (RFC 7821), length 16
  00000007                         # key id 7
  ${'5a'.repeat(16)}               # MD5 digest
`);

const SHA1_MAC = hex(`
  24 02 06 ec  00000010 00000020 c0000201
  e7a1b2c0 00000000  e7a1b2c3 d4e5f607  e7a1b2c3 e0000000  e7a1b2c3 e0001000
  0000002a ${'c3'.repeat(20)}      # key id 42, SHA1 digest
`);

// Legacy crypto-NAK (RFC 5905 §7.3, ntpd): a 4-octet MAC, key id 0, no digest.
const CRYPTO_NAK = hex(`
  24 02 06 ec  00000010 00000020 c0000201
  e7a1b2c0 00000000  e7a1b2c3 d4e5f607  e7a1b2c3 e0000000  e7a1b2c3 e0001000
  00000000
`);

describe('extension fields and MACs (RFC 7822, RFC 8915)', () => {
  it('decodes and round-trips an NTS request', () => {
    const m = time(roundTrip(NTS_REQUEST));
    expect(m.extensions.map((e) => [e.fieldType, e.length, e.body.length])).toEqual([
      [0x0104, 36, 32],
      [0x0204, 104, 100],
      [0x0304, 104, 100],
      [0x0404, 40, 36],
    ]);
    expect(m.extensions.map((e) => extensionName(e.fieldType))).toEqual([
      'NTS Unique Identifier',
      'NTS Cookie',
      'NTS Cookie Placeholder',
      'NTS Authenticator and Encrypted Extension Fields',
    ]);
    expect(m.mac).toBeUndefined();
  });

  it('tells an extension field from a following MD5 MAC', () => {
    const m = time(roundTrip(EF_AND_MD5_MAC));
    expect(m.extensions).toHaveLength(1);
    expect(m.extensions[0]?.fieldType).toBe(0x2005);
    expect(m.mac?.keyId).toBe(7);
    expect(m.mac?.digest.length).toBe(16);
    expect(m.rootDelay).toBe(16 / 65536);
  });

  it('decodes a SHA1 MAC and a crypto-NAK', () => {
    expect(time(roundTrip(SHA1_MAC)).mac).toEqual({ keyId: 42, digest: new Uint8Array(20).fill(0xc3) });
    const nak = time(roundTrip(CRYPTO_NAK));
    expect(nak.mac).toEqual({ keyId: 0, digest: new Uint8Array(0) });
    expect(nak.extensions).toEqual([]);
  });

  it('copies bodies: the result does not alias the input', () => {
    const buf = EF_AND_MD5_MAC.slice();
    const m = time(decodeNtp(buf).message as NtpMessage);
    buf.fill(0);
    expect(m.extensions[0]?.body[0]).toBe(0xab);
    expect(m.mac?.digest[0]).toBe(0x5a);
  });

  it('copies from a Node Buffer too (Buffer#slice would be a view)', () => {
    const buf = Buffer.from(EF_AND_MD5_MAC);
    const m = time(decodeNtp(buf).message as NtpMessage);
    buf.fill(0);
    expect(m.extensions[0]?.body[0]).toBe(0xab);
    expect(m.mac?.digest[0]).toBe(0x5a);
    expect(Buffer.isBuffer(m.mac?.digest)).toBe(false);
  });

  it('names unknown and Autokey types', () => {
    expect(extensionName(0x0202)).toBe('Autokey Certificate Message Request');
    expect(extensionName(0x8402)).toBe('Autokey Autokey Message Response');
    expect(extensionName(0xbeef)).toBe('Unknown (0xbeef)');
  });

  it('reports malformed extension lengths instead of reading past them', () => {
    const bad = EF_AND_MD5_MAC.slice();
    bad[51] = 0x12; // EF length 0x0012 = 18: not a multiple of 4
    const r = decodeNtp(bad);
    expect(r.message?.kind).toBe('time');
    expect(r.issues.map((i) => [i.kind, i.layer, i.offset])).toEqual([['malformed', 'ntp.extension', 48]]);
    const huge = EF_AND_MD5_MAC.slice();
    huge[50] = 0x01; // length 0x0110 = 272 > 36 octets left
    const r2 = decodeNtp(huge);
    expect(r2.truncated).toBe(false);
    expect(r2.issues[0]).toMatchObject({ kind: 'malformed', layer: 'ntp.extension', need: 272, have: 36 });
  });

  it('flags trailing octets that are neither a field nor a MAC', () => {
    const odd = new Uint8Array(48 + 8);
    odd.set(SEED_SERVER_REPLY);
    const r = decodeNtp(odd);
    expect(r.issues).toMatchObject([{ kind: 'malformed', layer: 'ntp', offset: 48 }]);
  });
});

describe('mode 6 and mode 7', () => {
  // ntpq -c rv: READVAR request, sequence 1, association 0, no data (RFC 9327 §2).
  const READVAR = hex('16 02 0001 0000 0000 0000 0000');
  // A response: R=1, M=0, opcode 2, status 0x0618, 13 octets of data, padded to 16.
  const READVAR_RESPONSE = hex(`16 82 0001 0618 0000 0000 000d ${toHex(new TextEncoder().encode('version="4.2"'))} 000000`);
  // An authenticated request: data padded to 64 bits, then key id 1 and an MD5 digest (ntpq.c sendrequest).
  const AUTH_WRITE = hex(`16 08 0002 0000 0000 0000 0005 61 3d 31 2c 62  000000 00000000  00000001 ${'ee'.repeat(16)}`);
  // ntpdc monlist: R=0 M=0 VN 2 mode 7, impl 3 (XNTPD), request 42 (REQ_MON_GETLIST_1), 40 zero octets.
  const MONLIST = hex(`17 00 03 2a 0000 0000 ${'00'.repeat(40)}`);

  it('decodes a control request and response', () => {
    const req = roundTrip(READVAR);
    expect(req).toMatchObject({ kind: 'control', version: 2, mode: 6, response: false, opcode: 2, sequence: 1, count: 0 });
    const resp = roundTrip(READVAR_RESPONSE);
    if (resp.kind !== 'control') throw new Error('kind');
    expect(resp.response).toBe(true);
    expect(resp.status).toBe(0x0618);
    expect(new TextDecoder().decode(resp.data)).toBe('version="4.2"');
    const auth = roundTrip(AUTH_WRITE);
    expect(auth.kind === 'control' && auth.mac?.keyId).toBe(1);
  });

  it('never trusts count beyond the datagram', () => {
    const lying = READVAR_RESPONSE.slice();
    lying[11] = 0xff; // count 255
    const r = decodeNtp(lying);
    expect(r.message?.kind).toBe('control');
    expect(r.issues[0]).toMatchObject({ kind: 'malformed', layer: 'ntp.control', offset: 10, need: 255, have: 16 });
    expect(r.message?.kind === 'control' && r.message.data.length).toBe(16);
  });

  it('decodes a monlist request (mode 7)', () => {
    const m = roundTrip(MONLIST);
    expect(m).toMatchObject({
      kind: 'private',
      version: 2,
      mode: 7,
      response: false,
      more: false,
      authenticated: false,
      implementation: 3,
      requestCode: 42,
      itemCount: 0,
    });
  });
});

describe('truncation matrix: every prefix reports and never throws', () => {
  const packets: Array<[string, Uint8Array]> = [
    ['seed reply', SEED_SERVER_REPLY],
    ['EF + MD5 MAC', EF_AND_MD5_MAC],
    ['NTS request', NTS_REQUEST],
  ];
  for (const [name, full] of packets) {
    it(name, () => {
      const whole = time(decodeNtp(full).message as NtpMessage);
      for (let n = 0; n < full.length; n++) {
        const prefix = full.slice(0, n);
        // The capture says how long the datagram was: everything missing is truncation.
        const r = decodeNtp(prefix, 0, n, { wireLength: full.length });
        expect(r.truncated, `prefix ${n}`).toBe(true);
        expect(r.issues.some((i) => i.kind === 'truncated')).toBe(true);
        expect(r.issues.every((i) => i.kind !== 'malformed'), `prefix ${n}: ${JSON.stringify(r.issues)}`).toBe(true);
        if (n < 48) {
          expect(r.message).toBeUndefined();
          expect(r.issues[0]).toMatchObject({ layer: 'ntp', offset: 0, need: 48, have: n });
          if (n > 0) expect(r.partial?.available).toBe(n);
          if (n >= 2) expect(r.partial?.stratum).toBe(whole.stratum);
          if (n >= 16) expect(r.partial?.refid).toBe(whole.refid);
        } else {
          const m = time(r.message as NtpMessage);
          expect(m.transmitTime).toEqual(whole.transmitTime);
        }
        // Without the wire length: still never throws.
        expect(() => decodeNtp(prefix)).not.toThrow();
        // And a length pointing past the buffer is truncation too.
        expect(decodeNtp(prefix, 0, full.length).truncated).toBe(true);
      }
    });
  }
});

describe('robustness', () => {
  it('never throws on random or mutated input', () => {
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let i = 0; i < 20000; i++) {
      const base = i % 2 === 0 ? NTS_REQUEST : EF_AND_MD5_MAC;
      const n = Math.floor(rand() * (base.length + 8));
      const buf = new Uint8Array(n);
      for (let j = 0; j < n; j++) buf[j] = rand() < 0.9 && j < base.length ? (base[j] as number) : Math.floor(rand() * 256);
      expect(() => decodeNtp(buf, Math.floor(rand() * 4) - 1, Math.floor(rand() * 300) - 10)).not.toThrow();
    }
  });

  it('treats odd arguments as truncation, not as errors', () => {
    expect(decodeNtp(new Uint8Array(0)).truncated).toBe(true);
    expect(decodeNtp(SEED_SERVER_REPLY, 100).truncated).toBe(true);
    expect(decodeNtp(SEED_SERVER_REPLY, Number.NaN, Number.NaN).truncated).toBe(true);
  });

  it('flags impossible versions and mode 0', () => {
    const v0 = SEED_SERVER_REPLY.slice();
    v0[0] = 0x00; // LI 0, VN 0, mode 0
    expect(decodeNtp(v0).issues.map((i) => i.kind)).toEqual(['malformed', 'malformed']);
    const reserved = SEED_SERVER_REPLY.slice();
    reserved[1] = 17;
    expect(decodeNtp(reserved).issues).toMatchObject([{ kind: 'malformed', layer: 'ntp', offset: 1 }]);
  });

  it('encodes root delay/dispersion rounded to 2^-16 and clamped', () => {
    const m = time(decodeNtp(SEED_SERVER_REPLY).message as NtpMessage);
    const bytes = encodeNtp({ ...m, rootDelay: -1, rootDispersion: 1e12 });
    expect(toHex(bytes.subarray(4, 12))).toBe('00000000ffffffff');
    expect(() => encodeNtp(m, new Uint8Array(40))).toThrow(RangeError);
  });
});
