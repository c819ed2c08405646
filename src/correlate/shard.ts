/**
 * Which shard a frame belongs to when analysis is split across threads (src/parallel/): every frame the
 * Correlator would put on a client↔server path goes to the shard of that path, so each path is whole in one
 * shard and its exchanges come out exactly as a single thread would make them. Everything else (control
 * modes 6/7, symmetric and broadcast modes, non-NTP UDP, frames that decode to nothing) goes to shard 0.
 *
 * The path of a frame is the Correlator's (./correlator.ts feed): a mode 3 request is (src, dst, dst port), a
 * mode 4 reply (dst, src, src port), an ICMP error the quoted request's (src, dst, dst port). The key hashes the
 * addresses' octets; a decoded frame's address text is parsed back to them (the decoder's text is canonical, one
 * text per address), so the byte fast path and the decoded-frame path (frameShard) agree.
 *
 * Fast path (`recordShard`): Ethernet without VLAN tags, Linux SLL/SLL2, raw IP; IPv4 unfragmented or IPv6 with
 * UDP right after the fixed header — a few octets read, no decode. It returns UNDECIDED for anything else (ICMP,
 * VLAN tags, fragments, extension headers, short headers), and the caller decodes the frame and asks frameShard.
 */
import { isNtpPortPair } from '../decode/icmp.js';
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6, LINKTYPE_ETHERNET, LINKTYPE_IPV4, LINKTYPE_IPV6, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, LINKTYPE_RAW } from '../decode/link.js';
import type { DecodedFrame } from '../decode/types.js';
import { parseAddress } from '../inspect/ip.js';
import { readU16, readU32 } from '../ntp/wire.js';

export const UNDECIDED = -1;
const IPPROTO_UDP = 17;
/** RFC 5905 §7.3 modes: client 3, server 4. */
const MODE_CLIENT = 3;
const MODE_SERVER = 4;

/** A 32-bit hash of an address's octets, read as 32-bit big-endian words (one for IPv4, four for IPv6). */
function addressHash(version: 4 | 6, w0: number, w1: number, w2: number, w3: number): number {
  if (version === 4) return Math.imul(w0 ^ 0x2545f491, 0x9e3779b1);
  let h = Math.imul(w0 ^ 0x6a09e667, 0x9e3779b1);
  h = Math.imul(h ^ w1, 0x85ebca6b);
  h = Math.imul(h ^ w2, 0xc2b2ae35);
  return Math.imul(h ^ w3, 0x9e3779b1);
}

/** addressHash of the address at b[p] (4 or 16 octets). */
function octetsHash(b: Uint8Array, p: number, version: 4 | 6): number {
  return version === 4 ? addressHash(4, readU32(b, p), 0, 0, 0) : addressHash(6, readU32(b, p), readU32(b, p + 4), readU32(b, p + 8), readU32(b, p + 12));
}

/** addressHash of an address's text (the decoder's canonical text: a decoded frame has no octets left). */
function textHash(text: string): number {
  let h = textHashes.get(text);
  if (h !== undefined) return h;
  const a = parseAddress(text);
  if (a === undefined) h = 0;
  else if (a.family === 4) h = addressHash(4, Number(a.value), 0, 0, 0);
  else {
    const value = a.value;
    const word = (shift: bigint) => Number((value >> shift) & 0xffffffffn);
    h = addressHash(6, word(96n), word(64n), word(32n), word(0n));
  }
  if (textHashes.size >= 1 << 16) textHashes.clear(); // bounded; only frames off the fast path come here
  textHashes.set(text, h);
  return h;
}

/** textHash memo: the decoder interns address texts, so a lookup is one probe. */
const textHashes = new Map<string, number>();

/** The shard of the path with these address hashes and server port among `shards`. */
function shardOf(clientHash: number, serverHash: number, serverPort: number, shards: number): number {
  let h = Math.imul(clientHash ^ (serverHash >>> 7), 0x85ebca6b) ^ serverHash;
  h = Math.imul(h ^ serverPort, 0xc2b2ae35);
  h ^= h >>> 15;
  return (h >>> 0) % shards;
}

/** The shard of the client↔server path (client, server, serverPort) among `shards`, from the addresses' text. */
export function pathShard(client: string, server: string, serverPort: number, shards: number): number {
  return shardOf(textHash(client), textHash(server), serverPort, shards);
}

/** The shard of a decoded frame: the Correlator's path for it (see feed, onIcmp), else 0. */
export function frameShard(f: DecodedFrame, shards: number): number {
  const icmp = f.icmp;
  if (icmp !== undefined) {
    const q = icmp.quoted;
    if (!icmp.isError || q === undefined || q.protocol !== IPPROTO_UDP || q.srcPort === undefined || q.dstPort === undefined) return 0;
    const m = q.ntp?.message;
    if (q.dstPort !== 123 && !(m?.kind === 'time' && m.mode === MODE_CLIENT)) return 0;
    return pathShard(q.src, q.dst, q.dstPort, shards);
  }
  const ip = f.ip;
  const udp = f.udp;
  const m = f.ntp?.message;
  if (ip === undefined || udp === undefined || m === undefined || m.kind !== 'time') return 0;
  if (m.mode === MODE_CLIENT) return pathShard(ip.src, ip.dst, udp.dstPort, shards);
  if (m.mode === MODE_SERVER) return pathShard(ip.dst, ip.src, udp.srcPort, shards);
  return 0;
}

/**
 * The shard of the frame b[start, end) from its header octets, or UNDECIDED when only a full decode can tell.
 * Agrees with frameShard(decodeFrame(...)) on every frame the Correlator puts on a path (test/correlate/shard.test.ts).
 */
export function recordShard(b: Uint8Array, start: number, end: number, linkType: number, shards: number): number {
  let ipAt: number;
  switch (linkType) {
    case LINKTYPE_ETHERNET: {
      if (end - start < 14) return UNDECIDED;
      const type = readU16(b, start + 12);
      if (type !== ETHERTYPE_IPV4 && type !== ETHERTYPE_IPV6) return UNDECIDED;
      ipAt = start + 14;
      break;
    }
    case LINKTYPE_LINUX_SLL:
      if (end - start < 16) return UNDECIDED;
      ipAt = start + 16;
      if (readU16(b, start + 14) !== ETHERTYPE_IPV4 && readU16(b, start + 14) !== ETHERTYPE_IPV6) return UNDECIDED;
      break;
    case LINKTYPE_LINUX_SLL2:
      if (end - start < 20) return UNDECIDED;
      if (readU16(b, start) !== ETHERTYPE_IPV4 && readU16(b, start) !== ETHERTYPE_IPV6) return UNDECIDED;
      ipAt = start + 20;
      break;
    case LINKTYPE_RAW:
    case 12:
    case 14:
    case LINKTYPE_IPV4:
    case LINKTYPE_IPV6:
      ipAt = start;
      break;
    default:
      return UNDECIDED;
  }
  if (end - ipAt < 1) return UNDECIDED;
  const version = (b[ipAt] as number) >>> 4;
  let udpAt: number;
  let srcAt: number;
  if (version === 4) {
    if (end - ipAt < 20) return UNDECIDED;
    const headerLength = ((b[ipAt] as number) & 0x0f) * 4;
    if (headerLength < 20 || end - ipAt < headerLength) return UNDECIDED;
    if ((readU16(b, ipAt + 6) & 0x3fff) !== 0) return UNDECIDED; // a fragment
    if (b[ipAt + 9] !== IPPROTO_UDP) return UNDECIDED;
    udpAt = ipAt + headerLength;
    srcAt = ipAt + 12;
  } else if (version === 6) {
    if (end - ipAt < 40 || b[ipAt + 6] !== IPPROTO_UDP) return UNDECIDED;
    udpAt = ipAt + 40;
    srcAt = ipAt + 8;
  } else return UNDECIDED;
  // The mode octet must be there; otherwise no message decodes and the Correlator ignores the frame anyway.
  if (end - udpAt < 9) return UNDECIDED;
  const srcPort = readU16(b, udpAt);
  const dstPort = readU16(b, udpAt + 2);
  if (!isNtpPortPair(srcPort, dstPort, undefined)) return 0;
  const mode = (b[udpAt + 8] as number) & 7;
  if (mode !== MODE_CLIENT && mode !== MODE_SERVER) return 0;
  const src = octetsHash(b, srcAt, version);
  const dst = octetsHash(b, srcAt + (version === 4 ? 4 : 16), version);
  return mode === MODE_CLIENT ? shardOf(src, dst, dstPort, shards) : shardOf(dst, src, srcPort, shards);
}
