/** The correlator on real lab captures (fixtures/README.md says how each was made). */
import { describe, expect, it } from 'vitest';
import { readCapture } from '../../src/capture/read.js';
import { Correlator } from '../../src/correlate/correlator.js';
import { hidesClock } from '../../src/correlate/measure.js';
import type { NtpExchange } from '../../src/model/exchange.js';
import { decodeFrame } from '../../src/decode/frame.js';
import type { NtpPathObservation } from '../../src/model/observation.js';

async function correlate(file: string, localIps: string[] = []) {
  const streamed: NtpExchange[] = [];
  const c = new Correlator({ localIps: new Set(localIps), onExchange: (x) => streamed.push(x) });
  await readCapture(`fixtures/${file}`, (r) => c.feed(decodeFrame(r)));
  c.end();
  const paths = c.pathObservations();
  return { c, paths, streamed };
}

const only = (paths: NtpPathObservation[], server: string) => paths.filter((p) => p.server.ip === server);

describe('Correlator on real captures', () => {
  it('matches every chrony request with its reply by origin and streams each exchange as it completes', async () => {
    const { paths, streamed } = await correlate('healthy-chrony.pcap');
    const [p] = only(paths, '198.51.100.100');
    expect(p).toBeDefined();
    expect(p!.requests.count).toBeGreaterThanOrEqual(6);
    expect(p!.replies.count).toBe(p!.requests.count);
    expect(p!.unanswered.count).toBe(0);
    expect(p!.bogus).toEqual([]);
    // chrony ≥ 4 hides its clock (random T1): offsets come from the capture times ('capture-times'), host clock shared → tiny.
    expect(p!.offsetMethod).toBe('capture-times');
    expect(Math.abs(p!.offset!.max)).toBeLessThan(0.001);
    expect(p!.delay!.min).toBeGreaterThan(0);
    expect(streamed.filter((x) => x.outcome === 'reply')).toHaveLength(p!.replies.count);
  });

  it('ties each ICMP 3/10 to the request it quotes, leaving nothing unanswered', async () => {
    const { paths } = await correlate('firewall-reject-hostprohib.pcap');
    const [p] = only(paths, '198.51.100.100');
    expect(p!.icmp.map((i) => [i.type, i.code, i.reporter])).toEqual([[3, 10, '198.51.100.100']]);
    expect(p!.icmp[0]!.count).toBe(p!.requests.count);
    expect(p!.unanswered.count).toBe(0);
    expect(p!.replies.count).toBe(0);
  });

  it('counts requests that met silence as unanswered (DROP)', async () => {
    const { paths } = await correlate('firewall-drop.pcap');
    const [p] = only(paths, '198.51.100.100');
    expect(p!.replies.count + p!.icmp.length).toBe(0);
    expect(p!.unanswered.count).toBeGreaterThan(0);
    // The last request, sent within a second of the end, may still have been answered after the cut: not counted.
    expect(p!.unanswered.count).toBeLessThanOrEqual(p!.requests.count);
  });

  it('reads a client a year off from its real T1 as a one-way offset (capture clock is not the client clock)', async () => {
    const { paths } = await correlate('client-year-off.pcap');
    const [p] = only(paths, '198.51.100.100');
    expect(p!.offsetMethod).toBe('one-way');
    expect(p!.offset!.best).toBeCloseTo(365 * 86400, -1);
  });

  it('sees a server 3 h ahead from chrony requests (hidden T1) and ntpdig ones (real T1) alike', async () => {
    const { streamed } = await correlate('server-hours-off.pcap');
    const offsets = streamed.filter((x) => x.offset !== undefined).map((x) => x.offset!);
    expect(offsets.length).toBeGreaterThan(2);
    for (const o of offsets) expect(o).toBeCloseTo(10800, -1);
  });

  it('tells data-minimized requests (random transmit cookie) from real clock readings', () => {
    // The request fields hidesClock reads (the rest of a request does not matter to it).
    const base = { rootDelay: 0, rootDispersion: 0, refSec: 0, refFrac: 0 };
    expect(hidesClock({ ...base, precision: 32 })).toBe(true); // chrony ≥ 4
    expect(hidesClock({ ...base, precision: -6, rootDelay: 1, rootDispersion: 1 })).toBe(false); // ntpdate
    expect(hidesClock({ ...base, precision: 0 })).toBe(false); // ntpdig
    expect(hidesClock({ ...base, precision: 32, refSec: 3_900_000_000 })).toBe(false); // a reference time is a reading
  });

  it('flags a reply whose origin matches no open request as bogus, and a repeat as duplicate (RFC 5905 §8)', () => {
    const c = new Correlator();
    const ts = (seconds: number) => ({ seconds, fraction: 0 });
    const zero = ts(0);
    const pkt = (mode: number, origin: number, receive: number, transmit: number) => ({
      kind: 'time' as const, leap: 0, version: 4, mode, stratum: mode === 4 ? 2 : 0, poll: 6, precision: -20,
      rootDelay: 0.01, rootDispersion: 0.01, refid: 0xc6336401, referenceTime: ts(receive || 1),
      originTime: origin ? ts(origin) : zero, receiveTime: receive ? ts(receive) : zero, transmitTime: ts(transmit), extensions: [],
    });
    const frame = (n: number, src: string, dst: string, sport: number, dport: number, msg: ReturnType<typeof pkt>) => ({
      frame: n, tsSec: 1_700_000_000 + n, tsNsec: 0, capturedLength: 90, originalLength: 90, link: { linkType: 1 },
      ip: { version: 4 as const, src, dst, ttl: 64, protocol: 17, tos: 0 },
      udp: { srcPort: sport, dstPort: dport, length: 56, checksum: 1, checksumStatus: 'ok' as const },
      ntp: { message: msg, truncated: false, issues: [] }, issues: [],
    });
    const base = 3_908_988_800;
    c.feed(frame(1, '198.51.100.130', '198.51.100.100', 40000, 123, pkt(3, 0, 0, base + 1)));
    c.feed(frame(2, '198.51.100.100', '198.51.100.130', 123, 40000, pkt(4, base + 99, base + 2, base + 2)));
    c.feed(frame(3, '198.51.100.130', '198.51.100.100', 40000, 123, pkt(3, 0, 0, base + 3)));
    c.feed(frame(4, '198.51.100.100', '198.51.100.130', 123, 40000, pkt(4, base + 3, base + 4, base + 4)));
    c.feed(frame(5, '198.51.100.100', '198.51.100.130', 123, 40000, pkt(4, base + 3, base + 4, base + 4)));
    c.end();
    const [p] = c.pathObservations();
    expect(p!.bogus.map((b) => [b.value, b.frames])).toEqual([
      ['origin-mismatch', [2]],
      ['duplicate', [5]],
    ]);
    expect(p!.replies.count).toBe(3);
  });

  it('lets frames it skips still move the capture clock (tick), as feeding them would', () => {
    const request = {
      frame: 1, tsSec: 1_700_000_000, tsNsec: 0, capturedLength: 90, originalLength: 90, link: { linkType: 1 },
      ip: { version: 4 as const, src: '198.51.100.130', dst: '198.51.100.100', ttl: 64, protocol: 17, tos: 0 },
      udp: { srcPort: 40000, dstPort: 123, length: 56, checksum: 1, checksumStatus: 'ok' as const },
      ntp: {
        truncated: false, issues: [],
        message: {
          kind: 'time' as const, leap: 0, version: 4, mode: 3, stratum: 0, poll: 6, precision: -20, rootDelay: 0, rootDispersion: 0,
          refid: 0, referenceTime: { seconds: 0, fraction: 0 }, originTime: { seconds: 0, fraction: 0 },
          receiveTime: { seconds: 0, fraction: 0 }, transmitTime: { seconds: 3_908_988_801, fraction: 0 }, extensions: [],
        },
      },
      issues: [],
    };
    // A DNS frame 5 s later: not NTP, but it shows the capture went on past the request's end grace (1 s).
    const dns = { ...request, frame: 2, tsSec: request.tsSec + 5, udp: { ...request.udp, srcPort: 53, dstPort: 53 } };
    delete (dns as { ntp?: unknown }).ntp;
    const unanswered = (feedRest: (c: Correlator) => void) => {
      const c = new Correlator();
      c.feed(request);
      feedRest(c);
      c.end();
      return c.pathObservations()[0]!.unanswered.count;
    };
    expect(unanswered(() => {})).toBe(0); // the capture ends with the request: its reply may be after the cut
    expect(unanswered((c) => c.feed(dns))).toBe(1);
    expect(unanswered((c) => c.tick(dns.tsSec, dns.tsNsec))).toBe(1);
  });
});
