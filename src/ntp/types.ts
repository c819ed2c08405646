/**
 * NTP packet types, RFC 5905 §7.3 (figure 8):
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |LI | VN  |Mode |    Stratum     |     Poll      |  Precision   |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                         Root Delay (16.16)                    |
 *  |                         Root Dispersion (16.16)               |
 *  |                          Reference ID                         |
 *  |                     Reference Timestamp (64)                  |
 *  |                      Origin Timestamp (64)                    |
 *  |                      Receive Timestamp (64)                   |
 *  |                      Transmit Timestamp (64)                  |
 *  |                    Extension Field 1 (variable)               |  RFC 7822
 *  |                          Key Identifier                       |
 *  |                            dgst (128/160)                     |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */

/** NTP 64-bit timestamp (RFC 5905 §6): two uint32, seconds since 1900 (era-relative) and 2^-32 fractions. Zero = unknown. */
export interface NtpTimestamp {
  seconds: number;
  fraction: number;
}

/** RFC 5905 §7.3 mode values. */
export const enum NtpMode {
  Reserved = 0,
  SymmetricActive = 1,
  SymmetricPassive = 2,
  Client = 3,
  Server = 4,
  Broadcast = 5,
  Control = 6,
  Private = 7,
}

/** RFC 7822 extension field; for NTS (RFC 8915 §5.7) fieldType is 0x0104, 0x0204, 0x0304, 0x0404. */
export interface NtpExtensionField {
  fieldType: number;
  /** Total length of the field in octets, header included, as the packet says. */
  length: number;
  body: Uint8Array;
}

export interface NtpMac {
  keyId: number;
  digest: Uint8Array;
}

/** The fixed header of a mode 1–5 packet (RFC 5905 §7.3), as decoded. */
export interface NtpHeader {
  leap: number;
  version: number;
  mode: number;
  stratum: number;
  /** log2 seconds, signed. */
  poll: number;
  /** log2 seconds, signed. */
  precision: number;
  /** seconds (16.16 fixed point decoded exactly). */
  rootDelay: number;
  /** seconds (16.16 fixed point decoded exactly). */
  rootDispersion: number;
  /** raw 32-bit reference id (interpret with describeRefid). */
  refid: number;
  referenceTime: NtpTimestamp;
  originTime: NtpTimestamp;
  receiveTime: NtpTimestamp;
  transmitTime: NtpTimestamp;
}

/** The header's fields that are numbers as they stand (no timestamp). */
export type NtpHeaderNumbers = Pick<NtpHeader, 'leap' | 'version' | 'mode' | 'stratum' | 'poll' | 'precision' | 'rootDelay' | 'rootDispersion' | 'refid'>;

/** Mode 1-5 packet (the time-transfer modes). */
export interface NtpTimePacket extends NtpHeader {
  extensions: NtpExtensionField[];
  mac?: NtpMac;
}

/** Mode 6 control message header (RFC 9327 / RFC 1305 appendix B). */
export interface NtpControlMessage {
  leap: number;
  version: number;
  mode: 6;
  response: boolean;
  error: boolean;
  more: boolean;
  opcode: number;
  sequence: number;
  status: number;
  associationId: number;
  offset: number;
  count: number;
  data: Uint8Array;
  /** Optional authenticator after the (padded) data: ntpq's authenticated requests (RFC 9327 §2.1, ntpq.c). */
  mac?: NtpMac;
}

/** Mode 7 private (ntpdc) message header, as classic ntpd's ntp_request.h lays it out. */
export interface NtpPrivateMessage {
  leap: number;
  version: number;
  mode: 7;
  response: boolean;
  more: boolean;
  authenticated: boolean;
  sequence: number;
  implementation: number;
  /** e.g. 42 = REQ_MON_GETLIST_1 (monlist, CVE-2013-5211). */
  requestCode: number;
  itemCount: number;
  itemSize: number;
  /** err field: the high 4 bits of err_nitems (0 = INFO_OKAY, 1 IMPL, 2 REQ, 3 FMT, 4 NODATA, 7 AUTH). */
  errorCode?: number;
  /** Everything after the 8-octet header (items, request data, and any timestamp/key id/MAC), copied. */
  data?: Uint8Array;
}

export type NtpMessage =
  | ({ kind: 'time' } & NtpTimePacket)
  | ({ kind: 'control' } & NtpControlMessage)
  | ({ kind: 'private' } & NtpPrivateMessage);

export interface NtpDecodeIssue {
  kind: 'truncated' | 'malformed';
  /** e.g. 'ntp', 'ntp.extension', 'ntp.mac', 'ntp.control'. */
  layer: string;
  offset: number;
  need?: number;
  have?: number;
  message: string;
}

/**
 * The fields of a time packet's fixed header that fit in a buffer shorter than 48 octets (typically the NTP
 * bytes an ICMP error quotes). For modes 6 and 7 only leap/version/mode are filled.
 */
export interface NtpPartialHeader {
  leap: number;
  version: number;
  mode: number;
  stratum?: number;
  poll?: number;
  precision?: number;
  rootDelay?: number;
  rootDispersion?: number;
  refid?: number;
  referenceTime?: NtpTimestamp;
  originTime?: NtpTimestamp;
  receiveTime?: NtpTimestamp;
  transmitTime?: NtpTimestamp;
  /** Octets that were present. */
  available: number;
}

export interface NtpDecodeResult {
  /** Present whenever the fixed header (or, for mode 6/7, its header) decoded; absent when too short for it. */
  message?: NtpMessage;
  /** Set when `message` is absent but at least one octet was present: whatever header fields fit. */
  partial?: NtpPartialHeader;
  truncated: boolean;
  issues: NtpDecodeIssue[];
}

/** How a refid reads, by stratum (RFC 5905 §7.3): KoD code at stratum 0, ASCII at 1, IPv4 or IPv6 hash above. */
export interface RefidInfo {
  kind: 'kod' | 'text' | 'ipv4' | 'hash' | 'none';
  /** 'RATE', 'GPS', 'LOCL', '192.0.2.1', 'hash 0x1a2b3c4d', '' */
  text: string;
}
