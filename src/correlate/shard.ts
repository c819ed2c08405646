/**
 * Which shard a frame belongs to when analysis is split across threads (src/parallel/): every frame the
 * Correlator would put on a client↔server path goes to the shard of that path, so each path is whole in one
 * shard and its exchanges come out exactly as a single thread would make them. Everything else (control
 * modes 6/7, broadcast mode 5, non-NTP UDP, frames that decode to nothing) goes to shard 0.
 *
 * The path of a frame is the Correlator's (./correlator.ts feed): a mode 3 or 1 request is (src, dst, dst port), a
 * mode 4 or 2 reply (dst, src, src port), an ICMP error the quoted request's (src, dst, dst port). A path is named by a
 * hash of the addresses' octets and the port; a decoded frame's address text is parsed back to its octets (the
 * decoder's text is canonical, one text per address), so the byte fast path and the decoded-frame path agree.
 *
 * Paths are dealt to shards in turn, in the order they first appear (ShardRouter): every shard reads every frame
 * in the same order, so every shard deals the same way without talking to the others — and a capture of a few
 * busy paths is split evenly, which hashing to shards does not do.
 *
 * Fast path (`recordPathHash`): any link the header locator knows (src/decode/locate.ts); IPv4 unfragmented or
 * IPv6 with UDP right after the fixed header — a few octets read, no decode. It says UNDECIDED for anything else
 * (ICMP, fragments, extension headers, short or malformed headers), and the caller decodes the frame and asks
 * framePathHash.
 */
import { isNtpPortPair } from '../decode/icmp.js';
import { IP_OK, IPPROTO_UDP, Located, locate } from '../decode/locate.js';
import type { DecodedFrame } from '../decode/types.js';
import { parseAddress } from '../net/ip.js';
import { readU16 } from '../ntp/wire.js';

export const UNDECIDED = -1;
/** RFC 5905 §7.3 modes: client 3, server 4. */
const MODE_CLIENT = 3;
const MODE_SERVER = 4;
/** RFC 5905 §9.2: symmetric active 1 is a request, symmetric passive 2 its reply (Correlator.onSymmetric). */
const MODE_ACTIVE = 1;
const MODE_PASSIVE = 2;

/** One step of the address hash: the 16-bit word `w` (SMI arithmetic only: no heap numbers per frame). */
function mix(h: number, w: number): number {
  return Math.imul(h ^ w, 0x9e3779b1) ^ (h >>> 15);
}

/** The hash of the address at b[p]: its 16-bit big-endian words (2 for IPv4, 8 for IPv6). */
function octetsHash(b: Uint8Array, p: number, version: 4 | 6): number {
  if (version === 4) return mix(mix(0x2545f491, readU16(b, p)), readU16(b, p + 2));
  let h = 0x6a09e667;
  for (let i = 0; i < 16; i += 2) h = mix(h, readU16(b, p + i));
  return h;
}

/** octetsHash of an address's text (the decoder's canonical text: a decoded frame has no octets left). */
function textHash(text: string): number {
  let h = textHashes.get(text);
  if (h !== undefined) return h;
  const a = parseAddress(text);
  if (a === undefined) h = 0;
  else {
    const words = a.family === 4 ? 2 : 8;
    h = a.family === 4 ? 0x2545f491 : 0x6a09e667;
    for (let i = words - 1; i >= 0; i--) h = mix(h, Number((a.value >> BigInt(16 * i)) & 0xffffn));
  }
  if (textHashes.size >= 1 << 16) textHashes.clear(); // bounded; only frames off the fast path come here
  textHashes.set(text, h);
  return h;
}

/** textHash memo: the decoder interns address texts, so a lookup is one probe. */
const textHashes = new Map<string, number>();

/** The hash of the path (client, server, serverPort) from its addresses' hashes: 30 bits, a small integer to V8. */
function pathHash(clientHash: number, serverHash: number, serverPort: number): number {
  let h = Math.imul(clientHash ^ (serverHash >>> 7), 0x85ebca6b) ^ serverHash;
  h = Math.imul(h ^ serverPort, 0xc2b2ae35);
  return (h ^ (h >>> 15)) & 0x3fffffff;
}

/** framePathHash/recordPathHash: the frame is on no client↔server path (shard 0 takes it). */
export const NO_PATH = -2;

/** The path hash of a decoded frame: the Correlator's path for it (see feed, onIcmp), else NO_PATH. */
export function framePathHash(f: DecodedFrame): number {
  const icmp = f.icmp;
  if (icmp !== undefined) {
    const q = icmp.quoted;
    if (!icmp.isError || q === undefined || q.protocol !== IPPROTO_UDP || q.srcPort === undefined || q.dstPort === undefined) return NO_PATH;
    const m = q.ntp?.message;
    if (q.dstPort !== 123 && !(m?.kind === 'time' && m.mode === MODE_CLIENT)) return NO_PATH;
    return pathHash(textHash(q.src), textHash(q.dst), q.dstPort);
  }
  const ip = f.ip;
  const udp = f.udp;
  const m = f.ntp?.message;
  if (ip === undefined || udp === undefined || m === undefined || m.kind !== 'time') return NO_PATH;
  if (m.mode === MODE_CLIENT || m.mode === MODE_ACTIVE) return pathHash(textHash(ip.src), textHash(ip.dst), udp.dstPort);
  if (m.mode === MODE_SERVER || m.mode === MODE_PASSIVE) return pathHash(textHash(ip.dst), textHash(ip.src), udp.srcPort);
  return NO_PATH;
}

/**
 * The path hash of the frame b[start, end) from its header octets: NO_PATH for NTP that is on no path, UNDECIDED
 * when only a full decode can tell. Agrees with framePathHash(decodeFrame(...)) on every frame the Correlator puts
 * on a path (test/parallel/shard.test.ts).
 */
export function recordPathHash(b: Uint8Array, start: number, end: number, linkType: number): number {
  locate(b, start, end, linkType, located);
  return locatedPathHash(b, end, located);
}

/** recordPathHash's locator record, reused. */
const located = new Located();

/** recordPathHash on a frame the caller has located already (`h`): no second walk of its headers. */
export function locatedPathHash(b: Uint8Array, end: number, h: Located): number {
  // A whole IP header, not a fragment, UDP right after it (an IPv6 extension header is a next header ≠ UDP).
  if (h.ip !== IP_OK || h.fragment || h.protocol !== IPPROTO_UDP) return UNDECIDED;
  const udpAt = h.l4At;
  const srcAt = h.srcAt;
  const version = h.version === 4 ? 4 : 6;
  // The mode octet must be there; otherwise no message decodes and the Correlator ignores the frame anyway.
  if (end - udpAt < 9) return UNDECIDED;
  const srcPort = readU16(b, udpAt);
  const dstPort = readU16(b, udpAt + 2);
  if (!isNtpPortPair(srcPort, dstPort, undefined)) return NO_PATH;
  const mode = (b[udpAt + 8] as number) & 7;
  if (mode !== MODE_CLIENT && mode !== MODE_SERVER && mode !== MODE_ACTIVE && mode !== MODE_PASSIVE) return NO_PATH;
  const src = octetsHash(b, srcAt, version);
  const dst = octetsHash(b, srcAt + h.addrLength, version);
  return mode === MODE_CLIENT || mode === MODE_ACTIVE ? pathHash(src, dst, dstPort) : pathHash(dst, src, srcPort);
}

/**
 * Deals paths to `count` shards in turn as they first appear. Every shard of a capture runs one over every frame in
 * file order, so all of them deal alike. Holds one entry per path (the state analysis keeps per path anyway).
 */
export class ShardRouter {
  private readonly table = new Map<number, number>();
  private next = 0;

  constructor(readonly count: number) {}

  /** The shard of a path hash (NO_PATH: shard 0). UNDECIDED is not a path: the caller decodes first. */
  shardOf(hash: number): number {
    if (hash === NO_PATH) return 0;
    let shard = this.table.get(hash);
    if (shard === undefined) {
      shard = this.next;
      this.next = shard + 1 === this.count ? 0 : shard + 1;
      this.table.set(hash, shard);
    }
    return shard;
  }
}
