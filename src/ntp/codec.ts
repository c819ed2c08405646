/**
 * The one NTP codec: the capture decoder, the client and the server all use it (dns-packet style:
 * decode / encode / encodingLength, tested by round trip).
 *
 * Layout of modes 1–5: see the diagram in ./types.ts (RFC 5905 §7.3 figure 8); extension fields and MAC in
 * ./extensions.ts; modes 6 and 7 in ./control.ts.
 *
 * decodeNtp never throws. A buffer shorter than a header gives no `message` (but `partial` fields); a datagram
 * cut by the capture's snaplen is `truncated` (gopacket: truncated ≠ malformed); impossible values are
 * 'malformed' issues next to a message that still decoded. Every byte array in the result is a copy.
 */
import {
  controlEncodingLength,
  CONTROL_HEADER_LENGTH,
  decodeControl,
  decodePrivate,
  privateEncodingLength,
  PRIVATE_HEADER_LENGTH,
  writeControl,
  writePrivate,
} from './control.js';
import { NTP_HEADER_LENGTH } from './constants.js';
import { decodeTrailer, trailerEncodingLength, writeTrailer, type Trailer } from './extensions.js';
import type { NtpDecodeIssue, NtpDecodeResult, NtpMessage, NtpPartialHeader, NtpTimePacket } from './types.js';
import {
  issue,
  readI8,
  readShortFormat,
  readTimestamp,
  readU32,
  toShortFormat,
  viewOf,
  writeTimestamp,
  writeU32,
} from './wire.js';

export { extensionName } from './extensions.js';

export interface NtpDecodeOptions {
  /**
   * Octets the datagram had on the wire (UDP length − 8), when more than `length` are known to exist: the
   * buffer was cut by a snaplen or an ICMP quote. Anything missing is then 'truncated', never 'malformed'.
   */
  wireLength?: number;
}

function clampInt(v: number, lo: number, hi: number): number {
  if (!Number.isFinite(v)) return lo;
  v = Math.trunc(v);
  return v < lo ? lo : v > hi ? hi : v;
}

function decodePartial(b: Uint8Array, start: number, end: number): NtpPartialHeader {
  const b0 = b[start] as number;
  const n = end - start;
  const out: NtpPartialHeader = { leap: b0 >>> 6, version: (b0 >>> 3) & 7, mode: b0 & 7, available: n };
  if (out.mode >= 6) {
    if (out.mode === 7) out.leap = 0; // mode 7: those bits are R and M
    return out;
  }
  if (n >= 2) out.stratum = b[start + 1] as number;
  if (n >= 3) out.poll = readI8(b, start + 2);
  if (n >= 4) out.precision = readI8(b, start + 3);
  if (n >= 8) out.rootDelay = readShortFormat(b, start + 4);
  if (n >= 12) out.rootDispersion = readShortFormat(b, start + 8);
  if (n >= 16) out.refid = readU32(b, start + 12);
  if (n >= 24) out.referenceTime = readTimestamp(b, start + 16);
  if (n >= 32) out.originTime = readTimestamp(b, start + 24);
  if (n >= 40) out.receiveTime = readTimestamp(b, start + 32);
  return out;
}

/**
 * A mode 1–5 message whose fixed header is present, its trailer (extension fields, MAC) already decoded. One
 * object literal per message and no intermediate objects: this runs once per NTP frame of a capture.
 */
function decodeTime(
  b: Uint8Array,
  start: number,
  trailer: Trailer | undefined,
  issues: NtpDecodeIssue[],
): Extract<NtpMessage, { kind: 'time' }> {
  const b0 = b[start] as number;
  // The same fields decodePartial reads with readI8/readShortFormat/readTimestamp, through a DataView (see viewOf).
  const v = viewOf(b);
  const message: Extract<NtpMessage, { kind: 'time' }> = {
    kind: 'time',
    leap: b0 >>> 6,
    version: (b0 >>> 3) & 7,
    mode: b0 & 7,
    stratum: b[start + 1] as number,
    poll: v.getInt8(start + 2),
    precision: v.getInt8(start + 3),
    rootDelay: v.getUint32(start + 4) / 65536, // RFC 5905 §6 short format, 16.16
    rootDispersion: v.getUint32(start + 8) / 65536,
    refid: v.getUint32(start + 12),
    referenceTime: { seconds: v.getUint32(start + 16), fraction: v.getUint32(start + 20) },
    originTime: { seconds: v.getUint32(start + 24), fraction: v.getUint32(start + 28) },
    receiveTime: { seconds: v.getUint32(start + 32), fraction: v.getUint32(start + 36) },
    transmitTime: { seconds: v.getUint32(start + 40), fraction: v.getUint32(start + 44) },
    extensions: trailer === undefined ? [] : trailer.extensions,
  };
  if (trailer?.mac !== undefined) message.mac = trailer.mac;
  if (message.mode === 0) {
    issues.push(issue('malformed', 'ntp', start, 'mode 0 is reserved (RFC 5905 §7.3)'));
  }
  if (message.stratum > 16) {
    issues.push(issue('malformed', 'ntp', start + 1, `stratum ${message.stratum} is reserved (RFC 5905 §7.3: 17–255)`));
  }
  return message;
}

/** Decodes b[start, end) of a datagram that had wireEnd − start octets on the wire. */
function decodeInto(b: Uint8Array, start: number, end: number, wireEnd: number, issues: NtpDecodeIssue[]): NtpDecodeResult {
  const have = end - start;
  if (have <= 0) {
    issues.push(issue('truncated', 'ntp', start, 'no NTP octets', NTP_HEADER_LENGTH, 0));
    return { truncated: true, issues };
  }
  const b0 = b[start] as number;
  const version = (b0 >>> 3) & 7;
  const mode = b0 & 7;
  const headerLength = mode === 6 ? CONTROL_HEADER_LENGTH : mode === 7 ? PRIVATE_HEADER_LENGTH : NTP_HEADER_LENGTH;
  if (version === 0 || version > 4) {
    issues.push(issue('malformed', 'ntp', start, `version ${version} is not an NTP version (1–4)`));
  }
  if (have < headerLength) {
    const partial = decodePartial(b, start, end);
    const layer = mode === 6 ? 'ntp.control' : mode === 7 ? 'ntp.private' : 'ntp';
    issues.push(issue('truncated', layer, start, `header needs ${headerLength} octets`, headerLength, have));
    return { truncated: true, issues, partial };
  }
  let truncated: boolean;
  let message: NtpMessage;
  if (mode === 6) {
    const r = decodeControl(b, start, end, wireEnd, issues);
    message = { kind: 'control', ...r.message };
    truncated = r.truncated;
  } else if (mode === 7) {
    message = { kind: 'private', ...decodePrivate(b, start, end) };
    truncated = false;
  } else {
    // Most packets end with the header: no trailer to look at (RFC 7822 fields and the MAC are optional).
    const trailerAt = start + NTP_HEADER_LENGTH;
    const trailer = trailerAt < wireEnd ? decodeTrailer(b, trailerAt, end, wireEnd, issues) : undefined;
    message = decodeTime(b, start, trailer, issues);
    truncated = trailer !== undefined && trailer.truncated;
  }
  if (end < wireEnd) {
    truncated = true;
    let reported = false;
    for (let i = 0; i < issues.length; i++) if ((issues[i] as NtpDecodeIssue).kind === 'truncated') reported = true;
    if (!reported) issues.push(issue('truncated', 'ntp', end, 'datagram cut off', wireEnd - start, have));
  }
  return { truncated, issues, message };
}

/**
 * Decodes the NTP message in bytes[offset, offset + length). Offsets in issues are positions in `bytes`.
 * A `length` reaching past the buffer counts as truncation (the missing octets existed on the wire).
 */
export function decodeNtp(
  bytes: Uint8Array,
  offset = 0,
  length: number = bytes.length - offset,
  options?: NtpDecodeOptions,
): NtpDecodeResult {
  const issues: NtpDecodeIssue[] = [];
  try {
    const start = clampInt(offset, 0, bytes.length);
    const claimed = clampInt(length, 0, Number.MAX_SAFE_INTEGER);
    const end = Math.min(bytes.length, start + claimed);
    let wireEnd = start + claimed;
    if (options?.wireLength !== undefined) {
      const w = start + clampInt(options.wireLength, 0, Number.MAX_SAFE_INTEGER);
      if (w > wireEnd) wireEnd = w;
    }
    return decodeInto(bytes, start, end, wireEnd, issues);
  } catch (err) {
    // Defensive: no input may make the decoder throw across a frame boundary.
    issues.push(issue('malformed', 'ntp', offset, `decoder error: ${(err as Error).message}`));
    return { truncated: false, issues };
  }
}

function timeEncodingLength(msg: NtpTimePacket): number {
  return NTP_HEADER_LENGTH + trailerEncodingLength(msg.extensions, msg.mac);
}

export function ntpEncodingLength(msg: NtpMessage): number {
  switch (msg.kind) {
    case 'time':
      return timeEncodingLength(msg);
    case 'control':
      return controlEncodingLength(msg);
    case 'private':
      return privateEncodingLength(msg);
  }
}

function writeTime(b: Uint8Array, p: number, msg: NtpTimePacket): number {
  b[p] = ((msg.leap & 3) << 6) | ((msg.version & 7) << 3) | (msg.mode & 7);
  b[p + 1] = msg.stratum & 0xff;
  b[p + 2] = msg.poll & 0xff;
  b[p + 3] = msg.precision & 0xff;
  writeU32(b, p + 4, toShortFormat(msg.rootDelay));
  writeU32(b, p + 8, toShortFormat(msg.rootDispersion));
  writeU32(b, p + 12, msg.refid >>> 0);
  writeTimestamp(b, p + 16, msg.referenceTime);
  writeTimestamp(b, p + 24, msg.originTime);
  writeTimestamp(b, p + 32, msg.receiveTime);
  writeTimestamp(b, p + 40, msg.transmitTime);
  return writeTrailer(b, p + NTP_HEADER_LENGTH, msg.extensions, msg.mac);
}

/**
 * Encodes msg into target at offset (a new buffer when no target is given) and returns the written bytes
 * (a view of target). Throws RangeError when target is too small: encoding is the caller's own data.
 * Extension `length` and control `count` are recomputed from the bodies, with zero padding.
 */
export function encodeNtp(msg: NtpMessage, target?: Uint8Array, offset = 0): Uint8Array {
  const len = ntpEncodingLength(msg);
  const b = target ?? new Uint8Array(len);
  if (!Number.isInteger(offset) || offset < 0 || offset + len > b.length) {
    throw new RangeError(`encodeNtp: need ${len} octets at offset ${offset}, buffer has ${b.length}`);
  }
  let end: number;
  switch (msg.kind) {
    case 'time':
      end = writeTime(b, offset, msg);
      break;
    case 'control':
      end = writeControl(b, offset, msg);
      break;
    case 'private':
      end = writePrivate(b, offset, msg);
      break;
  }
  return b.subarray(offset, end);
}
