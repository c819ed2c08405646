/**
 * Frames that cannot matter to NTP analysis, told from a few header octets before any decoding: a capture taken
 * on a busy host is mostly TCP and other UDP, and decoding each of those in full would cost more than the NTP.
 *
 * "Cannot matter" means decodeFrame would return no NTP decode, no ICMP, and no 'malformed' issue — the only
 * things analysis takes from a frame besides its capture time (src/run/records.ts). The answer is conservative:
 * anything unusual (IPv4 fragments, IPv6 extension headers, a header cut short, a length that does not fit) gives
 * false, and the frame is decoded in full. A link the header locator (./locate.ts) cannot get past to IP (ARP,
 * LLDP, an unknown link type...) is irrelevant: decodeLink only reports it as unsupported or cut off, never
 * malformed. test/decode/prefilter.test.ts checks the claim against decodeFrame on every fixture frame, every
 * prefix and byte mutations of them.
 */
import { readU16 } from '../ntp/wire.js';
import { isNtpPortPair } from './icmp.js';
import { IP_OK, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, Located, locate } from './locate.js';

/** isIrrelevantFrame's locator record, reused. */
const located = new Located();

/** True when the frame b[start, end) of link type `linkType` is certainly neither NTP nor ICMP nor malformed. */
export function isIrrelevantFrame(
  b: Uint8Array,
  start: number,
  end: number,
  linkType: number,
  ntpPorts?: readonly number[],
): boolean {
  locate(b, start, end, linkType, located);
  return isIrrelevantAt(b, end, located, ntpPorts);
}

/** isIrrelevantFrame on a frame the caller has located already (`h`): no second walk of its headers. */
export function isIrrelevantAt(b: Uint8Array, end: number, h: Located, ntpPorts?: readonly number[]): boolean {
  if (h.ipAt < 0) return true; // the link walk failed: decodeLink's one issue is not 'malformed'
  if (h.ip !== IP_OK) return false;
  if (h.version === 4) {
    // RFC 791: a whole, unfragmented header; then anything but ICMP, or UDP that is not NTP and fits.
    if (h.fragment || h.protocol === IPPROTO_ICMP) return false;
    if (h.protocol !== IPPROTO_UDP) return true;
    return irrelevantUdp(b, h.l4At, end, h.ipLength - h.headerLength, ntpPorts);
  }
  // RFC 8200: TCP or UDP right after the fixed header (no extension headers to walk).
  if (h.protocol === IPPROTO_TCP) return true;
  if (h.protocol !== IPPROTO_UDP) return false;
  return irrelevantUdp(b, h.l4At, end, h.ipLength - 40, ntpPorts);
}

/** RFC 768: the header is there, neither port is NTP, and the length field fits the IP payload (else malformed). */
function irrelevantUdp(b: Uint8Array, u: number, end: number, ipPayload: number, ntpPorts: readonly number[] | undefined): boolean {
  if (end - u < 8) return false;
  if (isNtpPortPair(readU16(b, u), readU16(b, u + 2), ntpPorts)) return false;
  const length = readU16(b, u + 4);
  return length >= 8 && length <= ipPayload;
}
