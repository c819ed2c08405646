/**
 * The ICMP error that answers an NTP request through a firewall or to a closed port — IPv4, destination
 * unreachable or another error type (RFC 792), quoting the request's IPv4 + UDP header and NTP octets — decoded
 * straight into primitives (IcmpFrame, one record reused) instead of decodeFrame's layer objects, as
 * ./time-frame.ts does for the requests and replies themselves. In a capture of a firewall that rejects, about
 * half the frames are these.
 *
 * The promise, checked against decodeFrame on every fixture frame and header mutations of them
 * (test/decode/icmp-frame.test.ts): when decodeIcmpFrame accepts a frame, decodeFrame decodes it without any issue
 * to an ICMP error quoting UDP with both ports, and icmpFrameOf(that) equals what decodeIcmpFrame filled in.
 * Anything else — IPv6, fragments, a quote cut before its UDP header, a quoted control (mode 6/7) message — is
 * left to decodeFrame.
 */
import { readU16, viewOf } from '../ntp/wire.js';
import { formatIpv4, ipv4Word, ipv4WordAt } from './address.js';
import { isIcmpError, isNtpPortPair } from './icmp.js';
import { IP_OK, IPPROTO_ICMP, IPPROTO_UDP, locate, Located, locateIp } from './locate.js';
import type { DecodedFrame } from './types.js';

const ICMP_HEADER = 8;
/** RFC 5905 §7.3: the header of modes 1–5. */
const NTP_HEADER = 48;

/** An ICMP error and the request it quotes, as primitives. */
export class IcmpFrame {
  frame = 0;
  sec = 0;
  nsec = 0;
  version: 4 | 6 = 4;
  type = 0;
  code = 0;
  /** Who sent the error (the outer source). */
  reporter = '';
  /** The quoted request: addresses and ports. */
  src = '';
  dst = '';
  /** The quoted addresses as signed 32-bit words (what IPv4 paths are looked up by: src/correlate/path-table.ts). */
  srcWord = 0;
  dstWord = 0;
  srcPort = 0;
  dstPort = 0;
  /** The quoted NTP octets hold a whole mode 1–5 header (then version, mode and transmit are set). */
  hasTime = false;
  /** The quoted message's version (0 without a message) and mode (0 without a time message). */
  ntpVersion = 0;
  mode = 0;
  /** The quoted transmit timestamp T1 (0 without a time message). */
  xmtSec = 0.5;
  xmtFrac = 0.5;
}

/** decodeIcmpFrame's locator records, reused: the frame's own headers and the quoted datagram's. */
const located = new Located();
const quote = new Located();

/** Fills `out` from the frame b[start, end) when it is such an ICMP error; false for anything else. */
export function decodeIcmpFrame(b: Uint8Array, start: number, end: number, linkType: number, out: IcmpFrame): boolean {
  return locate(b, start, end, linkType, located) && icmpFrameAt(b, end, located, out);
}

/** decodeIcmpFrame on a frame the caller has located already (`h`): no second walk of its headers. */
export function icmpFrameAt(b: Uint8Array, end: number, h: Located, out: IcmpFrame): boolean {
  // Whole and unfragmented: decodeIpv4 then has nothing to say about it.
  if (h.ip !== IP_OK || h.version !== 4 || h.fragment || h.protocol !== IPPROTO_ICMP) return false;
  const ipAt = h.ipAt;
  const icmpEnd = ipAt + h.ipLength;
  if (icmpEnd > end) return false;
  const p = h.l4At;
  if (icmpEnd - p < ICMP_HEADER) return false;
  const type = b[p] as number;
  if (!isIcmpError(4, type)) return false;
  // The quoted IPv4 header (RFC 792: header + at least 8 octets of the datagram), whole and unfragmented.
  const q = p + ICMP_HEADER;
  const qh = quote;
  if (!locateIp(b, q, icmpEnd, qh) || qh.version !== 4 || qh.fragment || qh.protocol !== IPPROTO_UDP) return false;
  const qTotal = qh.ipLength;
  const qHeaderLength = qh.headerLength;
  const u = q + qHeaderLength;
  const qPayloadEnd = q + qTotal < icmpEnd ? q + qTotal : icmpEnd;
  if (qPayloadEnd - u < 8) return false;
  const srcPort = readU16(b, u);
  const dstPort = readU16(b, u + 2);
  if (!isNtpPortPair(srcPort, dstPort, undefined)) return false;
  // Where the quoted NTP octets stop: the UDP length, or the end of the quote (as decodeIcmp's decodeQuoted).
  const udpLength = readU16(b, u + 4);
  const n = u + 8;
  const stop = udpLength >= 8 && u + udpLength < qPayloadEnd ? u + udpLength : qPayloadEnd;
  let hasTime = false;
  let ntpVersion = 0;
  let mode = 0;
  let xmtSec = 0;
  let xmtFrac = 0;
  if (stop - n >= 1) {
    const b0 = b[n] as number;
    if ((b0 & 7) >= 6) return false; // a control or private message: decodeFrame's
    if (stop - n >= NTP_HEADER) {
      hasTime = true;
      ntpVersion = (b0 >>> 3) & 7;
      mode = b0 & 7;
      const v = viewOf(b);
      xmtSec = v.getUint32(n + 40);
      xmtFrac = v.getUint32(n + 44);
    }
  }
  out.version = 4;
  out.type = type;
  out.code = b[p + 1] as number;
  out.reporter = formatIpv4(b, ipAt + 12);
  out.src = formatIpv4(b, q + 12);
  out.dst = formatIpv4(b, q + 16);
  out.srcWord = ipv4WordAt(b, q + 12);
  out.dstWord = ipv4WordAt(b, q + 16);
  out.srcPort = srcPort;
  out.dstPort = dstPort;
  out.hasTime = hasTime;
  out.ntpVersion = ntpVersion;
  out.mode = mode;
  out.xmtSec = xmtSec;
  out.xmtFrac = xmtFrac;
  return true;
}

/**
 * The same record from a decoded frame with an ICMP error quoting UDP with both ports (false otherwise): the
 * Correlator's one way in for both forms.
 */
export function icmpFrameOf(f: DecodedFrame, out: IcmpFrame): boolean {
  const icmp = f.icmp;
  const q = icmp?.quoted;
  if (icmp === undefined || !icmp.isError || q === undefined || q.protocol !== IPPROTO_UDP || q.srcPort === undefined || q.dstPort === undefined) {
    return false;
  }
  const m = q.ntp?.message;
  out.frame = f.frame;
  out.sec = f.tsSec;
  out.nsec = f.tsNsec;
  out.version = icmp.version;
  out.type = icmp.type;
  out.code = icmp.code;
  out.reporter = f.ip?.src ?? '?';
  out.src = q.src;
  out.dst = q.dst;
  out.srcWord = icmp.version === 4 ? (ipv4Word(q.src) ?? 0) : 0;
  out.dstWord = icmp.version === 4 ? (ipv4Word(q.dst) ?? 0) : 0;
  out.srcPort = q.srcPort;
  out.dstPort = q.dstPort;
  out.hasTime = m?.kind === 'time';
  out.ntpVersion = m?.version ?? 0;
  out.mode = m?.mode ?? 0;
  out.xmtSec = m?.kind === 'time' ? m.transmitTime.seconds : 0;
  out.xmtFrac = m?.kind === 'time' ? m.transmitTime.fraction : 0;
  return true;
}
