/**
 * NTS Key Establishment records (RFC 8915 §4): pure encode/decode, bytes in, facts out. A record is
 * 1 bit Critical + 15 bits Record Type, a 16-bit Body Length, then the body. The client's request (§4.1.2):
 * Next Protocol Negotiation [0 = NTPv4], AEAD Algorithm Negotiation [15 = AEAD_AES_SIV_CMAC_256], End of Message,
 * each critical as chrony sends them. Hostile input: every length is checked against the buffer, every list bounded.
 */

/** RFC 8915 §7.6 NTS Key Establishment Record Types registry. */
export const RECORD = {
  END_OF_MESSAGE: 0,
  NEXT_PROTOCOL: 1,
  ERROR: 2,
  WARNING: 3,
  AEAD: 4,
  NEW_COOKIE: 5,
  SERVER: 6,
  PORT: 7,
} as const;

/** RFC 8915 §7.7 Next Protocols: 0 = NTPv4. */
export const PROTOCOL_NTPV4 = 0;
/** RFC 5297 / IANA AEAD registry: 15 = AEAD_AES_SIV_CMAC_256, the one every NTS implementation must support (RFC 8915 §5.1). */
export const AEAD_AES_SIV_CMAC_256 = 15;

/** RFC 8915 §7.8 Error Codes. */
export const ERROR_NAMES: Record<number, string> = { 0: 'Unrecognized Critical Record', 1: 'Bad Request', 2: 'Internal Server Error' };

/** A response is a handful of records (chrony: 8 cookies of ~100 bytes): more than this is not a KE server. */
export const MAX_RECORDS = 64;

function record(type: number, critical: boolean, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + body.length);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, (critical ? 0x8000 : 0) | (type & 0x7fff));
  dv.setUint16(2, body.length);
  out.set(body, 4);
  return out;
}

function u16s(values: readonly number[]): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => dv.setUint16(i * 2, v));
  return out;
}

/** The client request of RFC 8915 §4.1.2, as chronyd sends it (no Server/Port negotiation). */
export function encodeKeRequest(): Uint8Array {
  const parts = [
    record(RECORD.NEXT_PROTOCOL, true, u16s([PROTOCOL_NTPV4])),
    record(RECORD.AEAD, true, u16s([AEAD_AES_SIV_CMAC_256])),
    record(RECORD.END_OF_MESSAGE, true, new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export interface KeRecord {
  type: number;
  critical: boolean;
  body: Uint8Array;
}

export interface KeRecords {
  records: KeRecord[];
  /** An End of Message record was read: the response is complete. */
  complete: boolean;
  /** Bytes after End of Message, or a record cut short: the stream is malformed (or still arriving). */
  problem?: string;
}

/** Splits a byte stream into records, up to End of Message. `complete` false = read more (or the peer stopped short). */
export function splitRecords(buf: Uint8Array): KeRecords {
  const records: KeRecord[] = [];
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let at = 0;
  while (at + 4 <= buf.length) {
    if (records.length >= MAX_RECORDS) return { records, complete: false, problem: `more than ${MAX_RECORDS} records` };
    const head = dv.getUint16(at);
    const len = dv.getUint16(at + 2);
    if (at + 4 + len > buf.length) return { records, complete: false, problem: `record ${records.length + 1} is cut short (${len} bytes announced)` };
    const r: KeRecord = { type: head & 0x7fff, critical: (head & 0x8000) !== 0, body: buf.subarray(at + 4, at + 4 + len) };
    records.push(r);
    at += 4 + len;
    if (r.type === RECORD.END_OF_MESSAGE) {
      return at < buf.length ? { records, complete: true, problem: `${buf.length - at} bytes after End of Message` } : { records, complete: true };
    }
  }
  return at < buf.length ? { records, complete: false, problem: 'a record header is cut short' } : { records, complete: false };
}

/** What a server's response says (RFC 8915 §4.1.3–§4.1.8). */
export interface KeResponse {
  /** Protocols the server chose (Next Protocol Negotiation): [0] for NTPv4. */
  nextProtocols: number[];
  /** AEAD algorithms the server chose: [15] expected. */
  aead: number[];
  cookies: number;
  /** Length of the first cookie, bytes. */
  cookieLength?: number;
  /** Error records: code and name. */
  errors: Array<{ code: number; name: string }>;
  warnings: number[];
  /** NTPv4 Server Negotiation: where the NTP requests must go instead (printable text only, bounded). */
  server?: string;
  /** NTPv4 Port Negotiation. */
  port?: number;
  /** Critical records of types this parser does not know. */
  unknownCritical: number[];
  complete: boolean;
  problem?: string;
}

function readU16s(body: Uint8Array, max = 16): number[] {
  const out: number[] = [];
  const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
  for (let i = 0; i + 1 < body.length && out.length < max; i += 2) out.push(dv.getUint16(i));
  return out;
}

/** A server name as text: printable ASCII only, at most 255 bytes (a DNS name or an address literal). */
function serverText(body: Uint8Array): string | undefined {
  if (body.length === 0 || body.length > 255) return undefined;
  for (const b of body) if (b < 0x21 || b > 0x7e) return undefined;
  return String.fromCharCode(...body);
}

export function parseKeResponse(buf: Uint8Array): KeResponse {
  const split = splitRecords(buf);
  const out: KeResponse = { nextProtocols: [], aead: [], cookies: 0, errors: [], warnings: [], unknownCritical: [], complete: split.complete };
  if (split.problem) out.problem = split.problem;
  for (const r of split.records) {
    switch (r.type) {
      case RECORD.NEXT_PROTOCOL:
        out.nextProtocols.push(...readU16s(r.body));
        break;
      case RECORD.AEAD:
        out.aead.push(...readU16s(r.body));
        break;
      case RECORD.NEW_COOKIE:
        out.cookies++;
        out.cookieLength ??= r.body.length;
        break;
      case RECORD.ERROR:
        for (const code of readU16s(r.body, 1)) out.errors.push({ code, name: ERROR_NAMES[code] ?? `error ${code}` });
        break;
      case RECORD.WARNING:
        out.warnings.push(...readU16s(r.body, 1));
        break;
      case RECORD.SERVER: {
        const s = serverText(r.body);
        if (s !== undefined) out.server = s;
        break;
      }
      case RECORD.PORT: {
        const [p] = readU16s(r.body, 1);
        if (p !== undefined) out.port = p;
        break;
      }
      case RECORD.END_OF_MESSAGE:
        break;
      default:
        if (r.critical) out.unknownCritical.push(r.type);
    }
  }
  return out;
}

/**
 * Why a parsed response gives the client nothing to work with (RFC 8915 §4.1.2: the client must get NTPv4, an AEAD
 * it offered, and at least one cookie), or undefined when it is a usable response.
 */
export function responseProblem(r: KeResponse): string | undefined {
  if (r.errors.length) return `the server answered with an Error record: ${r.errors.map((e) => `${e.code} (${e.name})`).join(', ')}`;
  if (!r.complete) return `the response ended without End of Message${r.problem ? ` (${r.problem})` : ''}`;
  if (r.unknownCritical.length) return `critical record type(s) ${r.unknownCritical.join(', ')} the client does not know`;
  if (!r.nextProtocols.includes(PROTOCOL_NTPV4)) return 'the server did not agree to NTPv4 (Next Protocol Negotiation)';
  if (!r.aead.includes(AEAD_AES_SIV_CMAC_256)) return `the server did not agree to AEAD_AES_SIV_CMAC_256 (chose ${r.aead.join(', ') || 'none'})`;
  if (r.cookies === 0) return 'the server sent no cookies';
  return undefined;
}
