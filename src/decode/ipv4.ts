/**
 * IPv4 header, RFC 791 §3.1:
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |Version|  IHL  |   DSCP/ECN    |          Total Length         |
 *  |         Identification        |Flags|     Fragment Offset     |
 *  |  Time to Live |    Protocol   |         Header Checksum       |
 *  |                       Source Address                          |
 *  |                    Destination Address                        |
 *  |                    Options (IHL > 5)                          |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * Octets after Total Length (Ethernet padding to 60 octets) are not payload.
 */
import { readU16 } from '../ntp/wire.js';
import { formatIpv4 } from './address.js';
import type { IpLayer } from './layer.js';
import type { DecodeIssue, IpInfo } from './types.js';

/**
 * Decodes the IPv4 header at p of b[·, end) into `out` (see newIpLayer). Issues go to `issues` (undefined:
 * dropped — used for the datagram an ICMP error quotes, which is cut short by design). False when the header
 * is unusable (`out` is then left as it was).
 */
export function decodeIpv4(
  b: Uint8Array,
  p: number,
  end: number,
  issues: DecodeIssue[] | undefined,
  out: IpLayer,
  layer = 'ipv4',
): boolean {
  const have = end - p;
  if (have < 20) {
    issues?.push({ kind: 'truncated', layer, offset: p, need: 20, have, message: 'IPv4 header cut off' });
    return false;
  }
  const b0 = b[p] as number;
  const headerLength = (b0 & 0x0f) * 4;
  if (b0 >>> 4 !== 4 || headerLength < 20) {
    issues?.push({
      kind: 'malformed',
      layer,
      offset: p,
      message: b0 >>> 4 !== 4 ? `IP version ${b0 >>> 4} in an IPv4 header` : `IHL ${b0 & 0x0f} < 5`,
    });
    return false;
  }
  const totalLength = readU16(b, p + 2);
  if (totalLength < headerLength) {
    issues?.push({
      kind: 'malformed',
      layer,
      offset: p + 2,
      need: headerLength,
      have: totalLength,
      message: `total length ${totalLength} < header length ${headerLength}`,
    });
    return false;
  }
  if (have < headerLength) {
    issues?.push({ kind: 'truncated', layer, offset: p, need: headerLength, have, message: 'IPv4 options cut off' });
    return false;
  }
  const flagsOffset = readU16(b, p + 6);
  const fragmentOffset = (flagsOffset & 0x1fff) * 8;
  const moreFragments = (flagsOffset & 0x2000) !== 0;
  const info: IpInfo = {
    version: 4,
    src: formatIpv4(b, p + 12),
    dst: formatIpv4(b, p + 16),
    ttl: b[p + 8] as number,
    protocol: b[p + 9] as number,
    tos: b[p + 1] as number,
  };
  if (moreFragments || fragmentOffset !== 0) {
    info.fragment = { offset: fragmentOffset, moreFragments, id: readU16(b, p + 4) };
  }
  const wireEnd = p + totalLength;
  if (wireEnd > end) {
    issues?.push({
      kind: 'truncated',
      layer,
      offset: p,
      need: totalLength,
      have,
      message: `datagram cut off at ${have} of ${totalLength} octets`,
    });
  }
  out.info = info;
  out.srcAt = p + 12;
  out.dstAt = p + 16;
  out.payloadStart = p + headerLength;
  out.payloadEnd = wireEnd < end ? wireEnd : end;
  out.wireEnd = wireEnd;
  out.laterFragment = fragmentOffset !== 0;
  return true;
}
