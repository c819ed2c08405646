/** `serve` options from the command line's words into ServeOptions (pure, tested as data). */
import { isIP } from 'node:net';
import { InputError } from '../errors.js';
import { MAXSTRAT, NTP_PORT } from '../ntp/constants.js';
import { refidFromText } from '../ntp/refid.js';
import { parseTarget } from '../probe/target.js';
import { parseFault, type Fault } from './faults.js';
import { DEFAULT_RATE_LIMIT, type RateLimitConfig } from './ratelimit.js';
import type { ListenAddress } from './server.js';

/**
 * Default identity: stratum 10 with refid 127.127.1.1, exactly what chronyd `local stratum 10` serves (seen on
 * the wire here) and what ntpd's local clock driver (server 127.127.1.x) puts in the refid. A stratum 2–15 refid
 * is read as an IPv4 address (RFC 5905 §7.3), so an ASCII "LOCL" would read as 76.79.67.76; 127.127.1.x is
 * the address clients and `trace` already know as "the local clock".
 */
export const DEFAULT_STRATUM = 10;
export const DEFAULT_REFID_TEXT = '127.127.1.1';

export function parseListen(texts: readonly string[]): ListenAddress[] {
  if (texts.length === 0) {
    return [
      { address: '0.0.0.0', port: NTP_PORT },
      { address: '::', port: NTP_PORT },
    ];
  }
  return texts.map((t) => {
    const { host, port } = parseTarget(t, NTP_PORT);
    if (!isIP(host)) throw new InputError(`--listen needs an IP address, not '${host}'`);
    return { address: host, port };
  });
}

export function parseStratum(n: number | undefined): number {
  const s = n ?? DEFAULT_STRATUM;
  if (!Number.isInteger(s) || s < 1 || s > MAXSTRAT) throw new InputError(`--stratum must be 1..${MAXSTRAT}`);
  return s;
}

export function parseRefid(text: string | undefined): number {
  const t = text ?? DEFAULT_REFID_TEXT;
  const v = refidFromText(t);
  if (v === undefined) throw new InputError(`--refid: '${t}' is neither 1–4 ASCII characters, an IPv4 address nor 0xHEX`);
  return v;
}

/** 'off', or BURST/INTERVAL ('8/2': 8 back to back, then one per 2 s). */
export function parseRateLimit(text: string | undefined): RateLimitConfig | null {
  if (text === undefined) return DEFAULT_RATE_LIMIT;
  if (text === 'off') return null;
  const m = /^(\d+)\/(\d+(?:\.\d+)?)$/.exec(text.trim());
  if (!m) throw new InputError(`--rate-limit: want 'off' or BURST/INTERVAL like 8/2, not '${text}'`);
  const burst = Number(m[1]);
  const interval = Number(m[2]);
  if (burst < 1 || interval <= 0) throw new InputError('--rate-limit: burst ≥ 1 and interval > 0');
  return { ...DEFAULT_RATE_LIMIT, burst, interval };
}

export function parseFaults(texts: readonly string[]): Fault[] {
  return texts.map(parseFault);
}
