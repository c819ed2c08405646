/**
 * One captured frame → its layers: link → IPv4/IPv6 → UDP or ICMP → NTP (UDP port 123 on either side, or a
 * port in options.ntpPorts).
 *
 * Never throws (gopacket style): a layer that cannot be decoded leaves an issue and the layers before it stand.
 * `issues` lists every issue of the frame, the NTP ones included (those are also in `ntp.issues`); the issues
 * of an NTP message quoted by an ICMP error stay in `icmp.quoted.ntp.issues` (a quote is short by design).
 * Nothing returned refers to record.data: addresses are strings and the NTP decoder copies its byte arrays.
 *
 * Hot path (millions of frames): no closures, no regexes, no BigInt, one options object reused for decodeNtp.
 */
import type { CaptureRecord } from '../capture/types.js';
import { decodeNtp, type NtpDecodeOptions } from '../ntp/codec.js';
import type { NtpDecodeIssue } from '../ntp/types.js';
import { decodeIcmp, IPPROTO_ICMP, IPPROTO_ICMPV6, isNtpPortPair } from './icmp.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import type { IpLayer } from './layer.js';
import { decodeLink } from './link.js';
import type { DecodedFrame, DecodeIssue } from './types.js';
import { decodeUdp } from './udp.js';

export interface DecodeFrameOptions {
  /** UDP ports to decode as NTP besides 123 (a server on port 11123, say). */
  ntpPorts?: readonly number[];
}

const IPPROTO_UDP = 17;
const ntpOptions: NtpDecodeOptions = {};

function decodeLayers(frame: DecodedFrame, b: Uint8Array, ntpPorts: readonly number[] | undefined): void {
  const issues = frame.issues;
  const end = b.length;
  const ipAt = decodeLink(b, end, frame.link, issues);
  if (ipAt < 0) return;
  if (ipAt >= end) {
    issues.push({ kind: 'truncated', layer: 'ip', offset: ipAt, need: 20, have: 0, message: 'no IP header' });
    return;
  }
  const version = (b[ipAt] as number) >>> 4;
  let ip: IpLayer | undefined;
  if (version === 4) ip = decodeIpv4(b, ipAt, end, issues);
  else if (version === 6) ip = decodeIpv6(b, ipAt, end, issues);
  else {
    issues.push({ kind: 'malformed', layer: 'ip', offset: ipAt, message: `IP version ${version}` });
    return;
  }
  if (ip === undefined) return;
  frame.ip = ip.info;
  const protocol = ip.info.protocol;
  if (ip.laterFragment) return; // no upper-layer header in a non-first fragment
  if (protocol === IPPROTO_UDP) {
    const udp = decodeUdp(b, ip, issues);
    if (udp === undefined) return;
    frame.udp = udp.info;
    if (!isNtpPortPair(udp.info.srcPort, udp.info.dstPort, ntpPorts)) return;
    ntpOptions.wireLength = udp.payloadWireLength;
    const ntp = decodeNtp(b, udp.payloadStart, udp.payloadEnd - udp.payloadStart, ntpOptions);
    frame.ntp = ntp;
    const ntpIssues = ntp.issues;
    for (let i = 0; i < ntpIssues.length; i++) issues.push(ntpIssues[i] as NtpDecodeIssue);
  } else if ((protocol === IPPROTO_ICMP && version === 4) || (protocol === IPPROTO_ICMPV6 && version === 6)) {
    const icmp = decodeIcmp(b, ip, issues, ntpPorts);
    if (icmp !== undefined) frame.icmp = icmp;
  }
}

export function decodeFrame(record: CaptureRecord, options?: DecodeFrameOptions): DecodedFrame {
  const frame: DecodedFrame = {
    frame: record.frame,
    tsSec: record.tsSec,
    tsNsec: record.tsNsec,
    capturedLength: record.capturedLength,
    originalLength: record.originalLength,
    link: { linkType: record.linkType },
    issues: [],
  };
  try {
    decodeLayers(frame, record.data, options?.ntpPorts);
  } catch (err) {
    // Defensive: a decoder bug must cost one frame's upper layers, never the file.
    const issue: DecodeIssue = {
      kind: 'malformed',
      layer: 'frame',
      offset: 0,
      message: `decoder error: ${err instanceof Error ? err.message : String(err)}`,
    };
    frame.issues.push(issue);
  }
  return frame;
}
