/**
 * ICMP destination-unreachable codes and what they say about an NTP request.
 * IPv4: RFC 792 (codes 0–5), RFC 1122 §3.2.2.1 (6–12), RFC 1812 §5.2.7.1 (13–15).
 * IPv6: RFC 4443 §3.1 (type 1, codes 0–6).
 */
import type { IcmpSeen } from '../../src/model/observation.js';

export type IcmpClass = 'admin-prohibited' | 'port-unreachable' | 'host-unreachable' | 'other';

const V4_NAMES: Readonly<Record<number, string>> = {
  0: 'net unreachable',
  1: 'host unreachable',
  2: 'protocol unreachable',
  3: 'port unreachable',
  4: 'fragmentation needed',
  5: 'source route failed',
  6: 'destination network unknown',
  7: 'destination host unknown',
  9: 'network administratively prohibited',
  10: 'host administratively prohibited',
  11: 'network unreachable for TOS',
  12: 'host unreachable for TOS',
  13: 'communication administratively prohibited',
  14: 'host precedence violation',
  15: 'precedence cutoff in effect',
};

const V6_NAMES: Readonly<Record<number, string>> = {
  0: 'no route to destination',
  1: 'communication administratively prohibited',
  2: 'beyond scope of source address',
  3: 'address unreachable',
  4: 'port unreachable',
  5: 'source address failed ingress/egress policy',
  6: 'reject route to destination',
};

type IcmpKey = Pick<IcmpSeen, 'version' | 'type' | 'code'> & Partial<Pick<IcmpSeen, 'errno' | 'alternatives'>>;

/** Which rule an ICMP error belongs to; 'other' for anything that is not a destination-unreachable we read. */
export function classifyIcmp(i: IcmpKey): IcmpClass {
  if (i.version === 4) {
    if (i.type !== 3) return 'other';
    // 9/10/13: what firewalld (host-prohibited), iptables REJECT --reject-with icmp-*-prohibited and nftables
    // `reject with icmpx type admin-prohibited` send.
    if (i.code === 9 || i.code === 10 || i.code === 13) return 'admin-prohibited';
    if (i.code === 3) return 'port-unreachable';
    if ([0, 1, 6, 7, 11, 12].includes(i.code)) return 'host-unreachable';
    return 'other';
  }
  if (i.type !== 1) return 'other';
  // 1/5 (ingress/egress policy) is a filter's answer as much as 1/1 is.
  if (i.code === 1 || i.code === 5) return 'admin-prohibited';
  if (i.code === 4) return 'port-unreachable';
  if (i.code === 0 || i.code === 2 || i.code === 3 || i.code === 6) return 'host-unreachable';
  return 'other';
}

/** 'ICMP type 3 code 10 (host administratively prohibited)', 'ICMPv6 type 1 code 4 (port unreachable)'. */
export function icmpLabel(i: IcmpKey): string {
  const names = i.version === 4 ? (i.type === 3 ? V4_NAMES : {}) : i.type === 1 ? V6_NAMES : {};
  const name = names[i.code];
  const v = i.version === 6 ? 'v6' : '';
  const label = `ICMP${v} type ${i.type} code ${i.code}${name ? ` (${name})` : ''}`;
  if (i.errno === undefined) return label;
  // A probe sees only the socket errno: say so, and which other codes the kernel maps to the same errno.
  const others = (i.alternatives ?? []).filter((a) => a.type !== i.type || a.code !== i.code).map((a) => `${a.type}/${a.code}`);
  return `${label}, reported by the socket as ${i.errno}${others.length ? ` (or ICMP${v} ${others.join(', ')}: the socket cannot tell them apart)` : ''}`;
}

/** A reporter address the capture could read (the probe fills in the server; '?' when the IP layer was missing). */
export function knownReporter(reporter: string): boolean {
  return reporter !== '' && reporter !== '?';
}
