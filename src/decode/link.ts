/**
 * The link layer of decodeFrame: the header locator's walk (./locate.ts, which knows every link type and tag)
 * turned into a LinkInfo and, when it fails, one issue. Nothing here reads a link header itself.
 */
import { readU16 } from '../ntp/wire.js';
import {
  ETHERTYPE_ARP,
  LINK_AF_NOT_IP,
  LINK_LLC,
  LINK_NOT_IP,
  LINK_SLL2_NOT_IP,
  LINK_TRUNCATED,
  Located,
  locateLink,
  TRUNCATED_WHAT,
} from './locate.js';
import type { DecodeIssue, LinkInfo } from './types.js';

export {
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  LINKTYPE_ETHERNET,
  LINKTYPE_IPV4,
  LINKTYPE_IPV6,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_LOOP,
  LINKTYPE_NULL,
  LINKTYPE_RAW,
} from './locate.js';

function etherTypeName(t: number): string {
  return t === ETHERTYPE_ARP ? 'ARP' : `0x${t.toString(16).padStart(4, '0')}`;
}

/** The one issue of a failed link walk. */
function linkIssue(h: Located, linkType: number): DecodeIssue {
  const offset = h.failAt;
  const v = h.failValue;
  switch (h.link) {
    case LINK_TRUNCATED:
      return { kind: 'truncated', layer: 'link', offset, need: h.failNeed, have: h.failHave, message: `${TRUNCATED_WHAT[h.failWhat] ?? 'header'} cut off` };
    case LINK_LLC:
      return { kind: 'unsupported', layer: 'link', offset, message: `802.3 length field ${v} (LLC frame), not IP` };
    case LINK_NOT_IP:
      return { kind: 'unsupported', layer: 'link', offset, message: `EtherType ${etherTypeName(v)} is not IP` };
    case LINK_SLL2_NOT_IP:
      return { kind: 'unsupported', layer: 'link', offset, message: `SLL2 protocol ${etherTypeName(v)} is not IP` };
    case LINK_AF_NOT_IP:
      return { kind: 'unsupported', layer: 'link', offset, message: `address family ${v} is not IP` };
    default:
      return { kind: 'unsupported', layer: 'link', offset, message: `link type ${linkType} is not supported` };
  }
}

/** decodeLink's locator record, reused (decodeFrame is not re-entrant). */
const located = new Located();

/**
 * Decodes the link header of the frame `b[s, end)` for `link.linkType`, filling `link`. Returns where the IP
 * header starts (an index into `b`), or -1 after pushing an issue. Issue offsets are indexes into `b`.
 */
export function decodeLink(b: Uint8Array, s: number, end: number, link: LinkInfo, issues: DecodeIssue[]): number {
  const h = located;
  const ok = locateLink(b, s, end, link.linkType, h);
  if (h.ifIndex >= 0) link.ifIndex = h.ifIndex;
  if (h.packetType >= 0) link.packetType = h.packetType;
  // Tags are collected even when the walk fails after them (the frame's link info says what was there).
  if (h.vlanCount > 0) {
    const vlans: number[] = (link.vlans = []);
    for (let i = 0; i < h.vlanCount; i++) vlans.push(readU16(b, h.vlanAt + 4 * i) & 0x0fff);
  }
  if (!ok) {
    issues.push(linkIssue(h, link.linkType));
    return -1;
  }
  return h.ipAt;
}
