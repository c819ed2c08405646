/**
 * What follows the 48-octet header of a mode 1–5 packet: RFC 7822 extension fields, then an optional MAC.
 *
 *  0                   1                   2                   3
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |          Field Type           |            Length             |   RFC 7822 §3: Length counts the
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+   whole field, ≥ 16, multiple of 4
 *  .                    Value (padded to 4 octets)                 .
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                 Key Identifier (MAC, optional)                |   RFC 5905 §7.3: key id + MD5 (16)
 *  |                     Message Digest (16 or 20)                 |   or SHA1 (20) digest
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Telling a MAC from an extension field (RFC 7822 §7.5, ntpd's ntp_proto.c): whatever remains after the fields
 * is a MAC when it is exactly 20 or 24 octets (key id + MD5/SHA1), 4 octets (the legacy crypto-NAK: a key id
 * alone, 0) or 12 (RFC 1305's DES MAC). Otherwise it is an extension field if its header allows. RFC 7822
 * requires the last field of a packet without a MAC to be ≥ 28 octets precisely so that this is unambiguous.
 */
import type { NtpDecodeIssue, NtpExtensionField, NtpMac } from './types.js';
import { copyBytes, issue, readU16, readU32, writeU16, writeU32 } from './wire.js';

/** RFC 8915 §5.7 NTS extension field types. */
export const NTS_UNIQUE_IDENTIFIER = 0x0104;
export const NTS_COOKIE = 0x0204;
export const NTS_COOKIE_PLACEHOLDER = 0x0304;
export const NTS_AUTHENTICATOR = 0x0404;
/** RFC 7821 Checksum Complement. */
export const CHECKSUM_COMPLEMENT = 0x2005;

/** RFC 7822 §3: the smallest extension field. */
export const MIN_EXTENSION_LENGTH = 16;

const AUTOKEY_CODES = [
  'No-Operation',
  'Association Message',
  'Certificate Message',
  'Cookie Message',
  'Autokey Message',
  'Leapseconds Value Message',
  'Sign Message',
  'IFF Identity Message',
  'GQ Identity Message',
  'MV Identity Message',
];

/** Human name of an extension field type (IANA "NTP Extension Field Types" registry). */
export function extensionName(fieldType: number): string {
  switch (fieldType) {
    case NTS_UNIQUE_IDENTIFIER:
      return 'NTS Unique Identifier';
    case NTS_COOKIE:
      return 'NTS Cookie';
    case NTS_COOKIE_PLACEHOLDER:
      return 'NTS Cookie Placeholder';
    case NTS_AUTHENTICATOR:
      return 'NTS Authenticator and Encrypted Extension Fields';
    case CHECKSUM_COMPLEMENT:
      return 'Checksum Complement';
  }
  // RFC 5906 Autokey: field type = R (0x8000) | E (0x4000) | code << 8 | version 2.
  if ((fieldType & 0xff) === 0x02) {
    const name = AUTOKEY_CODES[(fieldType >>> 8) & 0x3f];
    if (name !== undefined) {
      const what = fieldType & 0x4000 ? 'Error Response' : fieldType & 0x8000 ? 'Response' : 'Request';
      return `Autokey ${name} ${what}`;
    }
  }
  return `Unknown (0x${fieldType.toString(16).padStart(4, '0')})`;
}

function isMacLength(n: number): boolean {
  return n === 20 || n === 24 || n === 4 || n === 12;
}

export interface Trailer {
  extensions: NtpExtensionField[];
  mac?: NtpMac;
  /** Octets were missing (the buffer ends before the datagram did). */
  truncated: boolean;
}

/**
 * Decodes [p, end) of `b`, where the datagram really extended to `wireEnd` (≥ end; > end when a snaplen cut it).
 * Bodies and digests are copied. Issues are pushed with offsets in `b`'s coordinates.
 */
export function decodeTrailer(
  b: Uint8Array,
  p: number,
  end: number,
  wireEnd: number,
  issues: NtpDecodeIssue[],
): Trailer {
  const out: Trailer = { extensions: [], truncated: false };
  while (p < wireEnd) {
    const onWire = wireEnd - p;
    const have = end - p;
    if (isMacLength(onWire)) {
      if (have < 4) {
        out.truncated = true;
        issues.push(issue('truncated', 'ntp.mac', p, 'MAC key identifier cut off', 4, have));
      } else {
        out.mac = { keyId: readU32(b, p), digest: copyBytes(b, p + 4, end) };
        if (have < onWire) {
          out.truncated = true;
          issues.push(issue('truncated', 'ntp.mac', p, 'MAC digest cut off', onWire, have));
        }
      }
      return out;
    }
    if (have < 4) {
      out.truncated = true;
      issues.push(issue('truncated', 'ntp.extension', p, 'extension field header cut off', 4, have));
      return out;
    }
    if (onWire < MIN_EXTENSION_LENGTH) {
      issues.push(
        issue('malformed', 'ntp', p, `${onWire} trailing octets are neither an extension field nor a MAC`, 16, onWire),
      );
      return out;
    }
    const fieldType = readU16(b, p);
    const length = readU16(b, p + 2);
    if (length < 4 || (length & 3) !== 0) {
      issues.push(
        issue('malformed', 'ntp.extension', p, `extension field length ${length} is not a multiple of 4 (RFC 7822 §3)`),
      );
      return out;
    }
    if (length > onWire) {
      // The field claims more than the datagram holds: keep what is there, nothing after it can be parsed.
      issues.push(
        issue('malformed', 'ntp.extension', p, `extension field length ${length} exceeds the datagram`, length, onWire),
      );
      out.extensions.push({ fieldType, length, body: copyBytes(b, p + 4, end) });
      return out;
    }
    if (length < MIN_EXTENSION_LENGTH) {
      issues.push(
        issue('malformed', 'ntp.extension', p, `extension field length ${length} < 16 (RFC 7822 §3)`, 16, length),
      );
    }
    if (length > have) {
      out.truncated = true;
      issues.push(issue('truncated', 'ntp.extension', p, 'extension field cut off', length, have));
      out.extensions.push({ fieldType, length, body: copyBytes(b, p + 4, end) });
      return out;
    }
    out.extensions.push({ fieldType, length, body: copyBytes(b, p + 4, p + length) });
    p += length;
  }
  return out;
}

/** Encoded size of one field: header + body padded to 4 octets (the `length` member is not trusted). */
export function extensionEncodingLength(ext: NtpExtensionField): number {
  return 4 + ((ext.body.length + 3) & ~3);
}

export function trailerEncodingLength(extensions: readonly NtpExtensionField[], mac: NtpMac | undefined): number {
  let n = 0;
  for (let i = 0; i < extensions.length; i++) n += extensionEncodingLength(extensions[i] as NtpExtensionField);
  if (mac !== undefined) n += 4 + mac.digest.length;
  return n;
}

/** Writes the fields and MAC at p; returns the position after them. Padding octets are zero. */
export function writeTrailer(
  b: Uint8Array,
  p: number,
  extensions: readonly NtpExtensionField[],
  mac: NtpMac | undefined,
): number {
  for (let i = 0; i < extensions.length; i++) {
    const ext = extensions[i] as NtpExtensionField;
    const len = extensionEncodingLength(ext);
    writeU16(b, p, ext.fieldType);
    writeU16(b, p + 2, len);
    b.set(ext.body, p + 4);
    b.fill(0, p + 4 + ext.body.length, p + len);
    p += len;
  }
  if (mac !== undefined) {
    writeU32(b, p, mac.keyId >>> 0);
    b.set(mac.digest, p + 4);
    p += 4 + mac.digest.length;
  }
  return p;
}
