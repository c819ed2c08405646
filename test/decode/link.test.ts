import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../../src/decode/frame.js';
import type { CaptureRecord } from '../../src/capture/types.js';
import { hex } from '../ntp/hex.js';
import { concat, ETHERNET_HEADER, IPV4_NTP_REQUEST } from './frames.js';

function record(linkType: number, data: Uint8Array): CaptureRecord {
  return { frame: 1, tsSec: 0, tsNsec: 0, linkType, interfaceId: 0, capturedLength: data.length, originalLength: data.length, data };
}

/** The request must decode identically under every link layer. */
function expectRequest(linkType: number, header: Uint8Array) {
  const f = decodeFrame(record(linkType, concat(header, IPV4_NTP_REQUEST)));
  expect(f.issues).toEqual([]);
  expect(f.ip).toMatchObject({ version: 4, src: '198.51.100.1', dst: '198.51.100.2' });
  expect(f.udp).toMatchObject({ srcPort: 38322, dstPort: 123, checksumStatus: 'ok' });
  expect(f.ntp?.message?.mode).toBe(3);
  return f;
}

describe('link layers', () => {
  it('Ethernet (1)', () => {
    expect(expectRequest(1, ETHERNET_HEADER).link).toEqual({ linkType: 1 });
  });

  it('802.1Q, 802.1ad and 0x9100 QinQ tags, outermost first', () => {
    const tagged = hex(`
      a6d063a58011 be46acd2692e
      88a8 0064     # 802.1ad S-tag, VLAN 100
      8100 a00a     # 802.1Q C-tag, PCP 5, VLAN 10
      0800          # IPv4
    `);
    expect(expectRequest(1, tagged).link).toEqual({ linkType: 1, vlans: [100, 10] });
    const old = hex('a6d063a58011 be46acd2692e  9100 0fff  8100 0001  0800');
    expect(expectRequest(1, old).link.vlans).toEqual([4095, 1]);
  });

  it('Linux SLL (113): 16-octet cooked header', () => {
    const sll = hex(`
      0004          # packet type 4: sent by us (outgoing)
      0001          # ARPHRD_ETHER
      0006          # link-layer address length
      be46acd2692e 0000   # address, padded to 8
      0800          # protocol IPv4
    `);
    expect(expectRequest(113, sll).link).toEqual({ linkType: 113, packetType: 4 });
  });

  it('Linux SLL2 (276): 20-octet cooked header', () => {
    const sll2 = hex(`
      0800          # protocol IPv4
      0000          # reserved
      00000007      # interface index 7
      0001          # ARPHRD_ETHER
      00            # packet type 0: to us
      06            # address length
      be46acd2692e 0000
    `);
    expect(expectRequest(276, sll2).link).toEqual({ linkType: 276, packetType: 0, ifIndex: 7 });
  });

  it('raw IP (101, 12, 14, 228)', () => {
    for (const t of [101, 12, 14, 228]) expectRequest(t, new Uint8Array(0));
  });

  it('BSD NULL (0) in either byte order, and LOOP (108) in network order', () => {
    expectRequest(0, hex('02000000')); // AF_INET, little-endian capture host
    expectRequest(0, hex('00000002')); // AF_INET, big-endian capture host
    expectRequest(108, hex('00000002'));
    for (const af of ['18000000', '1c000000', '1e000000']) {
      // AF_INET6 is 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS); an IPv4 datagram behind it is still IPv4 by its
      // version nibble — the family only tells us it is IP.
      expect(decodeFrame(record(0, concat(hex(af), IPV4_NTP_REQUEST))).ip?.version).toBe(4);
    }
    const f = decodeFrame(record(0, concat(hex('07000000'), IPV4_NTP_REQUEST)));
    expect(f.ip).toBeUndefined();
    expect(f.issues).toMatchObject([{ kind: 'unsupported', layer: 'link' }]);
  });

  it('non-IP payloads and unknown link types are "unsupported", not errors', () => {
    const arp = decodeFrame(record(1, hex('ffffffffffff be46acd2692e 0806 0001 0800 0604 0001')));
    expect(arp.issues).toEqual([{ kind: 'unsupported', layer: 'link', offset: 12, message: 'EtherType ARP is not IP' }]);
    expect(decodeFrame(record(147, IPV4_NTP_REQUEST)).issues[0]?.kind).toBe('unsupported');
    const llc = decodeFrame(record(1, hex('ffffffffffff be46acd2692e 0026 4242 03')));
    expect(llc.issues[0]?.message).toMatch(/802\.3/);
  });

  it('truncated link headers', () => {
    expect(decodeFrame(record(1, ETHERNET_HEADER.slice(0, 13))).issues).toEqual([
      { kind: 'truncated', layer: 'link', offset: 0, need: 14, have: 13, message: 'Ethernet header cut off' },
    ]);
    expect(decodeFrame(record(1, hex('a6d063a58011 be46acd2692e 8100 00'))).issues[0]).toMatchObject({
      kind: 'truncated',
      need: 4,
      have: 3,
    });
    expect(decodeFrame(record(276, hex('0800'))).issues[0]).toMatchObject({ need: 20, have: 2 });
  });
});
