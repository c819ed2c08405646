/**
 * The header locator (src/decode/locate.ts) under every reader, on frames made by the one frame builder
 * (bench/frames.mjs): VLAN-tagged (802.1Q, QinQ) and plain Ethernet, IPv4 and IPv6, requests, replies and ICMP
 * errors. The fast paths take what decodeFrame takes and agree with it field for field.
 */
import { describe, expect, it } from 'vitest';
import { ethernet, icmpError, ipv4, ntpHeader, udp, udpPacket } from '../../bench/frames.mjs';
import { decodeFrame } from '../../src/decode/frame.js';
import { decodeIcmpFrame, IcmpFrame, icmpFrameOf } from '../../src/decode/icmp-frame.js';
import { IP_OK, LINK_NOT_IP, LINK_TRUNCATED, Located, locate } from '../../src/decode/locate.js';
import { isIrrelevantFrame } from '../../src/decode/prefilter.js';
import { decodeTimeFrame, TimeFrame, timeFrameAt, timeFrameOf } from '../../src/decode/time-frame.js';
import { framePathHash, recordPathHash } from '../../src/correlate/shard.js';
import type { CaptureRecord } from '../../src/capture/types.js';

const T = 1_700_000_000;
const request = ntpHeader({ mode: 3, transmit: T });
const reply = ntpHeader({ mode: 4, stratum: 2, refid: 0xc63364c8, reference: T - 10, origin: T, receive: T + 0.001, transmit: T + 0.002 });

function record(data: Uint8Array): CaptureRecord {
  return { frame: 1, tsSec: T, tsNsec: 0, capturedLength: data.length, originalLength: data.length, linkType: 1, interfaceId: 0, data } as CaptureRecord;
}

const cases: Array<[string, Uint8Array]> = [
  ['IPv4 request', ethernet(udpPacket('198.51.100.1', '198.51.100.2', 40000, 123, request))],
  ['IPv4 reply, 802.1Q', ethernet(udpPacket('198.51.100.2', '198.51.100.1', 123, 40000, reply), { vlans: [100] })],
  ['IPv6 request, QinQ', ethernet(udpPacket('2001:db8::1', '2001:db8::2', 40000, 123, request), { vlans: [10, 20] })],
  ['IPv6 reply', ethernet(udpPacket('2001:db8::2', '2001:db8::1', 123, 40000, reply))],
];

describe('header locator', () => {
  it.each(cases)('%s: checksums good, the time fast path equals decodeFrame, the shard hash agrees', (_name, bytes) => {
    const f = decodeFrame(record(bytes));
    expect(f.issues).toEqual([]);
    expect(f.udp?.checksumStatus).toBe('ok');
    const fast = new TimeFrame();
    const slow = new TimeFrame();
    // Through the locator (tags and all); the straight decode takes the untagged frames only (plainIpAt).
    const h = new Located();
    expect(locate(bytes, 0, bytes.length, 1, h) && timeFrameAt(bytes, bytes.length, h, fast)).toBe(true);
    const straight = new TimeFrame();
    expect(decodeTimeFrame(bytes, 0, bytes.length, 1, straight)).toBe(f.link.vlans === undefined || f.link.vlans.length === 0);
    expect(timeFrameOf(f, slow)).toBe(true);
    fast.frame = slow.frame;
    fast.sec = slow.sec;
    fast.nsec = slow.nsec;
    expect({ ...fast, src: fast.src, dst: fast.dst }).toEqual({ ...slow, src: slow.src, dst: slow.dst });
    expect(recordPathHash(bytes, 0, bytes.length, 1)).toBe(framePathHash(f));
    expect(isIrrelevantFrame(bytes, 0, bytes.length, 1)).toBe(false);
  });

  it('an ICMP error behind a VLAN tag takes the ICMP fast path, equal to decodeFrame', () => {
    const quoted = ipv4('198.51.100.1', '198.51.100.2', 17, udp('198.51.100.1', '198.51.100.2', 40000, 123, request, { checksum: false }));
    const bytes = ethernet(icmpError('198.51.100.2', '198.51.100.1', quoted), { vlans: [7] });
    const f = decodeFrame(record(bytes));
    expect(f.link.vlans).toEqual([7]);
    expect(f.icmp?.quoted?.dstPort).toBe(123);
    const fast = new IcmpFrame();
    const slow = new IcmpFrame();
    expect(decodeIcmpFrame(bytes, 0, bytes.length, 1, fast)).toBe(true);
    expect(icmpFrameOf(f, slow)).toBe(true);
    fast.frame = slow.frame;
    fast.sec = slow.sec;
    fast.nsec = slow.nsec;
    expect(fast).toEqual(slow);
  });

  it('reports where a walk stops: cut tags, non-IP EtherTypes', () => {
    const h = new Located();
    const tagged = ethernet(udpPacket('198.51.100.1', '198.51.100.2', 40000, 123, request), { vlans: [1, 2] });
    expect(locate(tagged, 0, 16, 1, h)).toBe(false);
    expect([h.link, h.vlanCount, h.failAt]).toEqual([LINK_TRUNCATED, 1, 16]); // one tag read, the next EtherType cut
    expect(locate(tagged, 0, tagged.length, 1, h)).toBe(true);
    expect([h.ip, h.vlanCount, h.ipAt, h.l4At]).toEqual([IP_OK, 2, 22, 42]);
    const arp = Uint8Array.from(tagged);
    arp[20] = 0x08;
    arp[21] = 0x06;
    expect(locate(arp, 0, arp.length, 1, h)).toBe(false);
    expect([h.link, h.failValue]).toEqual([LINK_NOT_IP, 0x0806]);
    expect(isIrrelevantFrame(arp, 0, arp.length, 1)).toBe(true);
  });
});
