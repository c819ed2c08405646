import type { NtpDecodeResult } from '../ntp/types.js';

/** A problem decoding one layer of one frame (gopacket style: truncated ≠ malformed). */
export interface DecodeIssue {
  kind: 'truncated' | 'malformed' | 'unsupported';
  /** 'link', 'ipv4', 'ipv6', 'udp', 'icmp', 'icmpv6', 'ntp', 'ntp.extension', ... */
  layer: string;
  /** Offset in the frame's bytes where the problem is. */
  offset: number;
  need?: number;
  have?: number;
  message: string;
}

export interface IpInfo {
  version: 4 | 6;
  src: string;
  dst: string;
  /** IPv4 TTL or IPv6 hop limit. */
  ttl: number;
  /** 17 UDP, 1 ICMP, 58 ICMPv6... (after IPv6 extension headers). */
  protocol: number;
  /** Set when this is a fragment (MF set or offset ≠ 0, or an IPv6 fragment header). */
  fragment?: { offset: number; moreFragments: boolean; id: number };
  /** IPv4 DSCP/ECN byte or IPv6 traffic class. */
  tos: number;
}

export type ChecksumStatus = 'ok' | 'bad' | 'none' | 'unverifiable';

export interface UdpInfo {
  srcPort: number;
  dstPort: number;
  /** UDP length field. */
  length: number;
  checksum: number;
  /** 'none' = zero checksum on IPv4 (RFC 768); 'unverifiable' = datagram truncated or fragmented. */
  checksumStatus: ChecksumStatus;
  /** With 'bad': the field holds just the pseudo-header sum, what tx checksum offload leaves before the NIC fills it in. */
  checksumPartial?: boolean;
}

/** The original datagram an ICMP error quotes (RFC 792: IP header + at least 8 octets; RFC 1812/4443: more). */
export interface QuotedDatagram {
  ipVersion: 4 | 6;
  src: string;
  dst: string;
  protocol: number;
  srcPort?: number;
  dstPort?: number;
  /** Whatever of the quoted NTP payload is present (often only 0..40 octets). */
  ntp?: NtpDecodeResult;
}

export interface IcmpInfo {
  version: 4 | 6;
  type: number;
  code: number;
  /** True for error messages (v4 types 3, 4, 5, 11, 12; v6 types < 128). */
  isError: boolean;
  quoted?: QuotedDatagram;
}

export interface LinkInfo {
  linkType: number;
  /** 802.1Q / QinQ VLAN ids outermost first. */
  vlans?: number[];
  /** SLL/SLL2 packet type: 0 to us, 1 broadcast, 2 multicast, 3 to another host, 4 sent by us (outgoing). */
  packetType?: number;
  /** SLL2 interface index. */
  ifIndex?: number;
}

export interface DecodedFrame {
  frame: number;
  tsSec: number;
  tsNsec: number;
  capturedLength: number;
  originalLength: number;
  link: LinkInfo;
  ip?: IpInfo;
  udp?: UdpInfo;
  icmp?: IcmpInfo;
  /** NTP payload decode when UDP port 123 is on either side (or the caller forced NTP). */
  ntp?: NtpDecodeResult;
  issues: DecodeIssue[];
}
