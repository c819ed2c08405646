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
 * Decodes the IPv4 header at p of b[0, end). Issues go to `issues` (undefined: dropped — used for the
 * datagram an ICMP error quotes, which is cut short by design). Undefined when the header is unusable.
 */
export function decodeIpv4(
  b: Uint8Array,
  p: number,
  end: number,
  issues: DecodeIssue[] | undefined,
  layer = 'ipv4',
): IpLayer | undefined {
  const have = end - p;
  if (have < 20) {
    issues?.push({ kind: 'truncated', layer, offset: p, need: 20, have, message: 'IPv4 header cut off' });
    return undefined;
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
    return undefined;
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
    return undefined;
  }
  if (have < headerLength) {
    issues?.push({ kind: 'truncated', layer, offset: p, need: headerLength, have, message: 'IPv4 options cut off' });
    return undefined;
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
  return {
    info,
    srcAt: p + 12,
    dstAt: p + 16,
    payloadStart: p + headerLength,
    payloadEnd: wireEnd < end ? wireEnd : end,
    wireEnd,
    laterFragment: fragmentOffset !== 0,
  };
}
