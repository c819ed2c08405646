/**
 * The BPF filter of a live capture (pcap-filter(7)): NTP, NTS key establishment, and the ICMP errors that answer them.
 *
 *   udp port 123                 NTP both ways (client and server ports; RFC 5905 §9.1 port 123)
 *   tcp port 4460                NTS-KE (RFC 8915 §4: TLS 1.3 on TCP 4460) both ways, so a key establishment that is
 *                                refused, reset or never followed by NTP shows (src/decode/tcp-ke.ts)
 *   icmp[0] == 3                 ICMPv4 destination unreachable (RFC 792): firewall REJECT, port unreachable
 *   icmp[0] == 11                ICMPv4 time exceeded (RFC 792): a routing loop or TTL too low
 *   icmp6 and ip6[40] < 5        ICMPv6 error messages, types 1..4 (RFC 4443 §2.1: errors are types 0..127, the
 *                                defined ones 1 unreachable, 2 too big, 3 time exceeded, 4 parameter problem).
 *                                ip6[40] is the first octet after the fixed 40-octet IPv6 header: the ICMPv6 type
 *                                when no extension header sits in between (the usual case for errors).
 *
 * ICMP errors quoting a TCP 4460 segment are among the ICMP ones.
 * Compiled by this libpcap (1.10) for Ethernet, Linux SLL and SLL2 (`tcpdump -d -y LINUX_SLL2 -i any '...'`).
 * Pure: a function of its options, tested as data.
 */
import { isIP } from 'node:net';
import { InputError } from '../../errors.js';

export const NTP_AND_ICMP_ERRORS = 'udp port 123 or tcp port 4460 or icmp[0] == 3 or icmp[0] == 11 or (icmp6 and ip6[40] < 5)';

export interface CaptureFilterOptions {
  /** Keep only packets to or from this address (`host H`). */
  host?: string;
}

/**
 * The filter expression for `ntpdoctor capture`. `host` must be an IPv4 or IPv6 address: a name would make
 * libpcap resolve it (DNS traffic from a diagnostic tool), and anything else could change the expression.
 */
export function buildCaptureFilter(options: CaptureFilterOptions = {}): string {
  const host = options.host;
  if (host === undefined) return NTP_AND_ICMP_ERRORS;
  if (isIP(host) === 0) throw new InputError(`--filter-host: not an IPv4 or IPv6 address: ${host}`);
  // The ICMP error's own source is the router or host that rejected; `host H` matches it when H is the server
  // that rejects (the usual case). The parentheses keep `and` from binding to the last alternative only.
  return `(${NTP_AND_ICMP_ERRORS}) and host ${host}`;
}
