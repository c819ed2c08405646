/**
 * The packet every firewall evaluator is asked about: a client's first NTP request arriving at this node
 * (UDP to the port the daemon serves on, conntrack state NEW, from a client network, on a non-loopback interface).
 * That port is 123 (RFC 5905 §7) unless chrony's `port N` moved it (issue 11 item 11: fixes open the real port).
 */
import { NTP_PORT } from '../../ntp/constants.js';
import { parsePrefix, prefixCovers, prefixesOverlap, type Prefix } from '../../net/ip.js';

export interface InboundNtp {
  family: 4 | 6;
  /** Client network the request comes from; undefined = "some client", no particular network. */
  from?: Prefix;
  /** Interface it arrives on, when known (never 'lo': clients are remote). */
  iifname?: string;
  /** Client source port: ntpd clients send from 123 (symmetric), others from an ephemeral port. */
  sport: number;
  dport: number;
  /** 'out': this node's own request to a server (output hook, OUTPUT chain); absent: a client's request arriving. */
  direction?: 'out';
  /** direction 'out': the server it goes to. */
  to?: Prefix;
}

export type Tri = 'yes' | 'no' | 'maybe';

/** A new NTP request from `from` (CIDR or undefined), on `iifname`, to UDP `dport` (the daemon's server port). */
export function inboundNtp(family: 4 | 6, from?: string, iifname?: string, dport = NTP_PORT): InboundNtp {
  const p: InboundNtp = { family, sport: 40000, dport };
  const prefix = from ? parsePrefix(from) : undefined;
  if (prefix && prefix.family === family) p.from = prefix;
  if (iifname !== undefined) p.iifname = iifname;
  return p;
}

/**
 * This node's own new request to server `to` on UDP `dport`, from `sport`: 123 for ntpd (it sends from its
 * server port), an ephemeral port for chronyd (acquisitionport 0, its default).
 */
export function outboundNtp(family: 4 | 6, to: string, dport: number, sport: number): InboundNtp {
  const p: InboundNtp = { family, sport, dport, direction: 'out' };
  const prefix = parsePrefix(to);
  if (prefix && prefix.family === family) p.to = prefix;
  return p;
}

export function and(a: Tri, b: Tri): Tri {
  if (a === 'no' || b === 'no') return 'no';
  if (a === 'maybe' || b === 'maybe') return 'maybe';
  return 'yes';
}

export function not(a: Tri): Tri {
  return a === 'yes' ? 'no' : a === 'no' ? 'yes' : 'maybe';
}

/** Port spec "123", "100:200" (iptables) or "100-200" (nft text) contains the port. */
export function portIn(spec: string, port: number): boolean {
  return spec.split(',').some((part) => {
    const m = /^(\d*)[:-](\d*)$/.exec(part);
    if (m) return port >= (m[1] ? Number(m[1]) : 0) && port <= (m[2] ? Number(m[2]) : 65535);
    return Number(part) === port || SERVICE_PORTS[part] === port;
  });
}

/** The service names firewall tools print for the ports that matter here (/etc/services). */
export const SERVICE_PORTS: Record<string, number> = { ntp: 123, ssh: 22, domain: 53, http: 80, https: 443 };

/**
 * Does a request from client network `from` match a source condition on `target`? Yes when the whole network is
 * inside it, maybe when they overlap (some clients match), no when disjoint or of the other family.
 */
export function prefixMatch(from: Prefix, target: Prefix): Tri {
  if (target.family !== from.family) return 'no';
  if (prefixCovers(target, from)) return 'yes';
  return prefixesOverlap(target, from) ? 'maybe' : 'no';
}
