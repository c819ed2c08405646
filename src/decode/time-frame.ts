/**
 * The frame almost every NTP capture is made of — a client request or a server reply of 48 octets (RFC 5905
 * §7.3, mode 3 or 4, no extension field, no MAC) in plain IPv4/IPv6 + UDP — decoded straight into primitives
 * (TimeFrame, one record reused for every frame) instead of the layer objects of decodeFrame. The Correlator
 * takes either form (feed for a DecodedFrame, feedTime for this); analysis tries this first.
 *
 * The promise, checked against decodeFrame on every fixture frame and header mutations of them
 * (test/decode/time-frame.test.ts): when decodeTimeFrame accepts a frame, decodeFrame decodes it without any
 * issue to an NTP time message of mode 3 or 4, and timeFrameOf(that) equals what decodeTimeFrame filled in.
 * Anything unusual — VLAN tags, BSD loopback, options cut off, fragments, extension headers, a length that does
 * not fit, a short or long NTP payload, a reserved stratum or version — is left to decodeFrame.
 */
import { readU16, viewOf } from '../ntp/wire.js';
import { formatIpv6, ipv4Text, ipv4Word, ipv4WordAt } from './address.js';
import { isNtpPortPair } from './icmp.js';
import { IP_OK, IPPROTO_UDP, plainIpAt, type Located } from './locate.js';
import type { ChecksumStatus, DecodedFrame } from './types.js';
import { foldChecksum, onesComplementSum } from './udp.js';

/** RFC 5905 §7.3: the header of modes 1–5; 8 octets of UDP header before it. */
const NTP_HEADER = 48;
const UDP_DATAGRAM = 8 + NTP_HEADER;

/** A mode 3 or 4 NTP frame as primitives. Timestamps are their two 32-bit halves (RFC 5905 §6). */
export class TimeFrame {
  frame = 0;
  sec = 0;
  nsec = 0;
  /** Linux SLL/SLL2 packet type (packet(7)), or -1 when the link has none. */
  packetType = -1;
  ipVersion: 4 | 6 = 4;
  /** IPv4: the source and destination addresses as signed 32-bit words (what paths are looked up by); else 0. */
  srcWord = 0;
  dstWord = 0;
  /** IPv6: the addresses' text; IPv4: '' (src and dst format the words, only when asked: most frames never are). */
  srcText = '';
  dstText = '';
  srcPort = 0;
  dstPort = 0;
  checksumStatus: ChecksumStatus = 'none';
  checksumPartial = false;
  leap = 0;
  version = 0;
  mode = 0;
  stratum = 0;
  poll = 0;
  precision = 0;
  /** Seconds (RFC 5905 §6 short format already divided by 2^16). */
  rootDelay = 0.5;
  rootDispersion = 0.5;
  refid = 0.5;
  refSec = 0.5;
  refFrac = 0.5;
  orgSec = 0.5;
  orgFrac = 0.5;
  rcvSec = 0.5;
  rcvFrac = 0.5;
  xmtSec = 0.5;
  xmtFrac = 0.5;

  /** The source address's text. */
  get src(): string {
    return this.ipVersion === 4 ? ipv4Text(this.srcWord) : this.srcText;
  }

  /** The destination address's text. */
  get dst(): string {
    return this.ipVersion === 4 ? ipv4Text(this.dstWord) : this.dstText;
  }
}

/**
 * onesComplementSum of the 64 octets at p (IPv4 addresses + UDP header + NTP header), unrolled: the one run of
 * octets nearly every frame of a capture sums. 32-bit words add like their 16-bit halves (RFC 1071 §2(C)).
 */
function sum64(v: DataView, p: number): number {
  return (
    v.getUint32(p) + v.getUint32(p + 4) + v.getUint32(p + 8) + v.getUint32(p + 12) +
    v.getUint32(p + 16) + v.getUint32(p + 20) + v.getUint32(p + 24) + v.getUint32(p + 28) +
    v.getUint32(p + 32) + v.getUint32(p + 36) + v.getUint32(p + 40) + v.getUint32(p + 44) +
    v.getUint32(p + 48) + v.getUint32(p + 52) + v.getUint32(p + 56) + v.getUint32(p + 60)
  );
}

/**
 * Fills `out` from the frame b[start, end) when it is a plain 48-octet mode 3/4 NTP datagram; false (out then
 * undefined in part) for anything else. frame/sec/nsec are the caller's to set.
 *
 * The analysis loop's first try on every frame (src/correlate/records.ts): the common links only (plainIpAt) and
 * the IP header read here, with no Located record; what it declines goes to locate() and timeFrameAt, which take
 * the same frames on every other link (VLAN tags, BSD loopback) and decode them the same way (udpTimeFrame).
 */
export function decodeTimeFrame(b: Uint8Array, start: number, end: number, linkType: number, out: TimeFrame): boolean {
  const ipAt = plainIpAt(b, start, end, linkType, out);
  if (ipAt < 0 || end - ipAt < 1) return false;
  const b0 = b[ipAt] as number;
  const version = b0 >>> 4;
  if (version === 4) {
    // RFC 791 §3.1: IHL, total length = header + the 56 octets, no MF flag or fragment offset, protocol UDP.
    if (end - ipAt < 20) return false;
    const headerLength = (b0 & 0x0f) * 4;
    if (headerLength < 20 || end - ipAt < headerLength || readU16(b, ipAt + 2) !== headerLength + UDP_DATAGRAM) return false;
    if ((readU16(b, ipAt + 6) & 0x3fff) !== 0 || b[ipAt + 9] !== IPPROTO_UDP) return false;
    return udpTimeFrame(b, end, 4, ipAt + 12, 4, ipAt + headerLength, out);
  }
  // RFC 8200 §3: payload length 56 and next header UDP (an extension header declines the frame).
  if (version !== 6 || end - ipAt < 40 || b[ipAt + 6] !== IPPROTO_UDP || readU16(b, ipAt + 4) !== UDP_DATAGRAM) return false;
  return udpTimeFrame(b, end, 6, ipAt + 8, 16, ipAt + 40, out);
}

/** decodeTimeFrame on a frame the caller has located already (`h`, IP_OK): no second walk of its headers. */
export function timeFrameAt(b: Uint8Array, end: number, h: Located, out: TimeFrame): boolean {
  // The datagram must be whole and exactly the IP payload (Ethernet padding after it is fine); no fragment, no
  // IPv6 extension header (its next header would be the protocol here).
  if (h.ip !== IP_OK || h.protocol !== IPPROTO_UDP || h.fragment || h.ipLength !== h.headerLength + UDP_DATAGRAM) return false;
  out.packetType = h.packetType;
  return udpTimeFrame(b, end, h.version as 4 | 6, h.srcAt, h.addrLength, h.l4At, out);
}

/**
 * The rest of both: the UDP datagram at `u` (the IP header checked by the caller: version, where the addresses are
 * and how long each is) as a plain mode 3/4 NTP message, into `out`.
 */
function udpTimeFrame(b: Uint8Array, end: number, version: 4 | 6, srcAt: number, addrLength: number, u: number, out: TimeFrame): boolean {
  if (end - u < UDP_DATAGRAM || readU16(b, u + 4) !== UDP_DATAGRAM) return false;
  const srcPort = readU16(b, u);
  const dstPort = readU16(b, u + 2);
  if (!isNtpPortPair(srcPort, dstPort, undefined)) return false;
  const n = u + 8;
  const b0 = b[n] as number;
  const mode = b0 & 7;
  const ntpVersion = (b0 >>> 3) & 7;
  const stratum = b[n + 1] as number;
  // decodeNtp flags versions 0 and 5–7 and strata 17–255 (RFC 5905 §7.3): those frames carry an issue.
  if ((mode !== 3 && mode !== 4) || ntpVersion === 0 || ntpVersion > 4 || stratum > 16) return false;
  // UDP checksum (RFC 768; zero = none on IPv4, invalid on IPv6), as decodeUdp judges it.
  const checksum = readU16(b, u + 6);
  let status: ChecksumStatus;
  let partial = false;
  if (checksum === 0) status = version === 4 ? 'none' : 'bad';
  else {
    // Source and destination addresses, then (no IPv4 options) the UDP datagram: one run of octets to sum.
    const addrEnd = srcAt + 2 * addrLength;
    const sum =
      addrEnd === u && version === 4
        ? sum64(viewOf(b), srcAt) + IPPROTO_UDP + UDP_DATAGRAM
        : addrEnd === u
          ? onesComplementSum(b, srcAt, u + UDP_DATAGRAM, IPPROTO_UDP + UDP_DATAGRAM)
          : onesComplementSum(b, u, u + UDP_DATAGRAM, onesComplementSum(b, srcAt, addrEnd, IPPROTO_UDP + UDP_DATAGRAM));
    status = foldChecksum(sum) === 0xffff ? 'ok' : 'bad';
    if (status === 'bad') {
      const pseudo = foldChecksum(onesComplementSum(b, srcAt, addrEnd, IPPROTO_UDP + UDP_DATAGRAM));
      partial = checksum === pseudo || checksum === (~pseudo & 0xffff);
    }
  }
  out.ipVersion = version;
  if (version === 4) {
    out.srcWord = ipv4WordAt(b, srcAt);
    out.dstWord = ipv4WordAt(b, srcAt + 4);
    if (out.srcText !== '') out.srcText = '';
    if (out.dstText !== '') out.dstText = '';
  } else {
    out.srcWord = 0;
    out.dstWord = 0;
    // Interned texts: stored only when they change (a store into the long-lived record costs a write barrier).
    const src = formatIpv6(b, srcAt);
    const dst = formatIpv6(b, srcAt + 16);
    if (out.srcText !== src) out.srcText = src;
    if (out.dstText !== dst) out.dstText = dst;
  }
  out.srcPort = srcPort;
  out.dstPort = dstPort;
  out.checksumStatus = status;
  out.checksumPartial = partial;
  out.leap = b0 >>> 6;
  out.version = ntpVersion;
  out.mode = mode;
  out.stratum = stratum;
  out.poll = ((b[n + 2] as number) << 24) >> 24;
  out.precision = ((b[n + 3] as number) << 24) >> 24;
  const v = viewOf(b);
  out.rootDelay = v.getUint32(n + 4) / 65536;
  out.rootDispersion = v.getUint32(n + 8) / 65536;
  out.refid = v.getUint32(n + 12);
  out.refSec = v.getUint32(n + 16);
  out.refFrac = v.getUint32(n + 20);
  out.orgSec = v.getUint32(n + 24);
  out.orgFrac = v.getUint32(n + 28);
  out.rcvSec = v.getUint32(n + 32);
  out.rcvFrac = v.getUint32(n + 36);
  out.xmtSec = v.getUint32(n + 40);
  out.xmtFrac = v.getUint32(n + 44);
  return true;
}

/**
 * The same record from a decoded frame that carries an NTP time message of mode 3 or 4 (or, `symmetric`, 1, 2 or 5;
 * false otherwise): the Correlator's one way in for both forms.
 */
export function timeFrameOf(f: DecodedFrame, out: TimeFrame, symmetric = false): boolean {
  const ip = f.ip;
  const udp = f.udp;
  const m = f.ntp?.message;
  if (ip === undefined || udp === undefined || m === undefined || m.kind !== 'time') return false;
  // `symmetric`: modes 1, 2 (RFC 5905 §9.2 symmetric active/passive) and 5 (broadcast) instead, same fields, for
  // Correlator.feed.
  if (symmetric ? m.mode !== 1 && m.mode !== 2 && m.mode !== 5 : m.mode !== 3 && m.mode !== 4) return false;
  out.frame = f.frame;
  out.sec = f.tsSec;
  out.nsec = f.tsNsec;
  out.packetType = f.link.packetType ?? -1;
  out.ipVersion = ip.version;
  if (ip.version === 4) {
    out.srcWord = ipv4Word(ip.src) ?? 0;
    out.dstWord = ipv4Word(ip.dst) ?? 0;
    out.srcText = '';
    out.dstText = '';
  } else {
    out.srcWord = 0;
    out.dstWord = 0;
    out.srcText = ip.src;
    out.dstText = ip.dst;
  }
  out.srcPort = udp.srcPort;
  out.dstPort = udp.dstPort;
  out.checksumStatus = udp.checksumStatus;
  out.checksumPartial = udp.checksumPartial === true;
  out.leap = m.leap;
  out.version = m.version;
  out.mode = m.mode;
  out.stratum = m.stratum;
  out.poll = m.poll;
  out.precision = m.precision;
  out.rootDelay = m.rootDelay;
  out.rootDispersion = m.rootDispersion;
  out.refid = m.refid;
  out.refSec = m.referenceTime.seconds;
  out.refFrac = m.referenceTime.fraction;
  out.orgSec = m.originTime.seconds;
  out.orgFrac = m.originTime.fraction;
  out.rcvSec = m.receiveTime.seconds;
  out.rcvFrac = m.receiveTime.fraction;
  out.xmtSec = m.transmitTime.seconds;
  out.xmtFrac = m.transmitTime.fraction;
  return true;
}
