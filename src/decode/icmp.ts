/**
 * ICMP errors and the datagram they quote: type(1) code(1) checksum(2) unused/MTU/pointer(4), then the
 * original IP header and as much of its payload as fits — RFC 792 asks for 8 octets (the UDP ports), RFC 1812
 * §4.3.2.3 and Linux quote up to 576 octets in all, RFC 4443 §3 as much as fits in 1280 for ICMPv6. So the
 * NTP request that caused the error is usually quoted whole: its transmit timestamp ties the error to it.
 *
 * Errors: ICMPv4 3 destination unreachable, 4 source quench, 5 redirect, 11 time exceeded, 12 parameter
 * problem; ICMPv6 every type below 128 (RFC 4443 §2.1: 1 unreachable, 2 packet too big, 3 time exceeded,
 * 4 parameter problem).
 */
import { decodeNtp, type NtpDecodeOptions } from '../ntp/codec.js';
import { readU16 } from '../ntp/wire.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import { newIpLayer, type IpLayer } from './layer.js';
import type { DecodeIssue, IcmpInfo, QuotedDatagram } from './types.js';

export const IPPROTO_ICMP = 1;
export const IPPROTO_ICMPV6 = 58;
const IPPROTO_UDP = 17;
const ICMP_HEADER_LENGTH = 8;

export function isIcmpError(version: 4 | 6, type: number): boolean {
  if (version === 6) return type < 128;
  return type === 3 || type === 4 || type === 5 || type === 11 || type === 12;
}

/** True when a UDP port pair is NTP: 123 on either side, or a port the caller named. */
export function isNtpPortPair(srcPort: number, dstPort: number, ntpPorts: readonly number[] | undefined): boolean {
  if (srcPort === 123 || dstPort === 123) return true;
  if (ntpPorts === undefined) return false;
  for (let i = 0; i < ntpPorts.length; i++) {
    const port = ntpPorts[i];
    if (port === srcPort || port === dstPort) return true;
  }
  return false;
}

const quotedNtpOptions: NtpDecodeOptions = {};
/** The quoted datagram's IP layer record, reused (see newIpLayer). */
const quotedIp = newIpLayer();

/** The quoted datagram at q of b[0, end), or undefined when not even its IP header is there. */
function decodeQuoted(b: Uint8Array, q: number, end: number, ntpPorts: readonly number[] | undefined): QuotedDatagram | undefined {
  if (end - q < 1) return undefined;
  const version = (b[q] as number) >>> 4;
  const ip = quotedIp;
  if (version === 4 ? !decodeIpv4(b, q, end, undefined, ip) : version !== 6 || !decodeIpv6(b, q, end, undefined, ip)) {
    return undefined;
  }
  const quoted: QuotedDatagram = {
    ipVersion: ip.info.version,
    src: ip.info.src,
    dst: ip.info.dst,
    protocol: ip.info.protocol,
  };
  if (ip.info.protocol !== IPPROTO_UDP || ip.laterFragment) return quoted;
  const u = ip.payloadStart;
  const have = ip.payloadEnd - u;
  if (have >= 2) quoted.srcPort = readU16(b, u);
  if (have >= 4) quoted.dstPort = readU16(b, u + 2);
  if (have >= 8 && isNtpPortPair(quoted.srcPort as number, quoted.dstPort as number, ntpPorts)) {
    const udpLength = readU16(b, u + 4);
    const start = u + 8;
    // The quote ends where the ICMP message does, or earlier if the original datagram was shorter.
    const stop = udpLength >= 8 && u + udpLength < ip.payloadEnd ? u + udpLength : ip.payloadEnd;
    quotedNtpOptions.wireLength = udpLength >= 8 ? udpLength - 8 : stop - start;
    quoted.ntp = decodeNtp(b, start, stop - start, quotedNtpOptions);
  }
  return quoted;
}

/** ICMP/ICMPv6 at ip.payloadStart. Undefined (issue pushed) when not even type and code are there. */
export function decodeIcmp(
  b: Uint8Array,
  ip: IpLayer,
  issues: DecodeIssue[],
  ntpPorts: readonly number[] | undefined,
): IcmpInfo | undefined {
  const layer = ip.info.version === 4 ? 'icmp' : 'icmpv6';
  const p = ip.payloadStart;
  const end = ip.payloadEnd;
  if (end - p < 2) {
    issues.push({ kind: 'truncated', layer, offset: p, need: ICMP_HEADER_LENGTH, have: end - p, message: 'ICMP header cut off' });
    return undefined;
  }
  const type = b[p] as number;
  const info: IcmpInfo = {
    version: ip.info.version,
    type,
    code: b[p + 1] as number,
    isError: isIcmpError(ip.info.version, type),
  };
  if (end - p < ICMP_HEADER_LENGTH) {
    issues.push({ kind: 'truncated', layer, offset: p, need: ICMP_HEADER_LENGTH, have: end - p, message: 'ICMP header cut off' });
    return info;
  }
  if (info.isError) {
    const quoted = decodeQuoted(b, p + ICMP_HEADER_LENGTH, end, ntpPorts);
    if (quoted !== undefined) info.quoted = quoted;
    else if (end < ip.wireEnd) {
      issues.push({
        kind: 'truncated',
        layer,
        offset: p + ICMP_HEADER_LENGTH,
        need: ip.info.version === 4 ? 20 : 40,
        have: end - p - ICMP_HEADER_LENGTH,
        message: 'quoted IP header cut off',
      });
    } else {
      issues.push({ kind: 'malformed', layer, offset: p + ICMP_HEADER_LENGTH, message: 'error without a valid quoted IP header' });
    }
  }
  return info;
}
