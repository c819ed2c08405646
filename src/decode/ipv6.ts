/**
 * IPv6 header, RFC 8200 §3, and the extension-header chain (§4) up to the upper-layer protocol:
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |Version| Traffic Class |           Flow Label                  |
 *  |         Payload Length        |  Next Header  |   Hop Limit   |
 *  |                    Source Address (128)                       |
 *  |                 Destination Address (128)                     |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * Hop-by-hop (0), Routing (43), Destination Options (60): next(1) length(1, 8-octet units beyond the first 8).
 * Fragment (44): next(1) reserved(1) offset(13 bits, 8-octet units)|res(2)|M(1) identification(4) — §4.5.
 * AH (51, RFC 4302 §2.2): next(1) length(1, 4-octet units minus 2). ESP (50): the rest is encrypted.
 */
import { readU16, readU32 } from '../ntp/wire.js';
import { formatIpv6 } from './address.js';
import type { IpLayer } from './layer.js';
import type { DecodeIssue, IpInfo } from './types.js';

const HOP_BY_HOP = 0;
const ROUTING = 43;
const FRAGMENT = 44;
const ESP = 50;
const AH = 51;
const NO_NEXT_HEADER = 59;
const DESTINATION_OPTIONS = 60;

/** Decodes the IPv6 header (and extension headers) at p of b[·, end) into `out`, as decodeIpv4 does. */
export function decodeIpv6(
  b: Uint8Array,
  p: number,
  end: number,
  issues: DecodeIssue[] | undefined,
  out: IpLayer,
  layer = 'ipv6',
): boolean {
  const have = end - p;
  if (have < 40) {
    issues?.push({ kind: 'truncated', layer, offset: p, need: 40, have, message: 'IPv6 header cut off' });
    return false;
  }
  const b0 = b[p] as number;
  if (b0 >>> 4 !== 6) {
    issues?.push({ kind: 'malformed', layer, offset: p, message: `IP version ${b0 >>> 4} in an IPv6 header` });
    return false;
  }
  const payloadLength = readU16(b, p + 4);
  let next = b[p + 6] as number;
  const info: IpInfo = {
    version: 6,
    src: formatIpv6(b, p + 8),
    dst: formatIpv6(b, p + 24),
    ttl: b[p + 7] as number,
    protocol: next,
    tos: ((b0 & 0x0f) << 4) | ((b[p + 1] as number) >>> 4),
  };
  // Payload length 0 with a hop-by-hop header is a jumbogram (RFC 2675): the length is in an option.
  let wireEnd = payloadLength === 0 && next === HOP_BY_HOP ? end : p + 40 + payloadLength;
  if (wireEnd > end) {
    issues?.push({
      kind: 'truncated',
      layer,
      offset: p,
      need: 40 + payloadLength,
      have,
      message: `datagram cut off at ${have} of ${40 + payloadLength} octets`,
    });
  }
  const capEnd = wireEnd < end ? wireEnd : end;
  out.info = info;
  out.srcAt = p + 8;
  out.dstAt = p + 24;
  out.payloadStart = p + 40;
  out.payloadEnd = capEnd;
  out.wireEnd = wireEnd;
  out.laterFragment = false;
  let q = p + 40;
  for (;;) {
    if (next !== HOP_BY_HOP && next !== ROUTING && next !== FRAGMENT && next !== DESTINATION_OPTIONS && next !== AH) {
      break;
    }
    const need = next === FRAGMENT ? 8 : 2;
    if (capEnd - q < need) {
      issues?.push({ kind: 'truncated', layer, offset: q, need, have: capEnd - q, message: `extension header ${next} cut off` });
      q = capEnd;
      break;
    }
    const headerLength =
      next === FRAGMENT ? 8 : next === AH ? ((b[q + 1] as number) + 2) * 4 : ((b[q + 1] as number) + 1) * 8;
    if (q + headerLength > wireEnd) {
      issues?.push({
        kind: 'malformed',
        layer,
        offset: q,
        need: headerLength,
        have: wireEnd - q,
        message: `extension header ${next} longer than the payload`,
      });
      q = capEnd;
      break;
    }
    if (next === FRAGMENT) {
      const offsetFlags = readU16(b, q + 2);
      const offset = offsetFlags & 0xfff8;
      info.fragment = { offset, moreFragments: (offsetFlags & 1) !== 0, id: readU32(b, q + 4) };
      out.laterFragment = offset !== 0;
    } else if (next === ROUTING && q + headerLength <= capEnd && (b[q + 3] as number) > 0) {
      // Segments left > 0: the UDP checksum covers the final destination (RFC 8200 §8.1), not the next hop.
      const type = b[q + 2] as number;
      if ((type === 0 && headerLength >= 24) || type === 2 || type === 4) {
        out.dstAt = type === 0 ? q + headerLength - 16 : q + 8;
      }
    }
    next = b[q] as number;
    q += headerLength;
    if (out.laterFragment) break;
  }
  info.protocol = next;
  out.payloadStart = q < capEnd ? q : capEnd;
  if (next === ESP) {
    issues?.push({ kind: 'unsupported', layer, offset: q, message: 'ESP: payload encrypted' });
  } else if (next === NO_NEXT_HEADER) {
    out.payloadStart = capEnd;
  }
  return true;
}
