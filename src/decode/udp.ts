/**
 * UDP, RFC 768:  source port(2) destination port(2) length(2) checksum(2), then data.
 * The checksum covers a pseudo-header — source and destination address, zero, protocol 17, UDP length
 * (RFC 768; IPv6: RFC 8200 §8.1, with the final destination of a routing header) — plus header and data.
 * A zero checksum means "none" on IPv4 and is invalid on IPv6 (RFC 8200 §8.1). A sender using checksum
 * offload hands the capture a partial sum: 'bad' on the sending host is the seed's "bad udp cksum" artifact.
 */
import { readU16, viewOf } from '../ntp/wire.js';
import type { IpLayer } from './layer.js';
import type { ChecksumStatus, DecodeIssue, UdpInfo } from './types.js';

export const UDP_HEADER_LENGTH = 8;

export interface UdpLayer {
  info: UdpInfo;
  payloadStart: number;
  /** Captured end of the payload. */
  payloadEnd: number;
  /** Payload octets on the wire per the UDP length field. */
  payloadWireLength: number;
}

/** A layer record for decodeUdp to fill, kept and reused by its caller (as newIpLayer). */
export function newUdpLayer(): UdpLayer {
  return {
    info: { srcPort: 0, dstPort: 0, length: 0, checksum: 0, checksumStatus: 'none' },
    payloadStart: 0,
    payloadEnd: 0,
    payloadWireLength: 0,
  };
}

/**
 * One's-complement sum of b[start, end) as 16-bit big-endian words (odd tail padded with zero), unfolded.
 * Read 32 bits at a time: a 32-bit word hi·2^16 + lo adds the same as its two 16-bit words once folded,
 * since 2^16 ≡ 1 (mod 2^16 − 1) (RFC 1071 §2(C): the sum may be taken in wider words).
 */
export function onesComplementSum(b: Uint8Array, start: number, end: number, sum = 0): number {
  const v = viewOf(b);
  let i = start;
  for (; i + 4 <= end; i += 4) sum += v.getUint32(i);
  if (i + 2 <= end) {
    sum += v.getUint16(i);
    i += 2;
  }
  if (i < end) sum += (b[i] as number) << 8;
  return sum;
}

export function foldChecksum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 65536);
  return sum;
}

/** Verifies the UDP checksum of a complete, unfragmented datagram at udpStart of `udpLength` octets. */
export function verifyUdpChecksum(b: Uint8Array, ip: IpLayer, udpStart: number, udpLength: number): boolean {
  const addrLength = ip.info.version === 4 ? 4 : 16;
  let sum = onesComplementSum(b, ip.srcAt, ip.srcAt + addrLength);
  sum = onesComplementSum(b, ip.dstAt, ip.dstAt + addrLength, sum);
  sum += 17 + udpLength;
  sum = onesComplementSum(b, udpStart, udpStart + udpLength, sum);
  return foldChecksum(sum) === 0xffff;
}

/**
 * With tx checksum offload the stack leaves only the pseudo-header sum in the field for the NIC to complete
 * (Linux CHECKSUM_PARTIAL: `uh->check = ~csum_tcpudp_magic(...)`); a capture on the sending host sees that value.
 * Corruption does not produce it, so it marks an offload artifact from the packet alone.
 */
function isOffloadPartial(b: Uint8Array, ip: IpLayer, checksum: number, udpLength: number): boolean {
  const addrLength = ip.info.version === 4 ? 4 : 16;
  let sum = onesComplementSum(b, ip.srcAt, ip.srcAt + addrLength);
  sum = onesComplementSum(b, ip.dstAt, ip.dstAt + addrLength, sum);
  const folded = foldChecksum(sum + 17 + udpLength);
  return checksum === folded || checksum === (~folded & 0xffff);
}

/** Decodes the UDP header at ip.payloadStart into `out`. False (issue pushed) when the header is not all there. */
export function decodeUdp(
  b: Uint8Array,
  ip: IpLayer,
  issues: DecodeIssue[] | undefined,
  out: UdpLayer,
  layer = 'udp',
): boolean {
  const p = ip.payloadStart;
  const have = ip.payloadEnd - p;
  if (have < UDP_HEADER_LENGTH) {
    issues?.push({ kind: 'truncated', layer, offset: p, need: UDP_HEADER_LENGTH, have, message: 'UDP header cut off' });
    return false;
  }
  const length = readU16(b, p + 4);
  const checksum = readU16(b, p + 6);
  const ipPayload = ip.wireEnd - p;
  let wireLength = length;
  let status: ChecksumStatus;
  let partial = false;
  // An atomic fragment (RFC 6946: offset 0, no more fragments) holds the whole datagram.
  const fragment = ip.info.fragment;
  const fragmented = fragment !== undefined && (fragment.offset !== 0 || fragment.moreFragments);
  // A first fragment carries only part of the datagram the UDP length describes.
  if (length < UDP_HEADER_LENGTH || (length > ipPayload && !fragmented)) {
    issues?.push({
      kind: 'malformed',
      layer,
      offset: p + 4,
      need: length,
      have: ipPayload,
      message: `UDP length ${length} does not fit the IP payload of ${ipPayload} octets`,
    });
    wireLength = ipPayload;
    status = 'unverifiable';
  } else if (checksum === 0) {
    status = ip.info.version === 4 ? 'none' : 'bad';
  } else if (fragmented || p + length > ip.payloadEnd) {
    status = 'unverifiable';
  } else {
    status = verifyUdpChecksum(b, ip, p, length) ? 'ok' : 'bad';
    if (status === 'bad' && isOffloadPartial(b, ip, checksum, length)) partial = true;
  }
  const payloadStart = p + UDP_HEADER_LENGTH;
  const wireEnd = p + wireLength;
  const info: UdpInfo = { srcPort: readU16(b, p), dstPort: readU16(b, p + 2), length, checksum, checksumStatus: status };
  if (partial) info.checksumPartial = true;
  out.info = info;
  out.payloadStart = payloadStart;
  out.payloadEnd = wireEnd < ip.payloadEnd ? wireEnd : ip.payloadEnd;
  out.payloadWireLength = wireLength > UDP_HEADER_LENGTH ? wireLength - UDP_HEADER_LENGTH : 0;
  return true;
}
