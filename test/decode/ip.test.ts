import { describe, expect, it } from 'vitest';
import { formatIpv4, formatIpv6 } from '../../src/decode/address.js';
import { decodeFrame } from '../../src/decode/frame.js';
import type { CaptureRecord } from '../../src/capture/types.js';
import { hex } from '../ntp/hex.js';
import { concat, IPV4_NTP_REQUEST } from './frames.js';

function raw(data: Uint8Array, originalLength = data.length): CaptureRecord {
  return { frame: 1, tsSec: 0, tsNsec: 0, linkType: 101, interfaceId: 0, capturedLength: data.length, originalLength, data };
}

/** Frame 3 of fixtures/decode/veth-ntp-reject.pcap: 2001:db8:0:1::1.48626 > 2001:db8:0:1::2.123, [udp sum ok]. */
const IPV6_HEADER_FIELDS = (nextHeader: string, payloadLength: string, dst = '20010db8000000010000000000000002') => `
  600c3496                          # version 6, traffic class 0, flow label 0xc3496
  ${payloadLength} ${nextHeader} 40  # payload length, next header, hop limit 64
  20010db8000000010000000000000001  # source 2001:db8:0:1::1
  ${dst}                            # destination
`;
const UDP_NTP_V6 = hex(`
  bdf2 007b 0038 8c99               # UDP 48626 → 123, length 56, checksum 0x8c99 (tshark: Good)
  e3 00 03 fa 00010000 00010000 00000000
  0000000000000000 0000000000000000 0000000000000000
  eeacaf8f 2bc6a800                 # transmit 4004294543.171000003
`);
const IPV6_NTP_REQUEST = concat(hex(IPV6_HEADER_FIELDS('11', '0038')), UDP_NTP_V6);

describe('IPv4', () => {
  it('decodes the annotated datagram', () => {
    const f = decodeFrame(raw(IPV4_NTP_REQUEST));
    expect(f.ip).toEqual({ version: 4, src: '198.51.100.1', dst: '198.51.100.2', ttl: 64, protocol: 17, tos: 0 });
    expect(f.udp).toEqual({ srcPort: 38322, dstPort: 123, length: 56, checksum: 0x7d56, checksumStatus: 'ok' });
  });

  it('ignores Ethernet padding after Total Length', () => {
    const f = decodeFrame(raw(concat(IPV4_NTP_REQUEST, new Uint8Array(6))));
    expect(f.issues).toEqual([]);
    expect(f.udp?.checksumStatus).toBe('ok');
  });

  it('zero checksum is "none" on IPv4 (RFC 768)', () => {
    const d = IPV4_NTP_REQUEST.slice();
    d[26] = 0;
    d[27] = 0;
    expect(decodeFrame(raw(d)).udp?.checksumStatus).toBe('none');
  });

  it('flags fragments; a first fragment is unverifiable, a later one has no UDP header', () => {
    const first = IPV4_NTP_REQUEST.slice();
    first[6] = 0x20; // MF, offset 0
    const f1 = decodeFrame(raw(first));
    expect(f1.ip?.fragment).toEqual({ offset: 0, moreFragments: true, id: 0x64db });
    expect(f1.udp?.checksumStatus).toBe('unverifiable');
    const later = IPV4_NTP_REQUEST.slice();
    later[6] = 0x00;
    later[7] = 0x03; // offset 3 × 8 = 24
    const f2 = decodeFrame(raw(later));
    expect(f2.ip?.fragment).toEqual({ offset: 24, moreFragments: false, id: 0x64db });
    expect(f2.udp).toBeUndefined();
    expect(f2.ntp).toBeUndefined();
  });

  it('skips options (IHL 6)', () => {
    const withOptions = concat(hex('46 00 0050'), IPV4_NTP_REQUEST.subarray(4, 20), hex('01010100'), IPV4_NTP_REQUEST.subarray(20));
    const f = decodeFrame(raw(withOptions));
    expect(f.issues).toEqual([]);
    expect(f.udp?.checksumStatus).toBe('ok');
  });

  it('malformed headers and lengths', () => {
    const ihl = IPV4_NTP_REQUEST.slice();
    ihl[0] = 0x44;
    expect(decodeFrame(raw(ihl)).issues[0]).toMatchObject({ kind: 'malformed', layer: 'ipv4' });
    const total = IPV4_NTP_REQUEST.slice();
    total[3] = 0x10; // total length 16 < 20
    expect(decodeFrame(raw(total)).issues[0]).toMatchObject({ kind: 'malformed', layer: 'ipv4', offset: 2 });
    const udpLength = IPV4_NTP_REQUEST.slice();
    udpLength[25] = 0x40; // UDP length 64 > 56 octets of IP payload
    const f = decodeFrame(raw(udpLength));
    expect(f.issues[0]).toMatchObject({ kind: 'malformed', layer: 'udp', offset: 24, need: 64, have: 56 });
    expect(f.ntp?.message).toBeDefined();
  });
});

describe('IPv6', () => {
  it('decodes the annotated datagram', () => {
    const f = decodeFrame(raw(IPV6_NTP_REQUEST));
    expect(f.issues).toEqual([]);
    expect(f.ip).toEqual({ version: 6, src: '2001:db8:0:1::1', dst: '2001:db8:0:1::2', ttl: 64, protocol: 17, tos: 0 });
    expect(f.udp?.checksumStatus).toBe('ok');
  });

  it('zero checksum is invalid on IPv6 (RFC 8200 §8.1)', () => {
    const d = IPV6_NTP_REQUEST.slice();
    d[46] = 0;
    d[47] = 0;
    expect(decodeFrame(raw(d)).udp?.checksumStatus).toBe('bad');
  });

  it('walks hop-by-hop, destination options, AH and an atomic fragment header', () => {
    const d = concat(
      hex(IPV6_HEADER_FIELDS('00', '0068')), // payload 8 + 8 + 24 + 8 + 56 = 104
      hex('3c 00 01 04 00000000'), // hop-by-hop: next 60, length 0 (8 octets), PadN
      hex('33 00 01 04 00000000'), // destination options: next 51 (AH), PadN
      hex(`2c 04 0000 00001000 00000001 ${'aa'.repeat(12)}`), // AH: next 44, length 4 → 24 octets, SPI, seq, ICV
      hex('11 00 0000 deadbeef'), // fragment: next 17, offset 0, M 0 (atomic, RFC 6946), id 0xdeadbeef
      UDP_NTP_V6,
    );
    const f = decodeFrame(raw(d));
    expect(f.issues).toEqual([]);
    expect(f.ip?.protocol).toBe(17);
    expect(f.ip?.fragment).toEqual({ offset: 0, moreFragments: false, id: 0xdeadbeef });
    expect(f.udp?.checksumStatus).toBe('ok');
    expect(f.ntp?.message?.mode).toBe(3);
  });

  it('flags a later fragment and does not read a UDP header in it', () => {
    const d = concat(hex(IPV6_HEADER_FIELDS('2c', '0040')), hex('11 00 0019 00000042'), UDP_NTP_V6);
    const f = decodeFrame(raw(d));
    expect(f.ip?.fragment).toEqual({ offset: 24, moreFragments: true, id: 0x42 });
    expect(f.udp).toBeUndefined();
  });

  it('checksums against the final destination of a routing header (type 2, segments left 1)', () => {
    const d = concat(
      hex(IPV6_HEADER_FIELDS('2b', '0050', '20010db8000000010000000000000099')), // next hop ::99
      hex('11 02 02 01 00000000 20010db8000000010000000000000002'), // routing type 2, home address ::2
      UDP_NTP_V6,
    );
    const f = decodeFrame(raw(d));
    expect(f.ip?.dst).toBe('2001:db8:0:1::99');
    expect(f.udp?.checksumStatus).toBe('ok');
  });

  it('extension header cut off or too long', () => {
    const d = concat(hex(IPV6_HEADER_FIELDS('00', '0038')), hex('11 ff'));
    const f = decodeFrame(raw(d, d.length));
    expect(f.ip).toBeDefined();
    expect(f.issues.some((i) => i.layer === 'ipv6')).toBe(true);
    expect(f.udp).toBeUndefined();
  });
});

describe('address text', () => {
  const v6 = (s: string) => formatIpv6(hex(s), 0);
  it('IPv4 dotted quad', () => {
    expect(formatIpv4(hex('c0000201'), 0)).toBe('192.0.2.1');
    expect(formatIpv4(hex('00ffffffff'), 1)).toBe('255.255.255.255');
  });
  it('IPv6 RFC 5952 canonical text', () => {
    expect(v6('00000000000000000000000000000000')).toBe('::');
    expect(v6('00000000000000000000000000000001')).toBe('::1');
    expect(v6('20010db8000000000000000000000001')).toBe('2001:db8::1');
    expect(v6('20010db8000000000001000000000001')).toBe('2001:db8::1:0:0:1'); // first of equal runs
    expect(v6('20010db8000000010000000000000001')).toBe('2001:db8:0:1::1'); // longest run
    expect(v6('20010db8000100010001000100010001')).toBe('2001:db8:1:1:1:1:1:1');
    expect(v6('20010db800000001000100010001abcd')).toBe('2001:db8:0:1:1:1:1:abcd'); // one zero group stays
    expect(v6('FE800000000000000000000000000000'.toLowerCase())).toBe('fe80::');
    expect(v6('00000000000000000000ffffc0000201')).toBe('::ffff:192.0.2.1');
    expect(v6('0000000000000000ffff0000c0000201')).toBe('::ffff:0:c000:201'); // not IPv4-mapped
  });
});
