/**
 * The upper layer behind IPv6 extension headers (RFC 8200 §4), for readers that work on a located frame
 * (./locate.ts) and must see through them: the NTS-KE tracker (TCP 4460 and ICMPv6 errors quoting it) and the
 * NTS extension-field counter (UDP 123). The header locator itself stops at the fixed header on purpose — the fast
 * paths decline such a frame, and this walk runs only on the slow path, for a frame whose first next header is an
 * extension header.
 *
 * Walked: hop-by-hop options (0), routing (43), destination options (60) — next(1) length(1, 8-octet units beyond
 * the first 8) — and AH (51, RFC 4302 §2.2: length in 4-octet units minus 2). A fragment header (44, §4.5) ends
 * the walk with `fragment` set, whatever its offset: a later fragment has no upper-layer header, and a first one
 * holds only part of the segment (its ports and flags, but not the length the IP header states for the whole of
 * it), so a TCP reader declines it as it declines an IPv4 fragment. The datagram decoder (./ipv6.ts) goes on past
 * a first fragment; this walk does not.
 */
import { IP_OK, type Located } from './locate.js';

const HOP_BY_HOP = 0;
const ROUTING = 43;
const FRAGMENT = 44;
const AH = 51;
const DESTINATION_OPTIONS = 60;

/** More headers than any real packet carries (RFC 8200 §4.1 recommends each at most once, two for destination options). */
const MAX_EXTENSION_HEADERS = 8;

/** True for a next-header value this walk steps over or stops at (one compare chain, no table). */
export function isIpv6Extension(next: number): boolean {
  return next === HOP_BY_HOP || next === DESTINATION_OPTIONS || next === ROUTING || next === FRAGMENT || next === AH;
}

/**
 * `h` (an IPv6 frame located IP_OK whose next header is an extension header) copied into `out` with `protocol`,
 * `l4At` and `headerLength` moved past the extension headers, so that `out.ipLength - out.headerLength` is the
 * upper layer's length as the header states it. False when the chain is cut short by the capture, runs past the
 * stated datagram, or is longer than MAX_EXTENSION_HEADERS; `out.fragment` is set at a fragment header (see above).
 */
export function locateBehindExtensions(b: Uint8Array, end: number, h: Located, out: Located): boolean {
  if (h.ip !== IP_OK || h.version !== 6) return false;
  out.link = h.link;
  out.ipAt = h.ipAt;
  out.packetType = h.packetType;
  out.ifIndex = h.ifIndex;
  out.ip = h.ip;
  out.version = 6;
  out.ipLength = h.ipLength;
  out.srcAt = h.srcAt;
  out.addrLength = h.addrLength;
  out.fragment = false;
  const wireEnd = h.ipAt + h.ipLength;
  let next = h.protocol;
  let q = h.l4At;
  for (let n = 0; isIpv6Extension(next); n++) {
    if (next === FRAGMENT) {
      if (end - q < 8) return false;
      out.fragment = true;
      q += 8;
      next = b[q - 8] as number;
      break;
    }
    if (n === MAX_EXTENSION_HEADERS || end - q < 2) return false;
    const length = next === AH ? ((b[q + 1] as number) + 2) * 4 : ((b[q + 1] as number) + 1) * 8;
    if (q + length > wireEnd || q + length > end) return false;
    next = b[q] as number;
    q += length;
  }
  out.protocol = next;
  out.l4At = q;
  out.headerLength = q - h.ipAt;
  return true;
}

/**
 * Where the `protocol` header of a located frame starts: `h.l4At` when the fixed header names it, else (IPv6) behind
 * the extension headers, walked into `scratch`; -1 when it is not there. For slow-path readers only.
 */
export function upperLayerAt(b: Uint8Array, end: number, h: Located, protocol: number, scratch: Located): number {
  if (h.protocol === protocol) return h.l4At;
  if (h.version !== 6 || !isIpv6Extension(h.protocol) || !locateBehindExtensions(b, end, h, scratch)) return -1;
  return scratch.protocol === protocol ? scratch.l4At : -1;
}
