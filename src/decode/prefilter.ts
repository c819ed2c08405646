/**
 * Frames that cannot matter to NTP analysis, told from a few header octets before any decoding: a capture taken
 * on a busy host is mostly TCP and other UDP, and decoding each of those in full would cost more than the NTP.
 *
 * "Cannot matter" means decodeFrame would return no NTP decode, no ICMP, and no 'malformed' issue — the only
 * things analysis takes from a frame besides its capture time (src/run/records.ts). The answer is conservative:
 * anything unusual (VLAN tags, BSD loopback, IPv4 fragments, IPv6 extension headers, a header cut short, a
 * length that does not fit) gives false, and the frame is decoded in full. test/decode/prefilter.test.ts checks
 * the claim against decodeFrame on every fixture frame, every prefix and byte mutations of them.
 */
import { readU16 } from '../ntp/wire.js';
import { IPPROTO_ICMP, isNtpPortPair } from './icmp.js';
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6, LINKTYPE_ETHERNET, LINKTYPE_IPV4, LINKTYPE_IPV6, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, LINKTYPE_RAW } from './link.js';

const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;

/** True when the frame b[start, end) of link type `linkType` is certainly neither NTP nor ICMP nor malformed. */
export function isIrrelevantFrame(
  b: Uint8Array,
  start: number,
  end: number,
  linkType: number,
  ntpPorts?: readonly number[],
): boolean {
  let ipAt: number;
  switch (linkType) {
    case LINKTYPE_ETHERNET: {
      if (end - start < 14) return false;
      const type = readU16(b, start + 12);
      if (type === ETHERTYPE_IPV4 || type === ETHERTYPE_IPV6) ipAt = start + 14;
      // Not IP and not a VLAN tag (ARP, LLDP, 802.3 LLC...): decodeLink only reports it as unsupported.
      else return type !== 0x8100 && type !== 0x88a8 && type !== 0x9100;
      break;
    }
    case LINKTYPE_LINUX_SLL: {
      if (end - start < 16) return false;
      const type = readU16(b, start + 14);
      if (type !== ETHERTYPE_IPV4 && type !== ETHERTYPE_IPV6) return false;
      ipAt = start + 16;
      break;
    }
    case LINKTYPE_LINUX_SLL2: {
      if (end - start < 20) return false;
      const type = readU16(b, start);
      if (type !== ETHERTYPE_IPV4 && type !== ETHERTYPE_IPV6) return false;
      ipAt = start + 20;
      break;
    }
    case LINKTYPE_RAW:
    case 12:
    case 14:
    case LINKTYPE_IPV4:
    case LINKTYPE_IPV6:
      ipAt = start;
      break;
    default:
      return false;
  }
  if (end - ipAt < 1) return false;
  // decodeFrame goes by the version nibble, whatever the EtherType said.
  const version = (b[ipAt] as number) >>> 4;
  if (version === 4) return irrelevantIpv4(b, ipAt, end, ntpPorts);
  if (version === 6) return irrelevantIpv6(b, ipAt, end, ntpPorts);
  return false;
}

/** RFC 791: a whole, unfragmented header; then anything but ICMP, or UDP that is not NTP and fits. */
function irrelevantIpv4(b: Uint8Array, p: number, end: number, ntpPorts: readonly number[] | undefined): boolean {
  if (end - p < 20) return false;
  const headerLength = ((b[p] as number) & 0x0f) * 4;
  const totalLength = readU16(b, p + 2);
  if (headerLength < 20 || totalLength < headerLength || end - p < headerLength) return false;
  if ((readU16(b, p + 6) & 0x3fff) !== 0) return false; // MF or a fragment offset
  const protocol = b[p + 9] as number;
  if (protocol === IPPROTO_ICMP) return false;
  if (protocol !== IPPROTO_UDP) return true;
  return irrelevantUdp(b, p + headerLength, end, totalLength - headerLength, ntpPorts);
}

/** RFC 8200: TCP or UDP right after the fixed header (no extension headers to walk). */
function irrelevantIpv6(b: Uint8Array, p: number, end: number, ntpPorts: readonly number[] | undefined): boolean {
  if (end - p < 40) return false;
  const next = b[p + 6] as number;
  if (next === IPPROTO_TCP) return true;
  if (next !== IPPROTO_UDP) return false;
  return irrelevantUdp(b, p + 40, end, readU16(b, p + 4), ntpPorts);
}

/** RFC 768: the header is there, neither port is NTP, and the length field fits the IP payload (else malformed). */
function irrelevantUdp(b: Uint8Array, u: number, end: number, ipPayload: number, ntpPorts: readonly number[] | undefined): boolean {
  if (end - u < 8) return false;
  if (isNtpPortPair(readU16(b, u), readU16(b, u + 2), ntpPorts)) return false;
  const length = readU16(b, u + 4);
  return length >= 8 && length <= ipPayload;
}
