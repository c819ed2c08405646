import { describe, expect, it } from 'vitest';
import { encodeNtp } from '../../src/ntp/codec.js';
import { checkFormat, packetTests, type PacketTestContext } from '../../src/ntp/tests.js';
import { unixToNtp } from '../../src/ntp/timestamp.js';
import type { NtpExtensionField, NtpTimePacket } from '../../src/ntp/types.js';

const T1 = 1_763_769_600; // 2025-11-22T00:00:00Z
const sent = unixToNtp(T1);
const arrived = unixToNtp(T1, 20_100_000);

function reply(over: Partial<NtpTimePacket> = {}): NtpTimePacket {
  return {
    leap: 0, version: 4, mode: 4, stratum: 2, poll: 6, precision: -20, rootDelay: 0.01, rootDispersion: 0.02,
    refid: 0xc6336401, referenceTime: unixToNtp(T1 - 30), originTime: sent,
    receiveTime: unixToNtp(T1, 10_000_000), transmitTime: unixToNtp(T1, 10_100_000), extensions: [], ...over,
  };
}

const ctx: PacketTestContext = { sent, arrived, precision: -24 };
const bytes = (p: NtpTimePacket) => encodeNtp({ kind: 'time', ...p });

function withTrailer(trailer: number[]): Uint8Array {
  const head = bytes(reply());
  const out = new Uint8Array(head.length + trailer.length);
  out.set(head);
  out.set(trailer, head.length);
  return out;
}

function ef(type: number, length: number): number[] {
  const b = new Array<number>(length).fill(0xab);
  b[0] = type >> 8;
  b[1] = type & 0xff;
  b[2] = length >> 8;
  b[3] = length & 0xff;
  return b;
}

describe('packetTests (RFC 5905 §8, chrony ntp_core.c names)', () => {
  it('a good reply passes every test: valid, synced, good, all ten bits set', () => {
    const r = packetTests(bytes(reply()), ctx);
    expect(r).toMatchObject({ valid: true, synced: true, good: true, failed: [], bits: 0b1111111111 });
  });

  it('test1: the same receive and transmit timestamps as the last valid reply is a duplicate', () => {
    const p = reply();
    const r = packetTests(bytes(p), { ...ctx, previous: { receiveTime: p.receiveTime, transmitTime: p.transmitTime } });
    expect(r.test1).toBe(false);
    expect(r.valid).toBe(false);
    expect(r.failed).toEqual(['duplicate']);
    expect(r.bits & 0b1000000000).toBe(0);
    // chrony: one of the two differing is enough to pass.
    const q = packetTests(bytes(p), { ...ctx, previous: { receiveTime: p.receiveTime, transmitTime: unixToNtp(T1 - 64) } });
    expect(q.test1).toBe(true);
  });

  it('test2: an origin that is not our transmit timestamp is bogus; a second answer to one request too', () => {
    const r = packetTests(bytes(reply({ originTime: unixToNtp(T1 - 1) })), ctx);
    expect(r).toMatchObject({ test2: false, valid: false, good: false });
    expect(r.failed).toEqual(['origin-mismatch']);
    const again = packetTests(bytes(reply()), { ...ctx, answered: true });
    expect(again).toMatchObject({ test2: false, valid: false });
    expect(again.failed).toEqual(['already-answered']);
  });

  it('test3: a zero origin, receive or transmit timestamp is invalid', () => {
    const zero = { seconds: 0, fraction: 0 };
    expect(packetTests(bytes(reply({ receiveTime: zero })), ctx).failed).toContain('zero-receive');
    expect(packetTests(bytes(reply({ transmitTime: zero })), ctx).failed).toContain('zero-transmit');
    const o = packetTests(bytes(reply({ originTime: zero })), ctx);
    expect(o.test3).toBe(false);
    expect(o.failed).toEqual(['origin-mismatch', 'zero-origin']);
  });

  it('test6: leap 3, stratum 0 (KoD or unsynchronised) and stratum ≥ 16 are valid answers that are not synced', () => {
    for (const over of [{ leap: 3 }, { stratum: 0, leap: 3, refid: 0x52415445 }, { stratum: 16 }]) {
      const r = packetTests(bytes(reply(over)), ctx);
      expect(r).toMatchObject({ valid: true, test6: false, synced: false, good: false });
      expect(r.failed).toEqual(['unsynchronized']);
      // chrony sets tests A–D to 0 when the packet is not synced.
      expect(r.bits & 0b1111).toBe(0);
    }
  });

  it('test7: a root distance of 16 s or more is bad data', () => {
    const r = packetTests(bytes(reply({ rootDelay: 2, rootDispersion: 15 })), ctx);
    expect(r).toMatchObject({ valid: true, test7: false, synced: false });
    expect(packetTests(bytes(reply({ rootDelay: 2, rootDispersion: 14.99 })), ctx).test7).toBe(true);
  });

  it('testA: a server that held the request over 4 s, or a delay over maxdelay, gives no sample', () => {
    const slow = reply({ receiveTime: unixToNtp(T1 - 5), transmitTime: unixToNtp(T1, 10_000_000) });
    expect(packetTests(bytes(slow), ctx)).toMatchObject({ valid: true, synced: true, testA: false, good: false, failed: ['delay'] });
    const far = packetTests(bytes(reply()), { ...ctx, arrived: unixToNtp(T1 + 4) });
    expect(far).toMatchObject({ testA: false, good: false });
    expect(packetTests(bytes(reply()), { ...ctx, arrived: unixToNtp(T1 + 4), maxDelay: 5 }).testA).toBe(true);
  });

  it('testD: a stratum > 1 server whose refid is our own address would be a synchronisation loop', () => {
    const r = packetTests(bytes(reply({ refid: 0xc6336402 })), { ...ctx, localRefid: 0xc6336402 });
    expect(r).toMatchObject({ synced: true, testD: false, good: false, failed: ['sync-loop'] });
    expect(packetTests(bytes(reply({ stratum: 1, refid: 0xc6336402 })), { ...ctx, localRefid: 0xc6336402 }).testD).toBe(true);
  });

  it('mode: only a server-mode (4) reply answers a client request', () => {
    const r = packetTests(bytes(reply({ mode: 3 })), ctx);
    expect(r).toMatchObject({ mode: false, valid: false });
    expect(r.failed).toEqual(['mode']);
  });

  it('never throws: every prefix of a reply and random bytes give failed tests', () => {
    const b = bytes(reply());
    for (let n = 0; n < b.length; n++) {
      const r = packetTests(b.subarray(0, n), ctx);
      expect(r.valid).toBe(false);
      expect(r.failed[0]).toBe('format');
    }
    let seed = 7;
    for (let i = 0; i < 300; i++) {
      const junk = new Uint8Array(48 + (i % 80));
      for (let j = 0; j < junk.length; j++) junk[j] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
      expect(() => packetTests(junk, ctx)).not.toThrow();
    }
  });
});

describe('checkFormat (exact length, RFC 7822 extension fields and MAC)', () => {
  it('accepts a bare header, a MAC of 4+16 or 4+20, a crypto-NAK, and fields ≥ 16 with a MAC or a last one ≥ 28', () => {
    expect(checkFormat(withTrailer([]))).toMatchObject({ ok: true, extensionFields: 0, macLength: 0 });
    expect(checkFormat(withTrailer(new Array(20).fill(1)))).toMatchObject({ ok: true, macLength: 20 });
    expect(checkFormat(withTrailer(new Array(24).fill(1)))).toMatchObject({ ok: true, macLength: 24 });
    expect(checkFormat(withTrailer([0, 0, 0, 0]))).toMatchObject({ ok: true, macLength: 4 });
    expect(checkFormat(withTrailer([...ef(0x0104, 16), ...new Array(20).fill(1)]))).toMatchObject({ ok: true, extensionFields: 1, macLength: 20 });
    expect(checkFormat(withTrailer(ef(0x0104, 28)))).toMatchObject({ ok: true, extensionFields: 1 });
    expect(checkFormat(withTrailer([...ef(0x0104, 16), ...ef(0x0204, 32)]))).toMatchObject({ ok: true, extensionFields: 2 });
  });

  it('refuses a junk trailer: not a multiple of 4, a short field, a bad field length, a last field under 28', () => {
    expect(checkFormat(withTrailer([1, 2, 3, 4, 5])).problem).toMatch(/not a multiple of 4/);
    expect(checkFormat(withTrailer([1, 2, 3, 4])).ok).toBe(false); // 4 octets, non-zero key id
    expect(checkFormat(withTrailer(new Array(8).fill(0x41))).ok).toBe(false);
    expect(checkFormat(withTrailer(ef(0x0104, 16))).ok).toBe(false); // RFC 7822 §7.5: last field needs 28
    expect(checkFormat(withTrailer([...ef(0x0104, 32)].map((v, i) => (i === 3 ? 30 : v)))).ok).toBe(false); // length 30
    expect(checkFormat(withTrailer([...ef(0x0104, 32)].map((v, i) => (i === 3 ? 64 : v)))).ok).toBe(false); // past the end
    expect(checkFormat(withTrailer(new Array(48).fill(0))).ok).toBe(false); // a zero-length "field"
  });

  it('v3: what follows the header is only ever a MAC (20–68 octets, as chrony reads it)', () => {
    const short = encodeNtp({ kind: 'time', ...reply({ version: 3, extensions: [{ fieldType: 0x0104, length: 16, body: new Uint8Array(12) } as NtpExtensionField] }) });
    expect(checkFormat(short).ok).toBe(false);
    const long = encodeNtp({ kind: 'time', ...reply({ version: 3, extensions: [{ fieldType: 0x0104, length: 72, body: new Uint8Array(68) } as NtpExtensionField] }) });
    expect(checkFormat(long).ok).toBe(false);
    const mac = encodeNtp({ kind: 'time', ...reply({ version: 3, mac: { keyId: 1, digest: new Uint8Array(16) } }) });
    expect(checkFormat(mac)).toMatchObject({ ok: true, macLength: 20 });
  });

  it('refuses versions 0 and 5–7 and anything over chrony\'s 1140-octet packet', () => {
    const b = bytes(reply());
    b[0] = (b[0]! & 0xc7) | (5 << 3);
    expect(checkFormat(b).problem).toMatch(/version 5/);
    expect(checkFormat(withTrailer([...ef(0x0104, 1100), ...new Array(20).fill(1)])).problem).toMatch(/exceeds/);
  });
});
