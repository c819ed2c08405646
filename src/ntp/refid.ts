/**
 * Reading the 32-bit Reference ID by stratum (RFC 5905 §7.3):
 *   stratum 0     kiss code, 4 ASCII characters (§7.4), e.g. RATE, DENY, INIT
 *   stratum 1     reference clock name, ASCII left-justified, NUL-padded (GPS, PPS, LOCL...)
 *   stratum 2–15  the upstream server: its IPv4 address, or for IPv6 the first 4 octets of the MD5 of it
 * ntpd's local clock driver (server 127.127.1.N) is not a stratum-1 clock unless fudged so: a stratum-6 ntpd
 * synchronised to it sends its address, 127.127.1.N, as an IPv4 refid (the seed's `Reference-ID: 127.127.1.1`).
 */
import type { RefidInfo } from './types.js';

/** RFC 5905 §7.4 figure 13, plus NTSN (RFC 8915 §5.7). */
export const KISS_CODES: Readonly<Record<string, string>> = {
  ACST: 'The association belongs to an anycast server',
  AUTH: 'Server authentication failed',
  AUTO: 'Autokey sequence failed',
  BCST: 'The association belongs to a broadcast server',
  CRYP: 'Cryptographic authentication or identification failed',
  DENY: 'Access denied by remote server',
  DROP: 'Lost peer in symmetric mode',
  RSTR: 'Access denied due to local policy',
  INIT: 'The association has not yet synchronized for the first time',
  MCST: 'The association belongs to a dynamically discovered server',
  NKEY: 'No key found; either the key was never installed or is not trusted',
  NTSN: 'NTS negative-acknowledgment (NAK): the server could not process the NTS cookie (RFC 8915 §5.7)',
  RATE: 'Rate exceeded; the server has temporarily denied access because the client exceeded the rate threshold',
  RMOT: 'Alteration of association from a remote host running ntpdc',
  STEP: 'A step change in system time has occurred, but the association has not yet resynchronized',
};

function hex8(v: number): string {
  return (v >>> 0).toString(16).padStart(8, '0');
}

/**
 * The refid as ASCII when it is 1–4 printable characters, left-justified and NUL-padded (RFC 5905 §7.3);
 * undefined otherwise.
 */
export function refidAscii(refid: number): string | undefined {
  let text = '';
  let ended = false;
  for (let shift = 24; shift >= 0; shift -= 8) {
    const c = (refid >>> shift) & 0xff;
    if (c === 0) {
      ended = true;
      continue;
    }
    if (ended || c < 0x20 || c > 0x7e) return undefined;
    text += String.fromCharCode(c);
  }
  return text.length > 0 ? text : undefined;
}

export function ipv4FromRefid(refid: number): string {
  return `${refid >>> 24}.${(refid >>> 16) & 0xff}.${(refid >>> 8) & 0xff}.${refid & 0xff}`;
}

export function describeRefid(stratum: number, refid: number, ipVersion: 4 | 6): RefidInfo {
  refid >>>= 0;
  if (stratum === 0) {
    if (refid === 0) return { kind: 'none', text: '' };
    const code = refidAscii(refid);
    return code !== undefined ? { kind: 'kod', text: code } : { kind: 'none', text: `0x${hex8(refid)}` };
  }
  if (stratum === 1) {
    const name = refidAscii(refid);
    return name !== undefined ? { kind: 'text', text: name } : { kind: 'none', text: `0x${hex8(refid)}` };
  }
  if (stratum >= 16) {
    // Unsynchronised (MAXSTRAT): daemons put a status word here (ntpd .INIT., .STEP.), or the last server.
    const word = refidAscii(refid);
    if (word !== undefined && word.length === 4) return { kind: 'text', text: word };
    if (refid === 0) return { kind: 'none', text: '' };
  }
  if (ipVersion === 4) return { kind: 'ipv4', text: ipv4FromRefid(refid) };
  return { kind: 'hash', text: `hash 0x${hex8(refid)}` };
}

/**
 * The kiss code of a Kiss-o'-Death reply (RFC 5905 §7.4): stratum 0 in a server, symmetric or broadcast packet
 * whose refid is printable ASCII. Undefined for anything else (a client request's refid means nothing).
 */
export function kissCode(packet: { stratum: number; mode: number; refid: number }): string | undefined {
  if (packet.stratum !== 0) return undefined;
  const m = packet.mode;
  if (m !== 1 && m !== 2 && m !== 4 && m !== 5) return undefined;
  return refidAscii(packet.refid >>> 0);
}

/**
 * Inverse of describeRefid's text: 'RATE' / 'GPS' (ASCII, NUL-padded), '192.0.2.1', 'hash 0x1a2b3c4d' or
 * '0x1a2b3c4d'. Undefined when the text is none of these.
 */
export function refidFromText(text: string): number | undefined {
  const t = text.trim();
  const hex = /^(?:hash\s+)?0x([0-9a-f]{1,8})$/i.exec(t);
  if (hex !== null) return parseInt(hex[1] as string, 16) >>> 0;
  const quad = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(t);
  if (quad !== null) {
    let v = 0;
    for (let i = 1; i <= 4; i++) {
      const n = Number(quad[i]);
      if (n > 255) return undefined;
      v = v * 256 + n;
    }
    return v >>> 0;
  }
  // ntpq shows ASCII refids between dots: .GPS., .INIT.
  const ascii = /^\.?([\x20-\x7e]{1,4}?)\.?$/.exec(t);
  if (ascii === null) return undefined;
  const s = ascii[1] as string;
  if (s.length === 0 || s.includes('.')) return undefined;
  let v = 0;
  for (let i = 0; i < 4; i++) v = v * 256 + (i < s.length ? s.charCodeAt(i) : 0);
  return v >>> 0;
}
