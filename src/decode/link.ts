/**
 * Link layers, by LINKTYPE_* (https://www.tcpdump.org/linktypes.html). Each finds where the IP header starts.
 *
 *   1    Ethernet: dst(6) src(6) EtherType(2); 802.1Q 0x8100, 802.1ad 0x88a8 and old QinQ 0x9100 tags are
 *        TPID(2) TCI(2) before the real EtherType, outermost first.
 *   113  Linux cooked SLL: packet type(2) ARPHRD(2) addr len(2) addr(8) protocol(2) = 16 octets.
 *   276  Linux cooked SLL2: protocol(2) reserved(2) ifindex(4) ARPHRD(2) packet type(1) addr len(1) addr(8) = 20.
 *   101, 12, 14 raw IP (12/14 are DLT_RAW on some BSDs), 228 IPv4, 229 IPv6: no header at all.
 *   0    BSD NULL/loopback: a 4-octet address family in the CAPTURING host's byte order (read either way).
 *   108  OpenBSD LOOP: the same in network byte order.
 */
import { readU16, readU32 } from '../ntp/wire.js';
import type { DecodeIssue, LinkInfo } from './types.js';

export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_ARP = 0x0806;

/** BSD AF_INET6 differs by system: 24 NetBSD/OpenBSD, 28 FreeBSD, 30 macOS (pcap-linktype(7)). */
function afVersion(af: number): 0 | 4 | 6 {
  if (af === 2) return 4;
  if (af === 24 || af === 28 || af === 30) return 6;
  return 0;
}

function truncated(issues: DecodeIssue[], offset: number, need: number, have: number, what: string): -1 {
  issues.push({ kind: 'truncated', layer: 'link', offset, need, have, message: `${what} cut off` });
  return -1;
}

function unsupported(issues: DecodeIssue[], offset: number, message: string): -1 {
  issues.push({ kind: 'unsupported', layer: 'link', offset, message });
  return -1;
}

function etherTypeName(t: number): string {
  return t === ETHERTYPE_ARP ? 'ARP' : `0x${t.toString(16).padStart(4, '0')}`;
}

/**
 * From the EtherType at `p` (VLAN tags allowed): the IP header offset, or -1 (issue pushed).
 * `link.vlans` collects tag ids, outermost first.
 */
function afterEtherType(b: Uint8Array, p: number, end: number, link: LinkInfo, issues: DecodeIssue[]): number {
  for (;;) {
    if (end - p < 2) return truncated(issues, p, 2, end - p, 'EtherType');
    const type = readU16(b, p);
    if (type === 0x8100 || type === 0x88a8 || type === 0x9100) {
      if (end - p < 4) return truncated(issues, p, 4, end - p, 'VLAN tag');
      (link.vlans ??= []).push(readU16(b, p + 2) & 0x0fff);
      p += 4;
      continue;
    }
    if (type === ETHERTYPE_IPV4 || type === ETHERTYPE_IPV6) return p + 2;
    if (type < 0x0600) return unsupported(issues, p, `802.3 length field ${type} (LLC frame), not IP`);
    return unsupported(issues, p, `EtherType ${etherTypeName(type)} is not IP`);
  }
}

/**
 * Decodes the link header of the frame `b[s, end)` for `link.linkType`, filling `link`. Returns where the IP
 * header starts (an index into `b`), or -1 after pushing an issue. Issue offsets are indexes into `b`.
 */
export function decodeLink(b: Uint8Array, s: number, end: number, link: LinkInfo, issues: DecodeIssue[]): number {
  const have = end - s;
  switch (link.linkType) {
    case LINKTYPE_ETHERNET:
      if (have < 14) return truncated(issues, s, 14, have, 'Ethernet header');
      return afterEtherType(b, s + 12, end, link, issues);
    case LINKTYPE_LINUX_SLL:
      if (have < 16) return truncated(issues, s, 16, have, 'SLL header');
      link.packetType = readU16(b, s);
      return afterEtherType(b, s + 14, end, link, issues);
    case LINKTYPE_LINUX_SLL2: {
      if (have < 20) return truncated(issues, s, 20, have, 'SLL2 header');
      link.ifIndex = readU32(b, s + 4);
      link.packetType = b[s + 10] as number;
      const type = readU16(b, s);
      if (type === ETHERTYPE_IPV4 || type === ETHERTYPE_IPV6) return s + 20;
      if (type === 0x8100 || type === 0x88a8 || type === 0x9100) {
        // Tag left in the payload (not stripped by the kernel): TCI(2), then the inner EtherType.
        if (have < 22) return truncated(issues, s + 20, 2, have - 20, 'VLAN tag');
        (link.vlans ??= []).push(readU16(b, s + 20) & 0x0fff);
        return afterEtherType(b, s + 22, end, link, issues);
      }
      return unsupported(issues, s, `SLL2 protocol ${etherTypeName(type)} is not IP`);
    }
    case LINKTYPE_RAW:
    case 12:
    case 14:
    case LINKTYPE_IPV4:
    case LINKTYPE_IPV6:
      if (have < 1) return truncated(issues, s, 1, have, 'IP header');
      return s;
    case LINKTYPE_NULL:
    case LINKTYPE_LOOP: {
      if (have < 4) return truncated(issues, s, 4, have, 'loopback header');
      const be = readU32(b, s);
      // NULL: host byte order of the capturing machine; whichever reading is a small number is the right one.
      const af =
        link.linkType === LINKTYPE_LOOP
          ? be
          : be > 0xffff
            ? ((b[s + 3] as number) << 24) | ((b[s + 2] as number) << 16) | ((b[s + 1] as number) << 8) | (b[s] as number)
            : be;
      if (afVersion(af >>> 0) === 0) return unsupported(issues, s, `address family ${af >>> 0} is not IP`);
      return s + 4;
    }
    default:
      return unsupported(issues, s, `link type ${link.linkType} is not supported`);
  }
}
