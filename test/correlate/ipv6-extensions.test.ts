/**
 * IPv6 extension headers (RFC 8200 §4) before TCP 4460, ICMPv6 and UDP 123: the header locator stops at the fixed
 * header and the fast paths decline such a frame (src/decode/locate.ts, prefilter.ts), so these frames take the
 * slow path. Proven here, on frames from the one builder (bench/frames.mjs ipv6Ext), that they still reach the
 * NTS-KE tracker (src/correlate/nts-ke.ts through src/decode/ipv6-ext.ts), the correlator, and the NTS
 * extension-field counter, on one thread and on shards; and what a fragment header does.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { concat, ethernet, icmpError, ipv6, ipv6Ext, ntpHeader, pcapFile, tcp, udp, type Ipv6Extension } from '../../bench/frames.mjs';
import { readCapture } from '../../src/capture/read.js';
import { CaptureCollector, captureParts } from '../../src/correlate/collect.js';
import { isIpv6Extension, locateBehindExtensions, upperLayerAt } from '../../src/decode/ipv6-ext.js';
import { IPPROTO_TCP, IPPROTO_UDP, Located, locate } from '../../src/decode/locate.js';
import { observeCapture } from '../../src/run/capture-file.js';
import type { NtpPathObservation, NtsKeSessionObservation } from '../../src/model/observation.js';

const dir = mkdtempSync(join(tmpdir(), 'ndv6x-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const T0 = 1_796_581_000;
function file(packets: Uint8Array[]): string {
  const f = join(dir, `f${n++}.pcap`);
  writeFileSync(f, pcapFile(packets.map((p, i) => [T0 + i * 0.01, ethernet(p)])));
  return f;
}
async function parts(packets: Uint8Array[], shard?: { index: number; count: number }) {
  const c = new CaptureCollector({ localIps: new Set() }, shard);
  await readCapture(file(packets), c.sink());
  c.correlator.end();
  return captureParts(c);
}

const C = '2001:db8::130';
const S = '2001:db8::100';
const SYN = 2;
const RST = 4;
const ACK = 16;
const HBH: Ipv6Extension[] = [{ type: 0 }];

/** A KE connection refused by the server (SYN, RST-ACK), each packet behind `ext`. */
function refused(ext: Ipv6Extension[], port = 40000): Uint8Array[] {
  return [ipv6Ext(C, S, ext, 6, tcp(C, S, port, 4460, { flags: SYN })), ipv6Ext(S, C, ext, 6, tcp(S, C, 4460, port, { ack: 1, flags: RST | ACK }))];
}
function ntpExchange(ext: Ipv6Extension[], port = 40100, t = T0): Uint8Array[] {
  return [
    ipv6Ext(C, S, ext, 17, udp(C, S, port, 123, ntpHeader({ mode: 3, transmit: t }))),
    ipv6Ext(S, C, ext, 17, udp(S, C, 123, port, ntpHeader({ mode: 4, stratum: 2, refid: 1, reference: t - 5, origin: t, receive: t + 0.001, transmit: t + 0.002 }))),
  ];
}

describe('the walk itself (src/decode/ipv6-ext.ts)', () => {
  const locateAt = (packet: Uint8Array) => {
    const b = ethernet(packet);
    const h = new Located();
    expect(locate(b, 0, b.length, 1, h)).toBe(true);
    return { b, h };
  };

  it('steps over hop-by-hop, routing and destination options to TCP; the lengths add up', () => {
    const t = tcp(C, S, 40000, 4460, { flags: SYN });
    const { b, h } = locateAt(ipv6Ext(C, S, [{ type: 0 }, { type: 43 }, { type: 60 }], 6, t));
    // The fixed header names the hop-by-hop header: the fast paths see protocol 0 and decline the frame.
    expect(h.protocol).toBe(0);
    expect(isIpv6Extension(h.protocol)).toBe(true);
    const out = new Located();
    expect(locateBehindExtensions(b, b.length, h, out)).toBe(true);
    expect(out).toMatchObject({ protocol: IPPROTO_TCP, l4At: h.l4At + 24, headerLength: 64, fragment: false, srcAt: h.srcAt, addrLength: 16 });
    expect(out.ipLength - out.headerLength).toBe(t.length);
    expect(upperLayerAt(b, b.length, h, IPPROTO_TCP, new Located())).toBe(h.l4At + 24);
    expect(upperLayerAt(b, b.length, h, IPPROTO_UDP, new Located())).toBe(-1);
  });

  it('stops at a fragment header with `fragment` set; declines a chain cut short, too long, or past the datagram', () => {
    const out = new Located();
    const frag = locateAt(ipv6Ext(C, S, [{ type: 0 }, { type: 44, offset: 0, more: true, id: 7 }], 6, tcp(C, S, 40000, 4460, { flags: SYN })));
    expect(locateBehindExtensions(frag.b, frag.b.length, frag.h, out)).toBe(true);
    expect(out).toMatchObject({ fragment: true, protocol: IPPROTO_TCP, headerLength: 56 });

    const whole = ethernet(ipv6Ext(C, S, HBH, 6, tcp(C, S, 40000, 4460, { flags: SYN })));
    const h = new Located();
    for (let cut = 14 + 40; cut < 14 + 48; cut++) {
      locate(whole, 0, cut, 1, h);
      expect(locateBehindExtensions(whole, cut, h, out), `cut at ${cut}`).toBe(false);
    }
    // Nine hop-by-hop headers in a row: more than any real packet, declined (a hostile chain is bounded).
    const nine = locateAt(ipv6Ext(C, S, Array.from({ length: 9 }, () => ({ type: 0 as const })), 6, tcp(C, S, 1, 4460)));
    expect(locateBehindExtensions(nine.b, nine.b.length, nine.h, out)).toBe(false);
    // A header whose length runs past the payload length the fixed header states.
    const long = ipv6Ext(C, S, HBH, 6, tcp(C, S, 1, 4460));
    long[40 + 1] = 200;
    const l = locateAt(long);
    expect(locateBehindExtensions(l.b, l.b.length, l.h, out)).toBe(false);
  });
});

describe('TCP 4460 behind IPv6 extension headers reaches the NTS-KE tracker', () => {
  for (const [name, ext] of [
    ['hop-by-hop', HBH],
    ['destination options', [{ type: 60 }]],
    ['hop-by-hop, routing and destination options', [{ type: 0 }, { type: 43 }, { type: 60 }]],
  ] as Array<[string, Ipv6Extension[]]>) {
    it(`${name}: a refused connection, with who reset it`, async () => {
      const { ntsKe } = await parts(refused(ext));
      expect(ntsKe!.connections.map((c) => [c.client, c.clientPort, c.server, c.serverPort, c.outcome, c.reset])).toEqual([
        [C, 40000, S, 4460, 'refused', { by: 'server', frame: 2 }],
      ]);
    });
  }

  it('shard 0 of several sees them too (it is offered every frame before routing)', async () => {
    const { ntsKe } = await parts(refused(HBH), { index: 0, count: 3 });
    expect(ntsKe!.connections.map((c) => c.outcome)).toEqual(['refused']);
  });

  it('payload octets are the segment\'s, not the extension header\'s', async () => {
    const hello = new Uint8Array([22, 3, 1, 0, 3, 1, 0, 0]);
    const { ntsKe } = await parts([
      ipv6Ext(C, S, HBH, 6, tcp(C, S, 40001, 4460, { flags: SYN })),
      ipv6Ext(S, C, HBH, 6, tcp(S, C, 4460, 40001, { ack: 1, flags: SYN | ACK })),
      ipv6Ext(C, S, HBH, 6, tcp(C, S, 40001, 4460, { seq: 1, ack: 1, flags: ACK, payload: hello })),
    ]);
    const [c] = ntsKe!.connections;
    expect(c).toMatchObject({ synAck: true, bytesToServer: hello.length, outcome: 'open' });
    expect(c!.tlsToServer.handshake).toBe(1);
  });

  it('an ICMPv6 error behind hop-by-hop, quoting a SYN that has one too, is the connection\'s', async () => {
    const syn = ipv6Ext(C, S, HBH, 6, tcp(C, S, 40002, 4460, { flags: SYN }));
    const err = icmpError('2001:db8::1', C, syn, { type: 1, code: 1 });
    // icmpError wraps in a plain IPv6 header: move its ICMPv6 message behind a hop-by-hop header.
    const outer = ipv6Ext('2001:db8::1', C, HBH, 58, err.subarray(40));
    const { ntsKe } = await parts([syn, outer]);
    expect(ntsKe!.connections.map((c) => [c.outcome, c.icmp?.type, c.icmp?.code, c.icmp?.reporter])).toEqual([['icmp', 1, 1, '2001:db8::1']]);
  });

  it('a first fragment (offset 0, more to come) is declined at the fragment header, as an IPv4 fragment is', async () => {
    // The segment's ports and flags are in it, but not the length the IP header states for the whole segment:
    // nothing is read past the fragment header, and the connection is known from its other segments only.
    const frag: Ipv6Extension[] = [{ type: 44, offset: 0, more: true, id: 1 }];
    const { ntsKe } = await parts([
      ipv6Ext(C, S, frag, 6, tcp(C, S, 40003, 4460, { flags: SYN })),
      ipv6Ext(C, S, [{ type: 0 }, ...frag], 6, tcp(C, S, 40004, 4460, { flags: SYN })),
      ...refused(HBH, 40005),
    ]);
    expect(ntsKe!.connections.map((c) => [c.clientPort, c.outcome])).toEqual([[40005, 'refused']]);
  });

  it('a KE session behind hop-by-hop is an nts-ke-session observation, with the NTP requests that followed', async () => {
    const { observations } = await observeCapture(file([...refused(HBH), ...ntpExchange(HBH, 40100, T0 + 1)]));
    const s = observations.find((o): o is NtsKeSessionObservation => o.kind === 'nts-ke-session');
    expect(s).toMatchObject({ client: C, server: S, port: 4460, outcome: 'refused', ntpRequests: 1 });
  });
});

describe('UDP 123 behind IPv6 extension headers reaches the correlator', () => {
  for (const [name, ext] of [
    ['hop-by-hop', HBH],
    ['destination options', [{ type: 60 }]],
    ['an atomic fragment (offset 0, no more: RFC 6946)', [{ type: 44, offset: 0, more: false, id: 9 }]],
  ] as Array<[string, Ipv6Extension[]]>) {
    it(`${name}: one exchange measured`, async () => {
      const p = await parts(ntpExchange(ext));
      expect(p.ntpFrames).toBe(2);
      expect(p.paths.map((x) => [x.client.ip, x.server.ip, x.requests.count, x.replies.count, x.exchanges.length])).toEqual([[C, S, 1, 1, 1]]);
      expect(p.paths[0]!.exchanges[0]!.outcome).toBe('reply');
    });
  }

  it('and on shards (the full decode finds the path the header router could not)', async () => {
    const all = await Promise.all([0, 1].map((index) => parts(ntpExchange(HBH), { index, count: 2 })));
    expect(all.flatMap((p) => p.paths.map((x) => [x.requests.count, x.replies.count]))).toEqual([[1, 1]]);
  });

  it('NTS extension fields behind hop-by-hop are counted (the slow path finds the UDP header past it)', async () => {
    const ef = (type: number, body: Uint8Array) => {
      const b = new Uint8Array(4 + body.length);
      new DataView(b.buffer).setUint16(0, type);
      new DataView(b.buffer).setUint16(2, b.length);
      b.set(body, 4);
      return b;
    };
    const uid = new Uint8Array(32).fill(5);
    const req = concat(ntpHeader({ mode: 3, precision: 32, transmit: T0 + 1e6 }), ef(0x0104, uid), ef(0x0204, new Uint8Array(100)), ef(0x0404, new Uint8Array(36)));
    const rep = concat(ntpHeader({ mode: 4, stratum: 2, refid: 1, reference: T0 - 5, origin: T0 + 1e6, receive: T0 + 0.0001, transmit: T0 + 0.0002 }), ef(0x0104, uid), ef(0x0404, new Uint8Array(144)));
    const { observations } = await observeCapture(file([ipv6Ext(C, S, HBH, 17, udp(C, S, 40200, 123, req)), ipv6Ext(S, C, HBH, 17, udp(S, C, 123, 40200, rep))]));
    const p = observations.find((o): o is NtpPathObservation => o.kind === 'ntp-path');
    expect(p?.nts).toEqual({ requests: 1, cookies: 1, placeholders: 0, replies: 1, authenticated: 1, mismatched: 0, malformed: 0 });
  });

  it('the same frames without extension headers give the same answers (the builder adds nothing else)', async () => {
    const plain = await parts([ipv6(C, S, 6, tcp(C, S, 40000, 4460, { flags: SYN })), ipv6(S, C, 6, tcp(S, C, 4460, 40000, { ack: 1, flags: RST | ACK }))]);
    const ext = await parts(refused(HBH));
    expect(ext.ntsKe!.connections.map((c) => c.outcome)).toEqual(plain.ntsKe!.connections.map((c) => c.outcome));
  });
});
