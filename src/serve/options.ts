/** `serve` options from the command line's words into ServeOptions (pure, tested as data). */
import { isIP } from 'node:net';
import { InputError } from '../errors.js';
import { MAXSTRAT, NTP_PORT } from '../ntp/constants.js';
import { refidFromText } from '../ntp/refid.js';
import { parseTarget } from '../net/target.js';
import { parseFault, type Fault } from './faults.js';
import { DEFAULT_RATE_LIMIT, type RateLimitConfig } from './ratelimit.js';
import type { ListenAddress } from './server.js';
import { formatPrefix, makePrefix, parseAddress, parsePrefix, type Prefix } from '../net/ip.js';

/**
 * Default identity: stratum 10 with refid 127.127.1.1, exactly what chronyd `local stratum 10` serves (seen on
 * the wire here) and what ntpd's local clock driver (server 127.127.1.x) puts in the refid. A stratum 2–15 refid
 * is read as an IPv4 address (RFC 5905 §7.3), so an ASCII "LOCL" would read as 76.79.67.76; 127.127.1.x is
 * the address clients and `trace` already know as "the local clock".
 */
export const DEFAULT_STRATUM = 10;
export const DEFAULT_REFID_TEXT = '127.127.1.1';

/**
 * Loopback unless told otherwise: a tool started to test a path must not turn the host into a time server for
 * the whole network (chronyd opens its NTP port only when `allow` says whom to serve).
 */
export const DEFAULT_LISTEN: readonly ListenAddress[] = [
  { address: '127.0.0.1', port: NTP_PORT },
  { address: '::1', port: NTP_PORT, optional: true },
];

export function parseListen(texts: readonly string[]): ListenAddress[] {
  if (texts.length === 0) return DEFAULT_LISTEN.map((l) => ({ ...l }));
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

/**
 * 'off', or BURST/INTERVAL[/LEAK] ('8/2': 8 back to back, then one per 2 s; '8/2/3': and 1 in 2^3 of the requests
 * over the limit answered anyway). LEAK is chrony's `ratelimit leak`: 1..4, default 2.
 */
export function parseRateLimit(text: string | undefined): RateLimitConfig | null {
  if (text === undefined) return DEFAULT_RATE_LIMIT;
  if (text === 'off') return null;
  const m = /^(\d{1,6})\/(\d{1,6}(?:\.\d{1,6})?)(?:\/(\d))?$/.exec(text.trim());
  if (!m) throw new InputError(`--rate-limit: want 'off' or BURST/INTERVAL[/LEAK] like 8/2 or 8/2/2, not '${text}'`);
  const burst = Number(m[1]);
  const interval = Number(m[2]);
  const leak = m[3] !== undefined ? Number(m[3]) : DEFAULT_RATE_LIMIT.leak;
  if (burst < 1 || interval <= 0) throw new InputError('--rate-limit: burst ≥ 1 and interval > 0');
  if (leak < 1 || leak > 4) throw new InputError('--rate-limit: leak is 1..4 (1 in 2^LEAK over-limit requests answered), as chrony');
  return { ...DEFAULT_RATE_LIMIT, burst, interval, leak };
}

/**
 * `--allow` values, chrony `allow` style: a CIDR (198.51.100.0/24, 2001:db8::/32), a bare address (one host), or
 * `all` (every IPv4 and IPv6 client). Host bits set under the mask are refused rather than silently cleared: a
 * typo like 198.51.100.7/16 would otherwise open a /16.
 */
export function parseAllow(texts: readonly string[]): Prefix[] {
  const out: Prefix[] = [];
  for (const raw of texts) {
    const t = raw.trim();
    if (t.toLowerCase() === 'all') {
      out.push(makePrefix(4, 0n, 0), makePrefix(6, 0n, 0));
      continue;
    }
    const slash = t.indexOf('/');
    const addrText = slash >= 0 ? t.slice(0, slash) : t;
    const lenText = slash >= 0 ? t.slice(slash + 1) : undefined;
    if (!isIP(addrText) || (lenText !== undefined && !/^\d{1,3}$/.test(lenText))) {
      throw new InputError(`--allow: want ADDRESS[/LENGTH] or all, not '${raw}'`);
    }
    const p = parsePrefix(t);
    const addr = parseAddress(addrText);
    if (!p || !addr) throw new InputError(`--allow: prefix length out of range in '${raw}'`);
    if (p.network !== addr.value) throw new InputError(`--allow: '${raw}' has host bits set: did you mean ${formatPrefix(p)}?`);
    out.push(p);
  }
  return out;
}

export function parseFaults(texts: readonly string[]): Fault[] {
  return texts.map(parseFault);
}
