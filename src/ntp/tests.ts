/**
 * The packet tests a client applies to each datagram that answers its request, per RFC 5905 §8 (A.5.1.1) and as
 * chrony names them in ntp_core.c (parse_packet, process_response): a pure function over one datagram's bytes.
 *
 *   format  parse_packet: length ≥ 48, a multiple of 4, version 1–4, and what follows the header is exactly
 *           RFC 7822 extension fields and/or one MAC (anything else: "Invalid format", the datagram is dropped)
 *   mode    RFC 5905 §9.2 dispatch table: a client association processes mode 4 (server) only; the rest is DSCRD
 *   test1   duplicate: the same receive and transmit timestamps as the last valid reply
 *   test2   bogus: the origin timestamp is not the transmit timestamp of our request (or this request already
 *           had its one valid answer: chrony "Accept at most one response per request")
 *   test3   invalid: a zero origin, receive or transmit timestamp
 *   test5   authentication: passes when the client does not expect any (the probe sends no key)
 *   test6   unsynchronised server: leap 3, stratum 0 (KoD or unsynchronised) or stratum ≥ 16
 *   test7   bad data: root distance (root delay / 2 + root dispersion) ≥ 16 s (NTP_MAX_DISPERSION)
 *   testA   delay − dispersion ≤ maxdelay (3 s), precision ≤ maxdelay, server interval |T3 − T2| ≤ 4 s
 *   testB   maxdelayratio: off by default in chrony (passes)
 *   testC   maxdelaydevratio: needs the source's sample history; passes until there is one (as in chrony)
 *   testD   synchronisation loop: a stratum > 1 server whose refid is our own address
 *
 * valid = format ∧ mode ∧ test1 ∧ test2 ∧ test3 ∧ test5: the datagram is *the* answer (chrony stops listening);
 * synced = valid ∧ test6 ∧ test7; good = synced ∧ testA..testD: only then does the sample feed an offset.
 * A datagram that is not valid is discarded and the client keeps waiting for the real answer.
 */
import { decodeNtp } from './codec.js';
import { LEAP_ALARM, MAXSTRAT, NTP_HEADER_LENGTH } from './constants.js';
import { ntpDiffSeconds } from './timestamp.js';
import type { NtpTimePacket, NtpTimestamp } from './types.js';
import { readU16, readU32 } from './wire.js';

/** chrony ntp.h NTP_MIN_MAC_LENGTH, NTP_MAX_V4_MAC_LENGTH: key id + MD5 (16) / SHA1 (20) digest (RFC 7822 §7.5). */
export const MIN_MAC_LENGTH = 4 + 16;
export const MAX_V4_MAC_LENGTH = 4 + 20;
/** chrony NTP_MAX_MAC_LENGTH: key id + the longest digest (SHA-512); v1–v3 packets carry no extension fields. */
export const MAX_MAC_LENGTH = 4 + 64;
/** RFC 7822 §3: the shortest extension field; §7.5: the last one, without a MAC after it, needs 28. */
export const MIN_EF_LENGTH = 16;
export const MIN_LAST_EF_LENGTH = 28;
/** chrony sizeof(NTP_Packet): header + NTP_MAX_EXTENSIONS_LENGTH (1024 + the longest MAC). Longer is refused. */
export const MAX_PACKET_LENGTH = NTP_HEADER_LENGTH + 1024 + MAX_MAC_LENGTH;
/** RFC 5905 §7.2 MAXDISP / chrony NTP_MAX_DISPERSION (test7). */
export const MAX_ROOT_DISTANCE = 16;
/** chrony's default `maxdelay` (chrony.conf(5)): 3 s (testA). */
export const DEFAULT_MAX_DELAY = 3;
/** chrony MAX_SERVER_INTERVAL: a server that holds a request longer than 4 s is not trusted (testA). */
export const MAX_SERVER_INTERVAL = 4;

/** What the client knows when a datagram arrives. Times in seconds. */
export interface PacketTestContext {
  /** T1 as sent in our transmit timestamp: the origin a reply must echo (test2). */
  sent: NtpTimestamp;
  /** T4: when this datagram arrived, in the same NTP scale as `sent` (testA). */
  arrived?: NtpTimestamp;
  /** Receive and transmit timestamps of the last valid reply from this server (test1). */
  previous?: { receiveTime: NtpTimestamp; transmitTime: NtpTimestamp };
  /** A valid reply to this request was accepted already: later ones fail test2 (at most one per request). */
  answered?: boolean;
  /** Our clock's precision, log2 s (testA). */
  precision?: number;
  /** chrony `maxdelay` (testA), default 3 s. */
  maxDelay?: number;
  /** The refid our own address would have at a server synchronised to us (testD): IPv4 as is, IPv6 hashed. */
  localRefid?: number;
}

export interface FormatCheck {
  ok: boolean;
  /** Why not, in words: 'length 53 is not a multiple of 4'. */
  problem?: string;
  extensionFields: number;
  macLength: number;
}

export interface PacketTestResult {
  format: FormatCheck;
  /** Decoded when at least the 48-octet header came (even when the format fails: for the transcript). */
  packet?: NtpTimePacket;
  mode: boolean;
  test1: boolean;
  test2: boolean;
  test3: boolean;
  test5: boolean;
  test6: boolean;
  test7: boolean;
  testA: boolean;
  testB: boolean;
  testC: boolean;
  testD: boolean;
  valid: boolean;
  synced: boolean;
  good: boolean;
  /** chrony's `tests` bits as `chronyc ntpdata` prints them ("Total valid … Tests"): 1 = passed, test1 high, testD low. */
  bits: number;
  /** Names of failed tests, in the order above ('format', 'mode', 'duplicate', 'origin-mismatch', …). */
  failed: string[];
}

/**
 * The layout after the header (chrony parse_packet; ntpd ntp_proto.c receive()): v4: nothing, a crypto-NAK (a
 * zero key id alone), or extension fields each ≥ 16 octets, 4-aligned, then optionally one MAC of 20 or 24
 * octets; the last field before the end needs ≥ 28 (RFC 7822 §7.5) — chrony reads 20 or 24 remaining octets as
 * a MAC and refuses a field there of 16. v1–v3: no extension fields, only a MAC.
 */
export function checkFormat(b: Uint8Array): FormatCheck {
  const out: FormatCheck = { ok: false, extensionFields: 0, macLength: 0 };
  const n = b.length;
  if (n < NTP_HEADER_LENGTH) return { ...out, problem: `${n} octets: shorter than the ${NTP_HEADER_LENGTH}-octet header` };
  if (n % 4 !== 0) return { ...out, problem: `length ${n} is not a multiple of 4` };
  if (n > MAX_PACKET_LENGTH) return { ...out, problem: `length ${n} exceeds ${MAX_PACKET_LENGTH} octets` };
  const version = ((b[0] as number) >>> 3) & 7;
  if (version < 1 || version > 4) return { ...out, problem: `version ${version} is not 1–4` };
  let p = NTP_HEADER_LENGTH;
  let remainder = n - p;
  if (remainder === 0) return { ...out, ok: true };
  if (version <= 3) {
    if (remainder < MIN_MAC_LENGTH || remainder > MAX_MAC_LENGTH) {
      return { ...out, problem: `${remainder} octets after an NTPv${version} header are not a MAC (${MIN_MAC_LENGTH}–${MAX_MAC_LENGTH})` };
    }
    return { ...out, ok: true, macLength: remainder };
  }
  if (remainder === 4 && readU32(b, p) === 0) return { ...out, ok: true, macLength: 4 }; // crypto-NAK
  while (remainder > 0) {
    if (remainder === MIN_MAC_LENGTH || remainder === MAX_V4_MAC_LENGTH) return { ...out, ok: true, macLength: remainder };
    if (remainder < MIN_LAST_EF_LENGTH) {
      return { ...out, problem: `${remainder} trailing octets at ${p} are neither an extension field nor a MAC` };
    }
    const length = readU16(b, p + 2);
    if (length < MIN_EF_LENGTH || length % 4 !== 0 || length > remainder) {
      return { ...out, problem: `extension field at ${p} has length ${length} (needs ≥ ${MIN_EF_LENGTH}, a multiple of 4, ≤ ${remainder})` };
    }
    out.extensionFields++;
    p += length;
    remainder -= length;
  }
  return { ...out, ok: true };
}

function same(a: NtpTimestamp, b: NtpTimestamp): boolean {
  return a.seconds === b.seconds && a.fraction === b.fraction;
}

/** Test results as chrony packs them into `tests` (ntp_core.c): test1 is bit 9, testD bit 0. */
function pack(r: Omit<PacketTestResult, 'bits' | 'failed' | 'format' | 'packet' | 'mode' | 'valid' | 'synced' | 'good'>): number {
  const order = [r.test1, r.test2, r.test3, r.test5, r.test6, r.test7, r.testA, r.testB, r.testC, r.testD];
  let bits = 0;
  for (const t of order) bits = (bits << 1) | (t ? 1 : 0);
  return bits;
}

/** The round trip of a reply, chrony style (process_response): delay never below the combined precision. */
export function roundTrip(
  p: NtpTimePacket,
  sent: NtpTimestamp,
  arrived: NtpTimestamp,
  precisionLog2: number,
): { delay: number; dispersion: number; serverInterval: number; precision: number } {
  const precision = 2 ** precisionLog2 + 2 ** p.precision;
  const remote = ntpDiffSeconds(p.transmitTime, p.receiveTime);
  const local = ntpDiffSeconds(arrived, sent);
  const delay = Math.max(Math.abs(local - remote), precision);
  // chrony: dispersion = max(precision, timestamp errors) + skew·interval; the probe has no skew estimate.
  return { delay, dispersion: precision, serverInterval: Math.abs(remote), precision };
}

/** test3's findings (test3Faults): a zero origin, receive or transmit timestamp; a transmit before the receive. */
export const ZERO_ORIGIN = 1;
export const ZERO_RECEIVE = 2;
export const ZERO_TRANSMIT = 4;
export const ZERO_TIMESTAMPS = ZERO_ORIGIN | ZERO_RECEIVE | ZERO_TRANSMIT;
/** Not in chrony's test3: a server cannot transmit before it received (the capture correlator flags it). */
export const RECEIVE_AFTER_TRANSMIT = 8;

/**
 * RFC 5905 §8 test 3 (chrony ntp_core.c test3) on timestamps given as their 32-bit halves, without an object: the
 * faults found, 0 when none. Shared by packetTests (the probe) and the capture's reply tests (src/correlate/).
 */
export function test3Faults(orgSec: number, orgFrac: number, rcvSec: number, rcvFrac: number, xmtSec: number, xmtFrac: number): number {
  let faults = 0;
  if (orgSec === 0 && orgFrac === 0) faults |= ZERO_ORIGIN;
  const zeroReceive = rcvSec === 0 && rcvFrac === 0;
  const zeroTransmit = xmtSec === 0 && xmtFrac === 0;
  if (zeroReceive) faults |= ZERO_RECEIVE;
  if (zeroTransmit) faults |= ZERO_TRANSMIT;
  else if (!zeroReceive && (xmtSec < rcvSec || (xmtSec === rcvSec && xmtFrac < rcvFrac))) faults |= RECEIVE_AFTER_TRANSMIT;
  return faults;
}

/** Every test on one datagram. Never throws: hostile bytes give failed tests, not exceptions. */
export function packetTests(bytes: Uint8Array, ctx: PacketTestContext): PacketTestResult {
  const format = checkFormat(bytes);
  const decoded = bytes.length >= NTP_HEADER_LENGTH ? decodeNtp(bytes).message : undefined;
  const packet = decoded && decoded.kind === 'time' ? (decoded as NtpTimePacket) : undefined;
  const failed: string[] = [];
  if (!format.ok) failed.push('format');
  if (!packet) {
    if (bytes.length >= NTP_HEADER_LENGTH) failed.push('mode');
    const none = { test1: false, test2: false, test3: false, test5: false, test6: false, test7: false, testA: false, testB: false, testC: false, testD: false };
    return { format, mode: false, ...none, valid: false, synced: false, good: false, bits: 0, failed };
  }
  const mode = packet.mode === 4;
  if (!mode) failed.push('mode');
  // Test 1 checks for duplicate packet (chrony: both timestamps equal those of the last valid reply).
  const prev = ctx.previous;
  const test1 = !prev || !same(packet.receiveTime, prev.receiveTime) || !same(packet.transmitTime, prev.transmitTime);
  if (!test1) failed.push('duplicate');
  // Test 2 checks for bogus packet: not an answer to our latest request (also defeats off-path spoofing).
  const test2 = same(packet.originTime, ctx.sent) && !ctx.answered;
  if (!test2) failed.push(ctx.answered && same(packet.originTime, ctx.sent) ? 'already-answered' : 'origin-mismatch');
  // Test 3 checks for invalid timestamps (zero).
  const o = packet.originTime;
  const r = packet.receiveTime;
  const x = packet.transmitTime;
  const faults = test3Faults(o.seconds, o.fraction, r.seconds, r.fraction, x.seconds, x.fraction) & ZERO_TIMESTAMPS;
  const test3 = faults === 0;
  if (!test3) {
    if (faults & ZERO_ORIGIN) failed.push('zero-origin');
    if (faults & ZERO_RECEIVE) failed.push('zero-receive');
    if (faults & ZERO_TRANSMIT) failed.push('zero-transmit');
  }
  // Test 5 checks for authentication failure: the probe expects none, so any MAC or NTS field is ignored.
  const test5 = true;
  // Test 6 checks for unsynchronised server.
  const test6 = packet.leap !== LEAP_ALARM && packet.stratum < MAXSTRAT && packet.stratum !== 0;
  if (!test6) failed.push('unsynchronized');
  // Test 7 checks for bad data: the root distance must be smaller than MAXDISP.
  const test7 = packet.rootDelay / 2 + packet.rootDispersion < MAX_ROOT_DISTANCE;
  if (!test7) failed.push('root-distance');
  const valid = format.ok && mode && test1 && test2 && test3 && test5;
  const synced = valid && test6 && test7;
  // Tests A–D are computed only for a synchronised packet; chrony sets them to 0 otherwise.
  let testA = false;
  let testB = false;
  let testC = false;
  let testD = false;
  if (synced) {
    const maxDelay = ctx.maxDelay ?? DEFAULT_MAX_DELAY;
    if (ctx.arrived) {
      const rt = roundTrip(packet, ctx.sent, ctx.arrived, ctx.precision ?? -20);
      testA = rt.delay - rt.dispersion <= maxDelay && rt.precision <= maxDelay && rt.serverInterval <= MAX_SERVER_INTERVAL;
    }
    if (!testA) failed.push('delay');
    // Test B (maxdelayratio) is off unless configured; test C needs a sample history the probe does not keep.
    testB = true;
    testC = true;
    // Test D: a server synchronised to us would make a loop.
    testD = packet.stratum <= 1 || ctx.localRefid === undefined || packet.refid >>> 0 !== ctx.localRefid >>> 0;
    if (!testD) failed.push('sync-loop');
  }
  const tests = { test1, test2, test3, test5, test6, test7, testA, testB, testC, testD };
  const good = synced && testA && testB && testC && testD;
  return { format, packet, mode, ...tests, valid, synced, good, bits: pack(tests), failed };
}

/** Names of the tests a sample failed that make a datagram "not the answer" (tests 1–3, format, mode). */
export const DISCARD_TESTS: ReadonlySet<string> = new Set(['format', 'mode', 'duplicate', 'origin-mismatch', 'already-answered', 'zero-origin', 'zero-receive', 'zero-transmit']);
