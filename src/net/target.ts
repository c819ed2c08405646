/** HOST[:PORT] parsing and name resolution for probe and trace. */
import { lookup } from 'node:dns/promises';
import { isIP } from './ip.js';
import { InputError } from '../errors.js';
import { NTP_PORT } from '../ntp/constants.js';

export interface Target {
  host: string;
  port: number;
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

function parsePort(text: string, whole: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) throw new InputError(`bad port in '${whole}'`);
  return port;
}

/** 'host', 'host:123', '198.51.100.1:123', '[2001:db8::1]:123', '2001:db8::1' (a bare IPv6 address has no port). */
export function parseTarget(text: string, defaultPort = NTP_PORT): Target {
  const t = text.trim();
  if (t === '') throw new InputError('empty host');
  if (t.startsWith('[')) {
    const close = t.indexOf(']');
    if (close < 0) throw new InputError(`missing ']' in '${text}'`);
    const host = t.slice(1, close);
    if (isIP(host) !== 6) throw new InputError(`not an IPv6 address: '${host}'`);
    const rest = t.slice(close + 1);
    if (rest === '') return { host, port: defaultPort };
    if (!rest.startsWith(':')) throw new InputError(`unexpected '${rest}' after ']' in '${text}'`);
    return { host, port: parsePort(rest.slice(1), text) };
  }
  if (isIP(t) === 6) return { host: t, port: defaultPort };
  const colon = t.lastIndexOf(':');
  if (colon >= 0) {
    if (t.indexOf(':') !== colon) throw new InputError(`ambiguous '${text}': write IPv6 as [ADDR]:PORT`);
    const host = t.slice(0, colon);
    if (host === '') throw new InputError(`empty host in '${text}'`);
    return { host, port: parsePort(t.slice(colon + 1), text) };
  }
  return { host: t, port: defaultPort };
}

/**
 * Every address the name resolves to (getaddrinfo, so /etc/hosts counts), IPv4 and IPv6, in resolver order;
 * only one family when `family` says so (`-4` / `-6`, as ntpq and ntpdig: it limits what a name resolves to).
 */
export async function resolveAll(host: string, family?: 4 | 6): Promise<ResolvedAddress[]> {
  const literal = isIP(host);
  if (literal && family !== undefined && literal !== family) {
    throw new InputError(`'${host}' is an IPv${literal} address, but -${family} asks for IPv${family} only`);
  }
  if (literal) return [{ address: host, family: literal as 4 | 6 }];
  try {
    const found = await lookup(host, { all: true, verbatim: true, ...(family !== undefined ? { family } : {}) });
    const seen = new Set<string>();
    const out: ResolvedAddress[] = [];
    for (const a of found) {
      if (seen.has(a.address)) continue;
      seen.add(a.address);
      out.push({ address: a.address, family: a.family === 6 ? 6 : 4 });
    }
    if (out.length === 0) throw new InputError(`'${host}' resolves to no ${family !== undefined ? `IPv${family} ` : ''}address`);
    return out;
  } catch (err) {
    if (err instanceof InputError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new InputError(`cannot resolve '${host}': ${code}`);
  }
}
