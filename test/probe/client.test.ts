import { describe, expect, it } from 'vitest';
import { buildRequest, sampleTimes, stampRequest, type AddressProbe } from '../../src/probe/client.js';
import { createClock, ntpToUnixNs, unixNsToNtp } from '../../src/net/clock.js';
import { readErrno } from '../../src/probe/errno.js';
import { parseTarget } from '../../src/net/target.js';
import { renderTranscript } from '../../src/render/transcript.js';
import { judgeProbes } from '../../src/run/probe.js';
import { decodeNtp } from '../../src/ntp/codec.js';
import type { NtpTimePacket } from '../../src/ntp/types.js';
import { InputError } from '../../src/errors.js';

const T1 = 1_763_769_600_000_000_000n; // 2025-11-22T00:00:00Z in ns

function reply(over: Partial<NtpTimePacket>): NtpTimePacket {
  return {
    leap: 0, version: 4, mode: 4, stratum: 10, poll: 1, precision: -20, rootDelay: 0, rootDispersion: 0.001,
    refid: 0x7f7f0101, referenceTime: unixNsToNtp(T1 - 10_000_000_000n), originTime: unixNsToNtp(T1),
    receiveTime: unixNsToNtp(T1 + 5_000_000n), transmitTime: unixNsToNtp(T1 + 5_100_000n), extensions: [], ...over,
  };
}

describe('request', () => {
  it('stamping T1 into the encoded template gives the very bytes encoding with T1 gives (the template is not touched)', () => {
    const t1 = unixNsToNtp(T1 + 123_456_789n);
    const template = buildRequest({ seconds: 0, fraction: 0 }, -24, 4, 1);
    const before = template.slice();
    expect(stampRequest(template, t1)).toEqual(buildRequest(t1, -24, 4, 1));
    expect(template).toEqual(before);
    expect(decodeNtp(stampRequest(template, t1)).message).toMatchObject({ mode: 3, transmitTime: t1 });
  });
});

describe('clock', () => {
  it('NTP timestamps round-trip to the nanosecond (fraction rounding stays under 1 ns)', () => {
    for (const ns of [T1, T1 + 1n, T1 + 999_999_999n, 0n, 2_085_978_496_000_000_000n + 123_456_789n]) {
      const back = ntpToUnixNs(unixNsToNtp(ns), ns);
      expect(Number(ns - back)).toBeGreaterThanOrEqual(0);
      expect(Number(ns - back)).toBeLessThanOrEqual(1);
    }
  });
  it('is anchored to the wall clock within a millisecond and reports a sub-microsecond precision', () => {
    const c = createClock();
    // Bracketed by two wall-clock readings (ms resolution): a preemption between them widens the bracket, never
    // breaks it.
    const before = Date.now();
    const ms = Number(c.nowNs() / 1_000_000n);
    const after = Date.now();
    expect(ms).toBeGreaterThanOrEqual(before - 1);
    expect(ms).toBeLessThanOrEqual(after + 1);
    expect(c.precision).toBeLessThanOrEqual(-20); // 2^-20 s ≈ 1 µs
    expect(c.precision).toBeGreaterThanOrEqual(-34);
  });
  it('two clocks anchored separately agree within 20 µs (the edge bracket, not Date.now()\'s millisecond)', () => {
    const a = createClock();
    const b = createClock();
    expect(Math.abs(Number(a.nowNs() - b.nowNs()))).toBeLessThan(20_000);
  });
});

describe('offset and delay (RFC 5905 §8)', () => {
  it('θ = ((T2−T1)+(T3−T4))/2 and δ = (T4−T1)−(T3−T2), exact', () => {
    // Server 2 s ahead, 10 ms each way, 100 µs in the server.
    const t2 = T1 + 2_000_000_000n + 10_000_000n;
    const t3 = t2 + 100_000n;
    const t4 = T1 + 20_100_000n;
    const s = sampleTimes(reply({ receiveTime: unixNsToNtp(t2), transmitTime: unixNsToNtp(t3) }), T1, t4, -24);
    expect(s.offset).toBeCloseTo(2, 8);
    expect(s.delay).toBeCloseTo(0.02, 8);
    expect(s.dispersion).toBeGreaterThan(2 ** -20);
  });
  it('the request is 48 octets of client mode with our transmit timestamp', () => {
    const t1 = unixNsToNtp(T1);
    const d = decodeNtp(buildRequest(t1, -24, 4, 1)).message;
    expect(d).toMatchObject({ kind: 'time', mode: 3, version: 4, leap: 3, transmitTime: t1 });
  });
});

describe('errno → ICMP (docs/architecture.md table, Linux icmp_err_convert)', () => {
  it('maps what a connected socket reports', () => {
    expect(readErrno('ECONNREFUSED', 4).causes).toMatchObject([{ type: 3, code: 3 }]);
    expect(readErrno('EHOSTUNREACH', 4).causes.map((c) => c.code)).toEqual([10, 13]);
    expect(readErrno('EHOSTUNREACH', 4).text).toMatch(/cannot tell these apart/);
    expect(readErrno('ENETUNREACH', 4).causes).toMatchObject([{ type: 3, code: 9 }]);
    expect(readErrno('EACCES', 6).causes[0]).toMatchObject({ version: 6, type: 1, code: 1 });
    expect(readErrno('ECONNREFUSED', 6).causes).toMatchObject([{ type: 1, code: 4 }]);
    expect(readErrno('EMSGSIZE', 4).causes).toEqual([]);
  });
});

describe('targets', () => {
  it('parses HOST[:PORT] and IPv6', () => {
    expect(parseTarget('198.51.100.1')).toEqual({ host: '198.51.100.1', port: 123 });
    expect(parseTarget('node0:1123')).toEqual({ host: 'node0', port: 1123 });
    expect(parseTarget('[2001:db8::1]:124')).toEqual({ host: '2001:db8::1', port: 124 });
    expect(parseTarget('2001:db8::1')).toEqual({ host: '2001:db8::1', port: 123 });
    for (const bad of ['', 'h:0', 'h:70000', '[2001:db8::1', 'a:b:c', '[x]:1']) expect(() => parseTarget(bad)).toThrow(InputError);
  });
});

function fakeProbe(outcomes: Array<'reply' | 'icmp' | 'none'>, errno = 'EHOSTUNREACH'): AddressProbe {
  return {
    address: '198.51.100.1', family: 4, port: 123, version: 4, precision: -24,
    samples: outcomes.map((outcome, i) => {
      const sentNs = T1 + BigInt(i) * 2_000_000_000n;
      const base = { index: i + 1, localAddress: '198.51.100.2', localPort: 40000 + i, transmit: unixNsToNtp(sentNs), sentAt: Number(sentNs) / 1e9, requestLength: 48, bogus: [] as string[], outcome };
      if (outcome === 'icmp') return { ...base, errno: readErrno(errno, 4) };
      if (outcome === 'none') return base;
      const p = reply({ originTime: unixNsToNtp(sentNs), receiveTime: unixNsToNtp(sentNs + 1_000_000n), transmitTime: unixNsToNtp(sentNs + 1_100_000n) });
      return { ...base, packet: p, refidText: '127.127.1.1', replyLength: 48, receivedAt: Number(sentNs + 2_000_000n) / 1e9, ...sampleTimes(p, sentNs, sentNs + 2_000_000n, -24) };
    }),
  };
}

describe('samples → exchanges → the shared rules', () => {
  it('EHOSTUNREACH becomes ICMP 3/10 with 3/13 as the alternative, judged firewall-reject', () => {
    const run = judgeProbes('node0', 123, [fakeProbe(['icmp', 'icmp'])]);
    expect(run.report.exchanges[0]?.icmp).toMatchObject({ type: 3, code: 10, errno: 'EHOSTUNREACH', alternatives: [{ type: 3, code: 13 }] });
    expect(run.report.findings[0]?.rule).toBe('firewall-reject');
  });
  it('silence is no-response; good replies give no warning', () => {
    expect(judgeProbes('h', 123, [fakeProbe(['none', 'none', 'none'])]).report.findings[0]?.rule).toBe('no-response');
    const ok = judgeProbes('h', 123, [fakeProbe(['reply', 'reply', 'reply', 'reply'])]);
    expect(ok.report.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(ok.report.exchanges.every((x) => x.offsetMethod === 'probe' && x.replyFrame === x.requestFrame)).toBe(true);
  });
  it('the transcript reads like ntpdate -d', () => {
    const p = fakeProbe(['reply', 'icmp', 'none', 'reply']);
    p.best = 1;
    const text = renderTranscript(p, { host: 'node0', dropped: 'x' });
    expect(text).toMatch(/^Looking for host node0 and service ntp\nhost found : 198\.51\.100\.1\n/);
    expect(text).toContain('transmit(198.51.100.1)');
    expect(text).toContain('receive(198.51.100.1)');
    expect(text).toMatch(/icmp\(198\.51\.100\.1\).*3\/10/);
    expect(text).toMatch(/timeout\(198\.51\.100\.1\)/);
    expect(text).toContain('198.51.100.1: Server dropped: x');
    expect(text).toMatch(/stratum 10, precision -20, leap 00/);
    expect(text).toMatch(/transmitted 4, in filter 2/);
    expect(text).toMatch(/filter offset: /);
  });
});
