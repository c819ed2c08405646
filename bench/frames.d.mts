/** Types of ./frames.mjs, the one NTP/ICMP frame builder of the bench and the tests. */
export const NTP_EPOCH: number;

export interface NtpHeaderOptions {
  mode: number;
  version?: number;
  leap?: number;
  stratum?: number;
  poll?: number;
  precision?: number;
  /** RFC 5905 §6 short format, as the 32-bit field holds it (seconds × 65536). */
  rootDelayRaw?: number;
  rootDispersionRaw?: number;
  refid?: number;
  /** Unix seconds (fractional); null or absent: zero. */
  reference?: number | null;
  origin?: number | null;
  receive?: number | null;
  transmit?: number | null;
}

export function ntpHeader(o: NtpHeaderOptions): Uint8Array;
export function addressBytes(text: string): Uint8Array;
export function concat(...parts: Uint8Array[]): Uint8Array;
export function udp(src: string, dst: string, sport: number, dport: number, payload: Uint8Array, options?: { checksum?: boolean }): Uint8Array;
export interface TcpOptions {
  seq?: number;
  ack?: number;
  /** FIN 1, SYN 2, RST 4, PSH 8, ACK 16 (default ACK). */
  flags?: number;
  payload?: Uint8Array;
}
export function tcp(src: string, dst: string, sport: number, dport: number, options?: TcpOptions): Uint8Array;
export function tcpPacket(src: string, dst: string, sport: number, dport: number, options?: TcpOptions): Uint8Array;
export function ipv4(src: string, dst: string, protocol: number, payload: Uint8Array): Uint8Array;
export function ipv6(src: string, dst: string, next: number, payload: Uint8Array): Uint8Array;
/** One IPv6 extension header (RFC 8200 §4): hop-by-hop 0, routing 43, fragment 44, destination options 60. */
export interface Ipv6Extension {
  type: 0 | 43 | 44 | 60;
  /** Fragment only: offset in octets (a multiple of 8), more fragments, identification. */
  offset?: number;
  more?: boolean;
  id?: number;
}
export function ipv6Ext(src: string, dst: string, headers: Ipv6Extension[], next: number, payload: Uint8Array): Uint8Array;
export function udpPacket(src: string, dst: string, sport: number, dport: number, payload: Uint8Array): Uint8Array;
export function icmpError(reporter: string, to: string, quoted: Uint8Array, options?: { type?: number; code?: number }): Uint8Array;
export function ethernet(packet: Uint8Array, options?: { vlans?: number[] }): Uint8Array;
export function pcapHeader(linkType?: number): Uint8Array;
export function pcapRecord(time: number, frame: Uint8Array): Uint8Array;
export function pcapFile(records: Array<[number, Uint8Array]>, linkType?: number): Uint8Array;
