/**
 * What a socket errno on a connected UDP socket says about the ICMP error behind it.
 *
 * Linux reports only "hard" ICMP errors to a UDP socket without IP_RECVERR (net/ipv4/icmp.c icmp_err_convert,
 * net/ipv6/icmp.c tab_unreach); the "soft" ones (IPv4 3/0, 3/1, IPv6 1/0, 1/3) never arrive and look like a
 * timeout. One errno can stand for several ICMP codes: we keep them all and say which remain possible
 * (docs/architecture.md, "How ICMP reaches a Node client", measured with nftables REJECT rules).
 */

export interface IcmpCause {
  version: 4 | 6;
  type: number;
  code: number;
  /** In the field's words, e.g. 'administratively prohibited (host-prohibited)'. */
  meaning: string;
}

export interface ErrnoReading {
  errno: string;
  /** Every ICMP error that produces this errno, most likely first. Empty: not an ICMP error (local failure). */
  causes: IcmpCause[];
  /** One line for the transcript and evidence. */
  text: string;
}

const V4: Record<string, IcmpCause[]> = {
  ECONNREFUSED: [{ version: 4, type: 3, code: 3, meaning: 'port unreachable: nothing listens there' }],
  EHOSTUNREACH: [
    { version: 4, type: 3, code: 10, meaning: 'host administratively prohibited (firewalld / iptables host-prohibited)' },
    { version: 4, type: 3, code: 13, meaning: 'communication administratively prohibited (nftables admin-prohibited)' },
  ],
  ENETUNREACH: [{ version: 4, type: 3, code: 9, meaning: 'network administratively prohibited (net-prohibited)' }],
  ENOPROTOOPT: [{ version: 4, type: 3, code: 2, meaning: 'protocol unreachable' }],
};

const V6: Record<string, IcmpCause[]> = {
  ECONNREFUSED: [{ version: 6, type: 1, code: 4, meaning: 'port unreachable: nothing listens there' }],
  EACCES: [
    { version: 6, type: 1, code: 1, meaning: 'communication administratively prohibited (firewall reject)' },
    { version: 6, type: 1, code: 5, meaning: 'source address failed ingress/egress policy' },
    { version: 6, type: 1, code: 6, meaning: 'reject route to destination' },
  ],
};

/** Reads an errno from a connected UDP socket's `error` event (or a failed send) for a server of this IP version. */
export function readErrno(errno: string, version: 4 | 6): ErrnoReading {
  const causes = (version === 4 ? V4 : V6)[errno] ?? [];
  let text: string;
  if (causes.length === 0) text = `${errno}: local socket error, no ICMP seen`;
  else if (causes.length === 1) {
    const c = causes[0] as IcmpCause;
    text = `${errno}: ICMP${version === 6 ? 'v6' : ''} ${c.type}/${c.code} ${c.meaning}`;
  } else {
    const list = causes.map((c) => `${c.type}/${c.code} ${c.meaning}`).join(', or ');
    text = `${errno}: ICMP${version === 6 ? 'v6' : ''} ${list} (the socket cannot tell these apart)`;
  }
  return { errno, causes, text };
}
