/**
 * The one header locator: link type → [802.1Q/802.1ad/QinQ tags] → IPv4/IPv6 fixed header → the upper-layer
 * offset. It decodes nothing and allocates nothing: it fills a reused `Located` record with offsets into the
 * frame's bytes and a few header fields, and says how far it got. Every reader of frames builds on it:
 * decodeFrame (./frame.ts, which turns a failure into an issue), the fast paths (./time-frame.ts,
 * ./icmp-frame.ts, ./prefilter.ts), the shard router (src/correlate/shard.ts recordPathHash) and the traffic
 * counter (src/observe/traffic.ts). Adding a link type or a tag kind is a change to this file only.
 *
 * Link layers, by LINKTYPE_* (https://www.tcpdump.org/linktypes.html):
 *   1    Ethernet: dst(6) src(6) EtherType(2); 802.1Q 0x8100, 802.1ad 0x88a8 and old QinQ 0x9100 tags are
 *        TPID(2) TCI(2) before the real EtherType, outermost first.
 *   113  Linux cooked SLL: packet type(2) ARPHRD(2) addr len(2) addr(8) protocol(2) = 16 octets.
 *   276  Linux cooked SLL2: protocol(2) reserved(2) ifindex(4) ARPHRD(2) packet type(1) addr len(1) addr(8) = 20.
 *   101, 12, 14 raw IP (12/14 are DLT_RAW on some BSDs), 228 IPv4, 229 IPv6: no header at all.
 *   0    BSD NULL/loopback: a 4-octet address family in the CAPTURING host's byte order (read either way).
 *   108  OpenBSD LOOP: the same in network byte order.
 *
 * IP (locateIp): the fixed header only — RFC 791 §3.1 (IHL, total length, flags/fragment offset, protocol) and
 * RFC 8200 §3 (payload length, next header). IPv6 extension headers are walked by ./ipv6.ts alone: a fast path
 * sees their next header as the protocol and declines the frame, as it always did.
 */
import { readU16, readU32 } from '../ntp/wire.js';

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
export const ETHERTYPE_ARP = 0x0806;

export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_ICMPV6 = 58;

/** How the link walk ended (Located.link). LINK_OK: ipAt is where the IP header starts. */
export const LINK_OK = 0;
/** Cut short: `failNeed` octets needed at `failAt`, `failHave` there (failWhat names the header). */
export const LINK_TRUNCATED = 1;
/** An 802.3 length field (LLC frame): failValue holds it. */
export const LINK_LLC = 2;
/** An EtherType that is not IP (failValue; ARP is 0x0806). */
export const LINK_NOT_IP = 3;
/** SLL2's protocol field is not IP (failValue). */
export const LINK_SLL2_NOT_IP = 4;
/** BSD loopback address family that is not IP (failValue, unsigned). */
export const LINK_AF_NOT_IP = 5;
/** A link type this locator does not know (failValue). */
export const LINK_UNKNOWN = 6;

/** What a truncation cut (Located.failWhat), for the issue text ./frame.ts writes. */
export const TRUNCATED_WHAT = ['Ethernet header', 'SLL header', 'SLL2 header', 'IP header', 'loopback header', 'EtherType', 'VLAN tag'] as const;
const W_ETHERNET = 0;
const W_SLL = 1;
const W_SLL2 = 2;
const W_IP = 3;
const W_LOOP = 4;
const W_ETHERTYPE = 5;
const W_VLAN = 6;

/** How much of the IP header locateIp found (Located.ip). */
export const IP_NONE = 0;
/** Fewer octets than the fixed header (20 / 40). */
export const IP_SHORT = 1;
/** IPv4 with IHL < 5 or total length < header length (decodeIpv4 calls it malformed). */
export const IP_BAD = 2;
/** IPv4 options cut off by the capture. */
export const IP_CUT = 3;
/** The fixed header (and IPv4 options) whole. */
export const IP_OK = 4;

/** One frame's header offsets, filled by locate(); one record per caller, reused frame after frame. */
export class Located {
  link = LINK_OK;
  /** Where the IP header starts (LINK_OK only). */
  ipAt = -1;
  /** Linux SLL/SLL2 packet type (packet(7)), or -1 when the link has none. */
  packetType = -1;
  /** SLL2 interface index, or -1. */
  ifIndex = -1;
  /** VLAN tags: how many, and where the first TCI is (the next ones follow every 4 octets). */
  vlanCount = 0;
  vlanAt = -1;
  /** A failed link walk: where, octets needed and had, which header (TRUNCATED_WHAT index), the offending value. */
  failAt = 0;
  failNeed = 0;
  failHave = 0;
  failWhat = 0;
  failValue = 0;
  /** locateIp: IP_* state, version nibble (any value), and the fields below. */
  ip = IP_NONE;
  version = 0;
  /** IPv4 header length (IHL × 4, unchecked) or 40. */
  headerLength = 0;
  /** IPv4 total length or IPv6 40 + payload length: the datagram as the header states it. */
  ipLength = 0;
  /** IPv4 protocol or the IPv6 fixed header's next header. */
  protocol = 0;
  /** IPv4 MF set or a fragment offset (an IPv6 fragment is an extension header: protocol 44). */
  fragment = false;
  /** Where the source address is (the destination follows it), and an address's length (4 or 16). */
  srcAt = 0;
  addrLength = 4;
  /** Where the upper layer starts: ipAt + headerLength. */
  l4At = 0;
}

/** BSD AF_INET6 differs by system: 24 NetBSD/OpenBSD, 28 FreeBSD, 30 macOS (pcap-linktype(7)). */
function isIpFamily(af: number): boolean {
  return af === 2 || af === 24 || af === 28 || af === 30;
}

function isVlanTag(type: number): boolean {
  return type === 0x8100 || type === 0x88a8 || type === 0x9100;
}

function truncated(h: Located, at: number, need: number, have: number, what: number): boolean {
  h.link = LINK_TRUNCATED;
  h.failAt = at;
  h.failNeed = need;
  h.failHave = have;
  h.failWhat = what;
  return false;
}

function failed(h: Located, code: number, at: number, value: number): boolean {
  h.link = code;
  h.failAt = at;
  h.failValue = value;
  return false;
}

function noteVlan(h: Located, tciAt: number): void {
  if (h.vlanCount++ === 0) h.vlanAt = tciAt;
}

/** From the EtherType at `p` (tags allowed): true with h.ipAt set, or false with the failure in h. */
function afterEtherType(b: Uint8Array, p: number, end: number, h: Located): boolean {
  for (;;) {
    if (end - p < 2) return truncated(h, p, 2, end - p, W_ETHERTYPE);
    const type = readU16(b, p);
    if (isVlanTag(type)) {
      if (end - p < 4) return truncated(h, p, 4, end - p, W_VLAN);
      noteVlan(h, p + 2);
      p += 4;
      continue;
    }
    if (type === ETHERTYPE_IPV4 || type === ETHERTYPE_IPV6) {
      h.ipAt = p + 2;
      return true;
    }
    return failed(h, type < 0x0600 ? LINK_LLC : LINK_NOT_IP, p, type);
  }
}

/**
 * Walks the link header of the frame b[s, end) of `linkType` into `h`: true with h.ipAt where the IP header
 * starts (possibly at `end`: nothing after the link header), false with h.link saying why not.
 */
export function locateLink(b: Uint8Array, s: number, end: number, linkType: number, h: Located): boolean {
  h.link = LINK_OK;
  h.ipAt = -1;
  h.packetType = -1;
  h.ifIndex = -1;
  h.vlanCount = 0;
  h.ip = IP_NONE;
  const have = end - s;
  switch (linkType) {
    case LINKTYPE_ETHERNET:
      if (have < 14) return truncated(h, s, 14, have, W_ETHERNET);
      return afterEtherType(b, s + 12, end, h);
    case LINKTYPE_LINUX_SLL:
      if (have < 16) return truncated(h, s, 16, have, W_SLL);
      h.packetType = readU16(b, s);
      return afterEtherType(b, s + 14, end, h);
    case LINKTYPE_LINUX_SLL2: {
      if (have < 20) return truncated(h, s, 20, have, W_SLL2);
      h.ifIndex = readU32(b, s + 4);
      h.packetType = b[s + 10] as number;
      const type = readU16(b, s);
      if (type === ETHERTYPE_IPV4 || type === ETHERTYPE_IPV6) {
        h.ipAt = s + 20;
        return true;
      }
      if (isVlanTag(type)) {
        // Tag left in the payload (not stripped by the kernel): TCI(2), then the inner EtherType.
        if (have < 22) return truncated(h, s + 20, 2, have - 20, W_VLAN);
        noteVlan(h, s + 20);
        return afterEtherType(b, s + 22, end, h);
      }
      return failed(h, LINK_SLL2_NOT_IP, s, type);
    }
    case LINKTYPE_RAW:
    case 12:
    case 14:
    case LINKTYPE_IPV4:
    case LINKTYPE_IPV6:
      if (have < 1) return truncated(h, s, 1, have, W_IP);
      h.ipAt = s;
      return true;
    case LINKTYPE_NULL:
    case LINKTYPE_LOOP: {
      if (have < 4) return truncated(h, s, 4, have, W_LOOP);
      const be = readU32(b, s);
      // NULL: host byte order of the capturing machine; whichever reading is a small number is the right one.
      const af =
        linkType === LINKTYPE_LOOP
          ? be
          : be > 0xffff
            ? ((b[s + 3] as number) << 24) | ((b[s + 2] as number) << 16) | ((b[s + 1] as number) << 8) | (b[s] as number)
            : be;
      if (!isIpFamily(af >>> 0)) return failed(h, LINK_AF_NOT_IP, s, af >>> 0);
      h.ipAt = s + 4;
      return true;
    }
    default:
      return failed(h, LINK_UNKNOWN, s, linkType);
  }
}

/**
 * The IP fixed header at `p` of b[·, end) into `h` (h.ip says how much of it is there; the fields are read as
 * far as the octets go, unchecked). True for IP_OK. Also used on the datagram an ICMP error quotes.
 */
export function locateIp(b: Uint8Array, p: number, end: number, h: Located): boolean {
  h.ipAt = p;
  if (end - p < 1) {
    h.version = 0;
    h.ip = IP_SHORT;
    return false;
  }
  const b0 = b[p] as number;
  const version = b0 >>> 4;
  h.version = version;
  if (version === 4) {
    if (end - p < 20) {
      h.ip = IP_SHORT;
      return false;
    }
    const headerLength = (b0 & 0x0f) * 4;
    const total = readU16(b, p + 2);
    h.headerLength = headerLength;
    h.ipLength = total;
    h.protocol = b[p + 9] as number;
    h.fragment = (readU16(b, p + 6) & 0x3fff) !== 0;
    h.srcAt = p + 12;
    h.addrLength = 4;
    h.l4At = p + headerLength;
    h.ip = headerLength < 20 || total < headerLength ? IP_BAD : end - p < headerLength ? IP_CUT : IP_OK;
    return h.ip === IP_OK;
  }
  if (version === 6) {
    if (end - p < 40) {
      h.ip = IP_SHORT;
      return false;
    }
    h.headerLength = 40;
    h.ipLength = 40 + readU16(b, p + 4);
    h.protocol = b[p + 6] as number;
    h.fragment = false;
    h.srcAt = p + 8;
    h.addrLength = 16;
    h.l4At = p + 40;
    h.ip = IP_OK;
    return true;
  }
  h.ip = IP_BAD;
  return false;
}

/**
 * The IP header's offset in a frame of the links nearly every capture has — Ethernet, Linux SLL and SLL2 with an
 * IPv4/IPv6 EtherType and no VLAN tag, raw IP — or -1 for anything else (tags, BSD loopback, other EtherTypes, cut
 * headers: locateLink's business). Sets `out.packetType` (SLL/SLL2, else -1) as locateLink sets Located's. Nothing
 * else is written: decodeTimeFrame (./time-frame.ts) reads the IP header itself, for a capture's plain NTP frames,
 * where a Located record filled and read back per frame cost ~10 % of the decode (measured on 2 M frames).
 * test/decode/time-frame.test.ts holds it to locateLink on every fixture frame and mutation.
 */
export function plainIpAt(b: Uint8Array, s: number, end: number, linkType: number, out: { packetType: number }): number {
  out.packetType = -1;
  switch (linkType) {
    case LINKTYPE_ETHERNET: {
      if (end - s < 14) return -1;
      const type = readU16(b, s + 12);
      return type === ETHERTYPE_IPV4 || type === ETHERTYPE_IPV6 ? s + 14 : -1;
    }
    case LINKTYPE_LINUX_SLL: {
      if (end - s < 16) return -1;
      const type = readU16(b, s + 14);
      if (type !== ETHERTYPE_IPV4 && type !== ETHERTYPE_IPV6) return -1;
      out.packetType = readU16(b, s);
      return s + 16;
    }
    case LINKTYPE_LINUX_SLL2: {
      if (end - s < 20) return -1;
      const type = readU16(b, s);
      if (type !== ETHERTYPE_IPV4 && type !== ETHERTYPE_IPV6) return -1;
      out.packetType = b[s + 10] as number;
      return s + 20;
    }
    case LINKTYPE_RAW:
    case 12:
    case 14:
    case LINKTYPE_IPV4:
    case LINKTYPE_IPV6:
      return s;
    default:
      return -1;
  }
}

/** locateLink, then locateIp: true when the frame's IP header is whole (IP_OK). */
export function locate(b: Uint8Array, s: number, end: number, linkType: number, h: Located): boolean {
  return locateLink(b, s, end, linkType, h) && locateIp(b, h.ipAt, end, h);
}
