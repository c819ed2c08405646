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
 * A reader's record is decoded in place, from `record.buffer` at `record.dataOffset` (no view per frame): every
 * decoder works on indexes into that buffer, and issue offsets are made frame-relative once at the end.
 */
import { recordBytes, recordEnd, recordStart } from '../capture/record.js';
import type { CaptureRecord } from '../capture/types.js';
import { decodeNtp, type NtpDecodeOptions } from '../ntp/codec.js';
import type { NtpDecodeIssue } from '../ntp/types.js';
import { decodeIcmp, IPPROTO_ICMP, IPPROTO_ICMPV6, isNtpPortPair } from './icmp.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import { newIpLayer } from './layer.js';
import { decodeLink } from './link.js';
import type { DecodedFrame, DecodeIssue } from './types.js';
import { decodeUdp, newUdpLayer } from './udp.js';

export interface DecodeFrameOptions {
  /** UDP ports to decode as NTP besides 123 (a server on port 11123, say). */
  ntpPorts?: readonly number[];
}

const IPPROTO_UDP = 17;
const ntpOptions: NtpDecodeOptions = {};
/** The IP and UDP layer records, reused frame after frame (decodeFrame is not re-entrant). */
const ipLayer = newIpLayer();
const udpLayer = newUdpLayer();

/** Decodes the frame `b[start, end)`. Issue offsets are left as indexes into `b`. */
function decodeLayers(frame: DecodedFrame, b: Uint8Array, start: number, end: number, ntpPorts: readonly number[] | undefined): void {
  const issues = frame.issues;
  const ipAt = decodeLink(b, start, end, frame.link, issues);
  if (ipAt < 0) return;
  if (ipAt >= end) {
    issues.push({ kind: 'truncated', layer: 'ip', offset: ipAt, need: 20, have: 0, message: 'no IP header' });
    return;
  }
  const version = (b[ipAt] as number) >>> 4;
  let decoded: boolean;
  if (version === 4) decoded = decodeIpv4(b, ipAt, end, issues, ipLayer);
  else if (version === 6) decoded = decodeIpv6(b, ipAt, end, issues, ipLayer);
  else {
    issues.push({ kind: 'malformed', layer: 'ip', offset: ipAt, message: `IP version ${version}` });
    return;
  }
  if (!decoded) return;
  frame.ip = ipLayer.info;
  const protocol = ipLayer.info.protocol;
  if (ipLayer.laterFragment) return; // no upper-layer header in a non-first fragment
  if (protocol === IPPROTO_UDP) {
    if (!decodeUdp(b, ipLayer, issues, udpLayer)) return;
    frame.udp = udpLayer.info;
    if (!isNtpPortPair(udpLayer.info.srcPort, udpLayer.info.dstPort, ntpPorts)) return;
    ntpOptions.wireLength = udpLayer.payloadWireLength;
    const ntp = decodeNtp(b, udpLayer.payloadStart, udpLayer.payloadEnd - udpLayer.payloadStart, ntpOptions);
    frame.ntp = ntp;
    const ntpIssues = ntp.issues;
    for (let i = 0; i < ntpIssues.length; i++) issues.push(ntpIssues[i] as NtpDecodeIssue);
  } else if ((protocol === IPPROTO_ICMP && version === 4) || (protocol === IPPROTO_ICMPV6 && version === 6)) {
    const icmp = decodeIcmp(b, ipLayer, issues, ntpPorts);
    if (icmp !== undefined) frame.icmp = icmp;
  }
}

/** Makes issue offsets relative to the frame's first octet at `start` (the NTP issues are the same objects). */
function rebaseIssues(frame: DecodedFrame, start: number): void {
  const issues = frame.issues;
  for (let i = 0; i < issues.length; i++) (issues[i] as DecodeIssue).offset -= start;
  // An ICMP quote's NTP issues are not in frame.issues (see the file comment).
  const quoted = frame.icmp?.quoted?.ntp?.issues;
  if (quoted !== undefined) for (let i = 0; i < quoted.length; i++) (quoted[i] as NtpDecodeIssue).offset -= start;
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
  // Zero-copy when the reader offers it (src/capture/types.ts): the same bytes as `record.data`.
  const b = recordBytes(record);
  const start = recordStart(record);
  const end = recordEnd(record);
  let failure: DecodeIssue | undefined;
  try {
    decodeLayers(frame, b, start, end, options?.ntpPorts);
  } catch (err) {
    // Defensive: a decoder bug must cost one frame's upper layers, never the file.
    failure = {
      kind: 'malformed',
      layer: 'frame',
      offset: 0,
      message: `decoder error: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
  if (start !== 0) rebaseIssues(frame, start);
  if (failure !== undefined) frame.issues.push(failure);
  return frame;
}
