/**
 * Symmetric and broadcast modes on the wire (RFC 5905 §9.2, §8): mode 1 is a request, mode 2 its reply, paired by origin; two
 * active peers answer each other in mode 1. Frames built here as raw IPv4 (LINKTYPE_RAW) + UDP + a 48-octet header;
 * the real capture of a `peer` against `nopeer` is fixtures/wire/peer-nopeer.pcap (test/rules/wire-captures.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { CaptureRecord } from '../../src/capture/types.js';
import { Correlator } from '../../src/correlate/correlator.js';
import { decodeFrame } from '../../src/decode/frame.js';

const A = [198, 51, 100, 130];
const B = [198, 51, 100, 100];
const EPOCH = 2208988800;
const T0 = 1796581370;

interface Ntp {
  mode: number;
  org?: number | undefined;
  rcv?: number | undefined;
  xmt: number;
}

/** NTP seconds as [seconds, fraction] of a Unix time. */
function ts(v: DataView, at: number, unix: number | undefined): void {
  if (unix === undefined) return;
  v.setUint32(at, Math.floor(unix) + EPOCH);
  v.setUint32(at + 4, Math.round((unix % 1) * 2 ** 32));
}

let frameNo = 0;
function frame(time: number, src: number[], sport: number, dst: number[], dport: number, n: Ntp): CaptureRecord {
  const b = new Uint8Array(20 + 8 + 48);
  const v = new DataView(b.buffer);
  b[0] = 0x45;
  v.setUint16(2, b.length);
  b[8] = 64;
  b[9] = 17;
  b.set(src, 12);
  b.set(dst, 16);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += v.getUint16(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  v.setUint16(10, ~sum & 0xffff);
  v.setUint16(20, sport);
  v.setUint16(22, dport);
  v.setUint16(24, 56);
  b[28] = (4 << 3) | n.mode;
  b[29] = 3;
  b[30] = 6;
  b[31] = 0xe9;
  ts(v, 28 + 24, n.org);
  ts(v, 28 + 32, n.rcv);
  ts(v, 28 + 40, n.xmt);
  const sec = Math.floor(time);
  return { frame: ++frameNo, tsSec: sec, tsNsec: Math.round((time - sec) * 1e9), linkType: 101, interfaceId: 0, capturedLength: b.length, originalLength: b.length, data: b };
}

function correlate(records: CaptureRecord[]) {
  frameNo = 0;
  const c = new Correlator();
  for (const r of records) c.feed(decodeFrame(r));
  c.end();
  return c.pathObservations();
}

describe('symmetric modes (RFC 5905 §9.2)', () => {
  it('pairs mode 1 with the mode 2 reply whose origin is its transmit, and counts mode 1 apart', () => {
    const recs: CaptureRecord[] = [];
    for (let i = 0; i < 3; i++) {
      const t = T0 + 8 * i;
      recs.push(frame(t, A, 123, B, 123, { mode: 1, xmt: t + 0.5 }));
      recs.push(frame(t + 0.001, B, 123, A, 123, { mode: 2, org: t + 0.5, rcv: t + 0.0005, xmt: t + 0.0006 }));
    }
    const [p, ...rest] = correlate(recs);
    expect(rest).toEqual([]);
    expect(p!.requests.count).toBe(3);
    expect(p!.replies.count).toBe(3);
    expect(p!.unanswered.count).toBe(0);
    expect(p!.bogus).toEqual([]);
    expect(p!.requestClasses?.symmetric).toMatchObject({ requests: { count: 3 }, replies: { count: 3 }, unanswered: { count: 0 } });
    expect(p!.exchanges.map((x) => [x.requestMode, x.reply?.mode])).toEqual([[1, 2], [1, 2], [1, 2]]);
  });

  it('mode 1 never answered (nopeer) is unanswered mode 1; mode 3 from another port beside it is answered', () => {
    const recs: CaptureRecord[] = [];
    for (let i = 0; i < 3; i++) recs.push(frame(T0 + 8 * i, A, 123, B, 123, { mode: 1, xmt: T0 + 8 * i + 0.5 }));
    recs.push(frame(T0 + 30, A, 40000, B, 123, { mode: 3, xmt: T0 + 30.2 }));
    recs.push(frame(T0 + 30.001, B, 123, A, 40000, { mode: 4, org: T0 + 30.2, rcv: T0 + 30.0005, xmt: T0 + 30.0006 }));
    recs.push(frame(T0 + 45, A, 40001, B, 123, { mode: 5, xmt: T0 + 45 }));
    const [p] = correlate(recs);
    expect(p!.requestClasses?.symmetric).toMatchObject({ requests: { count: 3 }, unanswered: { count: 3 }, replies: { count: 0 } });
    expect(p!.replies.count).toBe(1);
  });

  it('two active peers: a mode 1 whose origin is the other side\'s open request answers it, and asks in turn', () => {
    const recs: CaptureRecord[] = [];
    let lastFromB: number | undefined;
    for (let i = 0; i < 3; i++) {
      const t = T0 + 8 * i;
      recs.push(frame(t, A, 123, B, 123, { mode: 1, org: lastFromB, rcv: lastFromB === undefined ? undefined : lastFromB + 0.0004, xmt: t + 0.5 }));
      recs.push(frame(t + 0.001, B, 123, A, 123, { mode: 1, org: t + 0.5, rcv: t + 0.0005, xmt: t + 0.0006 }));
      lastFromB = t + 0.0006;
    }
    const paths = correlate(recs);
    const ab = paths.find((p) => p.client.ip === '198.51.100.130')!;
    const ba = paths.find((p) => p.client.ip === '198.51.100.100')!;
    // A's three requests are each answered by B's mode 1; B's are answered by A's next (its last is still open at the end).
    expect(ab.replies.count).toBe(3);
    expect(ab.unanswered.count).toBe(0);
    expect(ba.requests.count).toBe(3);
    expect(ba.replies.count).toBe(2);
  });

  it('broadcast (mode 5): replies nobody asked for, on the path sender → broadcast address; only a zero transmit is bogus', () => {
    const BCAST = [198, 51, 100, 255];
    const recs = [0, 8, 16].map((d) => frame(T0 + d, B, 123, BCAST, 123, { mode: 5, xmt: T0 + d }));
    recs.push(frame(T0 + 24, B, 123, BCAST, 123, { mode: 5, xmt: undefined as unknown as number }));
    const [p, ...rest] = correlate(recs);
    expect(rest).toEqual([]);
    expect(p!.client.ip).toBe('198.51.100.255');
    expect(p!.server.ip).toBe('198.51.100.100');
    expect(p!.requests.count).toBe(0);
    expect(p!.unanswered.count).toBe(0);
    expect(p!.replies.count).toBe(4);
    expect(p!.strata).toEqual([{ value: 3, count: 4, frames: [1, 2, 3, 4] }]);
    expect(p!.bogus).toEqual([{ value: 'zero-transmit', count: 1, frames: [4] }]);
    expect(p!.exchanges.every((x) => x.requestMode === 5 && x.offset === undefined)).toBe(true);
    expect(p!.requestClasses).toBeUndefined();
  });

  describe('interleaved (chrony xleave, src/correlate/interleaved.ts)', () => {
    /** chrony's pattern: request origin = previous T2, receive = cookie R; interleaved reply origin = R, transmit = previous T3. */
    function xleave(interleaveFrom: number, count: number, skewT3 = 0) {
      const recs: CaptureRecord[] = [];
      let prevT2: number | undefined;
      let prevT3: number | undefined;
      for (let i = 0; i < count; i++) {
        const t = T0 + i;
        const cookieR = T0 + 1000 + i; // random-looking receive field
        const cookieX = T0 + 5000 + i; // random-looking transmit (data minimisation)
        recs.push(frame(t, A, 40000 + i, B, 123, { mode: 3, org: prevT2, rcv: prevT2 === undefined ? undefined : cookieR, xmt: cookieX }));
        const t2 = t + 0.0001;
        const t3 = t + 0.00015;
        const interleaved = i >= interleaveFrom && prevT3 !== undefined;
        recs.push(frame(t + 0.0002, B, 123, A, 40000 + i, interleaved ? { mode: 4, org: cookieR, rcv: t2, xmt: prevT3! + skewT3 } : { mode: 4, org: cookieX, rcv: t2, xmt: t3 }));
        prevT2 = t2;
        prevT3 = t3;
      }
      return correlate(recs)[0]!;
    }

    it('matches interleaved replies to their request and measures the previous exchange (θ = (100 µs − 50 µs) / 2, δ = 200 µs − 50 µs)', () => {
      const p = xleave(2, 6);
      expect(p.bogus).toEqual([]);
      expect(p.replies.count).toBe(6);
      expect(p.exchanges.map((x) => x.interleaved === true)).toEqual([false, false, true, true, true, true]);
      for (const x of p.exchanges.slice(2)) {
        expect(x.offset!).toBeCloseTo(0.000025, 6);
        expect(x.delay!).toBeCloseTo(0.00015, 5);
      }
    });

    it('without the previous exchange on the path (its request named no T2), an origin = receive field reply stays bogus', () => {
      // Interleaved from the second reply: the first request had origin 0, so no exchange was noted to measure.
      const p = xleave(1, 2);
      expect(p.bogus.map((b) => b.value)).toEqual(['origin-mismatch', 'receive-after-transmit']);
    });

    it('an "interleaved" transmit before the previous T2 is not measured', () => {
      const p = xleave(2, 4, -0.01);
      expect(p.exchanges.slice(2).every((x) => x.interleaved === true && x.offset === undefined)).toBe(true);
    });
  });
});
