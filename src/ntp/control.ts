/**
 * Mode 6 (control, ntpq) and mode 7 (private, ntpdc) messages. Neither is a time packet; a server that
 * answers them from the network is a finding (mode 7 monlist: CVE-2013-5211).
 *
 * Mode 6, RFC 9327 §2 (formerly RFC 1305 appendix B):
 *  0                   1                   2                   3
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |LI | VN  |Mode |R|E|M| OpCode  |        Sequence Number        |
 *  |            Status             |        Association ID         |
 *  |            Offset             |            Count              |
 *  .              Data (Count octets, padded to 32 bits)           .
 *  .        [padding to 64 bits] Key Identifier + MAC (optional)   .
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Mode 7, classic ntpd include/ntp_request.h (struct req_pkt / resp_pkt):
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |R|M| VN  |Mode |A|  Sequence   | Implementation|  Request Code |
 *  |  Err  |   Number of items     |  MBZ  |     Item size         |
 *  .                 Data (items; request: + timestamp, key, MAC)  .
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
import type { NtpControlMessage, NtpDecodeIssue, NtpMac, NtpPrivateMessage } from './types.js';
import { copyBytes, issue, readU16, readU32, writeU16, writeU32 } from './wire.js';

export const CONTROL_HEADER_LENGTH = 12;
export const PRIVATE_HEADER_LENGTH = 8;

function isMacLength(n: number): boolean {
  return n === 20 || n === 24;
}

function allZero(b: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (b[i] !== 0) return false;
  return true;
}

/** `start` is where the message begins; the caller checked that 12 octets are present. */
export function decodeControl(
  b: Uint8Array,
  start: number,
  end: number,
  wireEnd: number,
  issues: NtpDecodeIssue[],
): { message: NtpControlMessage; truncated: boolean } {
  const b0 = b[start] as number;
  const b1 = b[start + 1] as number;
  const count = readU16(b, start + 10);
  const dataStart = start + CONTROL_HEADER_LENGTH;
  let truncated = false;
  let dataEnd = dataStart + count;
  if (dataEnd > wireEnd) {
    // Never trust Count beyond the datagram.
    issues.push(
      issue('malformed', 'ntp.control', start + 10, `count ${count} exceeds the datagram`, count, wireEnd - dataStart),
    );
    dataEnd = wireEnd;
  }
  if (dataEnd > end) {
    truncated = true;
    issues.push(issue('truncated', 'ntp.control', dataStart, 'control data cut off', dataEnd - dataStart, end - dataStart));
    dataEnd = end;
  }
  const message: NtpControlMessage = {
    leap: b0 >>> 6,
    version: (b0 >>> 3) & 7,
    mode: 6,
    response: (b1 & 0x80) !== 0,
    error: (b1 & 0x40) !== 0,
    more: (b1 & 0x20) !== 0,
    opcode: b1 & 0x1f,
    sequence: readU16(b, start + 2),
    status: readU16(b, start + 4),
    associationId: readU16(b, start + 6),
    offset: readU16(b, start + 8),
    count,
    data: copyBytes(b, dataStart, dataEnd),
  };
  if (dataStart + count < wireEnd) {
    // After the data: zero padding to 32 bits, then (authenticated) padding to 64 bits + key id + digest
    // (ntpd ntp_control.c ctl_flushpkt, ntpq.c sendrequest).
    const rel = CONTROL_HEADER_LENGTH + count;
    const at4 = start + ((rel + 3) & ~3);
    const at8 = start + ((rel + 7) & ~7);
    const macAt = isMacLength(wireEnd - at8) ? at8 : isMacLength(wireEnd - at4) ? at4 : -1;
    if (macAt >= 0) {
      if (end - macAt >= 4) {
        const mac: NtpMac = { keyId: readU32(b, macAt), digest: copyBytes(b, macAt + 4, end) };
        message.mac = mac;
      }
      if (end < wireEnd) truncated = true;
    } else if (end >= wireEnd && !allZero(b, dataStart + count, wireEnd)) {
      issues.push(
        issue('malformed', 'ntp.control', dataStart + count, `${wireEnd - dataStart - count} unexpected octets after the data`),
      );
    } else if (end < wireEnd) {
      truncated = true;
    }
  }
  return { message, truncated };
}

export function controlEncodingLength(msg: NtpControlMessage): number {
  const rel = CONTROL_HEADER_LENGTH + msg.data.length;
  if (msg.mac === undefined) return (rel + 3) & ~3;
  return ((rel + 7) & ~7) + 4 + msg.mac.digest.length;
}

export function writeControl(b: Uint8Array, start: number, msg: NtpControlMessage): number {
  b[start] = ((msg.leap & 3) << 6) | ((msg.version & 7) << 3) | 6;
  b[start + 1] = (msg.response ? 0x80 : 0) | (msg.error ? 0x40 : 0) | (msg.more ? 0x20 : 0) | (msg.opcode & 0x1f);
  writeU16(b, start + 2, msg.sequence);
  writeU16(b, start + 4, msg.status);
  writeU16(b, start + 6, msg.associationId);
  writeU16(b, start + 8, msg.offset);
  // Count is what the data holds: a message built by hand cannot claim more than it carries.
  writeU16(b, start + 10, msg.data.length);
  b.set(msg.data, start + CONTROL_HEADER_LENGTH);
  const rel = CONTROL_HEADER_LENGTH + msg.data.length;
  const padded = msg.mac === undefined ? (rel + 3) & ~3 : (rel + 7) & ~7;
  b.fill(0, start + rel, start + padded);
  let p = start + padded;
  if (msg.mac !== undefined) {
    writeU32(b, p, msg.mac.keyId >>> 0);
    b.set(msg.mac.digest, p + 4);
    p += 4 + msg.mac.digest.length;
  }
  return p;
}

/** Mode 7 has no leap indicator: those two bits are R and M; `leap` is reported as 0. */
export function decodePrivate(b: Uint8Array, start: number, end: number): NtpPrivateMessage {
  const b0 = b[start] as number;
  const b1 = b[start + 1] as number;
  const errItems = readU16(b, start + 4);
  return {
    leap: 0,
    version: (b0 >>> 3) & 7,
    mode: 7,
    response: (b0 & 0x80) !== 0,
    more: (b0 & 0x40) !== 0,
    authenticated: (b1 & 0x80) !== 0,
    sequence: b1 & 0x7f,
    implementation: b[start + 2] as number,
    requestCode: b[start + 3] as number,
    errorCode: errItems >>> 12,
    itemCount: errItems & 0xfff,
    itemSize: readU16(b, start + 6) & 0xfff,
    data: copyBytes(b, start + PRIVATE_HEADER_LENGTH, end),
  };
}

export function privateEncodingLength(msg: NtpPrivateMessage): number {
  return PRIVATE_HEADER_LENGTH + (msg.data?.length ?? 0);
}

export function writePrivate(b: Uint8Array, start: number, msg: NtpPrivateMessage): number {
  b[start] = (msg.response ? 0x80 : 0) | (msg.more ? 0x40 : 0) | ((msg.version & 7) << 3) | 7;
  b[start + 1] = (msg.authenticated ? 0x80 : 0) | (msg.sequence & 0x7f);
  b[start + 2] = msg.implementation & 0xff;
  b[start + 3] = msg.requestCode & 0xff;
  writeU16(b, start + 4, (((msg.errorCode ?? 0) & 0xf) << 12) | (msg.itemCount & 0xfff));
  writeU16(b, start + 6, msg.itemSize & 0xfff);
  let p = start + PRIVATE_HEADER_LENGTH;
  if (msg.data !== undefined) {
    b.set(msg.data, p);
    p += msg.data.length;
  }
  return p;
}
