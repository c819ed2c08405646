/**
 * TCP segment headers (RFC 9293 §3.1) for NTS key establishment (RFC 8915 §4: TLS 1.3 on TCP port 4460), read on a
 * frame the header locator (./locate.ts) has walked, into one reused record: ports, sequence and acknowledgement
 * numbers, flags and where the payload is. Nothing else on TCP is decoded: a frame that is not to or from port 4460
 * is declined after two port reads. ICMP errors quoting such a segment (RFC 792 / RFC 4443 §2.4: the quoted IP
 * header and at least the first 8 octets of the segment, its ports and sequence number) are read by `quotedKeAt`.
 * Bounded reads only; short input is declined, never thrown on.
 */
import { readU16, readU32 } from '../ntp/wire.js';
import { isIpv6Extension, locateBehindExtensions } from './ipv6-ext.js';
import { IP_OK, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, Located, locateIp } from './locate.js';

/** RFC 8915 §4: the NTS-KE port. */
export const NTS_KE_TCP_PORT = 4460;

/** TCP flags (RFC 9293 §3.1, the low 6 bits of octet 13). */
export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_ACK = 0x10;

/** One TCP segment's header fields (tcpSegmentAt fills it; one record per caller, reused). */
export class TcpSegment {
  srcPort = 0;
  dstPort = 0;
  seq = 0;
  ack = 0;
  flags = 0;
  /** Where the payload starts in the frame's bytes, and how many octets of it the frame holds (cut by snaplen). */
  payloadAt = 0;
  payloadCaptured = 0;
  /** Payload octets the IP header states (the wire length, whatever the snaplen kept). */
  payloadLength = 0;
}

/**
 * The TCP segment of a located frame (`h`: IP_OK, protocol TCP, not a fragment) into `out`, when either port is
 * NTS_KE_TCP_PORT. False otherwise, and for a header cut short or a data offset that does not fit.
 */
export function tcpKeSegmentAt(b: Uint8Array, end: number, h: Located, out: TcpSegment): boolean {
  const t = h.l4At;
  if (end - t < 20) return false;
  const src = readU16(b, t);
  const dst = readU16(b, t + 2);
  if (src !== NTS_KE_TCP_PORT && dst !== NTS_KE_TCP_PORT) return false;
  const dataOffset = ((b[t + 12] as number) >>> 4) * 4;
  const segment = h.ipLength - h.headerLength;
  if (dataOffset < 20 || dataOffset > segment) return false;
  out.srcPort = src;
  out.dstPort = dst;
  out.seq = readU32(b, t + 4);
  out.ack = readU32(b, t + 8);
  out.flags = (b[t + 13] as number) & 0x3f;
  out.payloadAt = t + dataOffset;
  out.payloadLength = segment - dataOffset;
  out.payloadCaptured = Math.max(0, Math.min(end - out.payloadAt, out.payloadLength));
  return true;
}

/** An ICMP error quoting a TCP segment to or from port 4460 (quotedKeAt fills it). */
export class QuotedKe {
  /** ICMP version (4 or 6), type and code. */
  version = 4;
  type = 0;
  code = 0;
  /** The quoted segment's source and destination: where their addresses are in the frame, and the ports. */
  srcAt = 0;
  dstAt = 0;
  addrLength = 4;
  srcPort = 0;
  dstPort = 0;
}

const quotedHeader = new Located();
/** The quoted datagram past its IPv6 extension headers, when it has some (./ipv6-ext.ts). */
const quotedBehind = new Located();

/**
 * ICMPv4 destination unreachable (3), time exceeded (11), parameter problem (12) — RFC 792 — and ICMPv6 errors 1..4
 * (RFC 4443 §2.1) whose quoted datagram is TCP to or from port 4460. The reporter is the outer source (h.srcAt).
 */
export function quotedKeAt(b: Uint8Array, end: number, h: Located, out: QuotedKe): boolean {
  const i = h.l4At;
  if (end - i < 8) return false;
  const type = b[i] as number;
  if (h.protocol === IPPROTO_ICMP) {
    if (h.version !== 4 || (type !== 3 && type !== 11 && type !== 12)) return false;
  } else if (h.protocol === IPPROTO_ICMPV6) {
    if (h.version !== 6 || type < 1 || type > 4) return false;
  } else return false;
  // The quoted datagram after the 8-octet ICMP header: its fixed IP header, then at least 8 octets of TCP.
  if (!locateIp(b, i + 8, end, quotedHeader)) return false;
  let quoted = quotedHeader;
  if (quoted.version === 6 && isIpv6Extension(quoted.protocol)) {
    if (!locateBehindExtensions(b, end, quoted, quotedBehind)) return false;
    quoted = quotedBehind;
  }
  if (quoted.ip !== IP_OK || quoted.protocol !== IPPROTO_TCP || quoted.fragment) return false;
  const t = quoted.l4At;
  if (end - t < 4) return false;
  const src = readU16(b, t);
  const dst = readU16(b, t + 2);
  if (src !== NTS_KE_TCP_PORT && dst !== NTS_KE_TCP_PORT) return false;
  out.version = h.version;
  out.type = type;
  out.code = b[i + 1] as number;
  out.srcAt = quoted.srcAt;
  out.addrLength = quoted.addrLength;
  out.dstAt = quoted.srcAt + quoted.addrLength;
  out.srcPort = src;
  out.dstPort = dst;
  return true;
}
