/**
 * This node's own addresses and the networks they sit on (os.networkInterfaces()): a server line naming one of
 * them is self-sync; the networks are where would-be clients are (access lists and firewall are judged for them).
 */
import { networkInterfaces } from 'node:os';
import { canonicalAddress, formatPrefix, parsePrefix } from '../net/ip.js';

export interface OwnAddress {
  interface: string;
  address: string;
  family: 4 | 6;
  /** The network, e.g. 198.51.100.0/24. */
  network: string;
  internal: boolean;
  /** IPv6 link-local (fe80::/10): not where NTP clients usually come from. */
  linkLocal: boolean;
}

type Interfaces = ReturnType<typeof networkInterfaces>;

/** Every address of every interface; `source` lets tests hand in a recorded table. */
export function ownAddresses(source: Interfaces = networkInterfaces()): OwnAddress[] {
  const out: OwnAddress[] = [];
  for (const [name, list] of Object.entries(source)) {
    for (const a of list ?? []) {
      const family = a.family === 'IPv6' || (a.family as unknown) === 6 ? 6 : 4;
      const address = canonicalAddress(a.address);
      const prefix = parsePrefix(a.cidr ?? `${address}/${family === 4 ? 32 : 128}`);
      out.push({
        interface: name,
        address,
        family,
        network: prefix ? formatPrefix(prefix) : `${address}/${family === 4 ? 32 : 128}`,
        internal: a.internal,
        linkLocal: family === 6 && /^fe[89ab]/i.test(address),
      });
    }
  }
  return out;
}

/** Networks clients may come from: non-loopback, non-link-local interface networks. */
export function clientNetworks(addresses: readonly OwnAddress[]): Array<{ network: string; interface: string; family: 4 | 6; localAddress: string }> {
  const seen = new Set<string>();
  const out: Array<{ network: string; interface: string; family: 4 | 6; localAddress: string }> = [];
  for (const a of addresses) {
    // A host-length network (/32, /128: point-to-point, --local-ip) has no clients on it.
    if (a.internal || a.linkLocal || seen.has(a.network) || a.network.endsWith(a.family === 4 ? '/32' : '/128')) continue;
    seen.add(a.network);
    out.push({ network: a.network, interface: a.interface, family: a.family, localAddress: a.address });
  }
  return out;
}
