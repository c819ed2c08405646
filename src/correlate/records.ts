/**
 * Capture records into a Correlator — the per-frame loop of analysis, for one thread (src/run/records.ts) and for one
 * shard of several (src/parallel/shard.ts). Cheapest test first:
 * 1. with shards, the header fast path (./shard.ts) puts the frame on another shard's path: only its time matters;
 * 2. a plain 48-octet mode 3/4 datagram decodes straight to primitives (src/decode/time-frame.ts), and so does an
 *    ICMP error quoting a request (src/decode/icmp-frame.ts);
 * 3. a frame that cannot matter (src/decode/prefilter.ts) only moves the capture clock;
 * 4. anything else is decoded in full; its 'malformed' issues are sampled for the report.
 * NTS-KE (TCP 4460, ./nts-ke.ts) is offered the frames that are not UDP, once each, beside these steps: one
 * thread after the NTP fast path (a plain NTP frame never reaches it), shard 0 of several before routing.
 */
import type { CaptureSink } from '../capture/types.js';
import { recordBytes, recordEnd, recordStart } from '../capture/record.js';
import { decodeFrame } from '../decode/frame.js';
import { icmpFrameAt, IcmpFrame } from '../decode/icmp-frame.js';
import { upperLayerAt } from '../decode/ipv6-ext.js';
import { IPPROTO_UDP, Located, locate } from '../decode/locate.js';
import { isIrrelevantAt } from '../decode/prefilter.js';
import { decodeTimeFrame, timeFrameAt, TimeFrame } from '../decode/time-frame.js';
import type { DecodedFrame } from '../decode/types.js';
import { addToSample } from '../observe/accumulate.js';
import type { FrameSample } from '../model/observation.js';
import type { TrafficCounter } from '../observe/traffic.js';
import type { Correlator } from './correlator.js';
import type { NtsFieldCounter } from './nts-ef.js';
import type { NtsKeTracker } from './nts-ke.js';
import { framePathHash, locatedPathHash, ShardRouter, UNDECIDED } from './shard.js';

/** Which shard of how many this sink keeps (src/parallel/); undefined: every frame. */
export interface ShardFilter {
  index: number;
  count: number;
}

/**
 * `traffic`, when given, counts every frame by protocol, and `ke` follows the NTS-KE connections (one shard of
 * several is given them: each sees every frame).
 */
export function correlatorSink(
  correlator: Correlator,
  decodeIssues: FrameSample,
  shard?: ShardFilter,
  traffic?: TrafficCounter,
  ke?: NtsKeTracker,
  nts?: NtsFieldCounter,
): CaptureSink {
  const time = new TimeFrame();
  const icmp = new IcmpFrame();
  const index = shard?.index ?? 0;
  const router = shard !== undefined && shard.count > 1 ? new ShardRouter(shard.count) : undefined;
  // Frames the straight decode declines (and every frame with shards): one walk of their headers
  // (src/decode/locate.ts), whose offsets every test below reads.
  const h = new Located();
  const behind = new Located();
  return (record) => {
    const b = recordBytes(record);
    const start = recordStart(record);
    const end = recordEnd(record);
    // One thread: a plain NTP frame (nearly all of a capture) is decoded straight, without the Located walk below.
    if (router === undefined && decodeTimeFrame(b, start, end, record.linkType, time)) {
      time.frame = record.frame;
      time.sec = record.tsSec;
      time.nsec = record.tsNsec;
      if (traffic !== undefined) traffic.ntpFrame(time.ipVersion);
      correlator.feedTime(time);
      return;
    }
    const ipOk = locate(b, start, end, record.linkType, h);
    // Shard 0 of several counts every frame here (the others' frames leave below); one thread counts a plain NTP
    // frame with two increments in the fast path and the rest in full (the same counts: that frame is UDP port 123).
    if (traffic !== undefined && router !== undefined) traffic.countLocated(b, end, h);
    if (ke !== undefined && router !== undefined && ipOk && h.protocol !== IPPROTO_UDP) ke.offer(b, end, h, record.frame, record.tsSec, record.tsNsec);
    // With shards, every shard runs the same router calls in the same frame order (see ShardRouter).
    let hash = UNDECIDED;
    if (router !== undefined) {
      hash = locatedPathHash(b, end, h);
      if (hash !== UNDECIDED && router.shardOf(hash) !== index) {
        correlator.tick(record.tsSec, record.tsNsec);
        return;
      }
    }
    if (ipOk && (router === undefined || hash !== UNDECIDED) && timeFrameAt(b, end, h, time)) {
      time.frame = record.frame;
      time.sec = record.tsSec;
      time.nsec = record.tsNsec;
      if (traffic !== undefined && router === undefined) traffic.ntpFrame(time.ipVersion);
      correlator.feedTime(time);
      return;
    }
    if (traffic !== undefined && router === undefined) traffic.countLocated(b, end, h);
    if (ke !== undefined && router === undefined && ipOk && h.protocol !== IPPROTO_UDP) ke.offer(b, end, h, record.frame, record.tsSec, record.tsNsec);
    // ICMP errors quoting a request: with shards, the full decode below finds their path (recordPathHash cannot).
    if (ipOk && router === undefined && icmpFrameAt(b, end, h, icmp)) {
      icmp.frame = record.frame;
      icmp.sec = record.tsSec;
      icmp.nsec = record.tsNsec;
      correlator.feedIcmp(icmp);
      return;
    }
    if (isIrrelevantAt(b, end, h)) {
      correlator.tick(record.tsSec, record.tsNsec);
      return;
    }
    const frame: DecodedFrame = decodeFrame(record);
    if (router !== undefined && hash === UNDECIDED && router.shardOf(framePathHash(frame)) !== index) {
      correlator.tick(record.tsSec, record.tsNsec);
      return;
    }
    if (frame.issues.length && frame.issues.some((i) => i.kind === 'malformed')) addToSample(decodeIssues, frame.frame);
    correlator.feed(frame);
    // NTS extension fields (./nts-ef.ts): whole datagrams longer than UDP's 8 + NTP's 48 octets only.
    const udp = frame.udp;
    // IPv6 extension headers before UDP are walked here, on this slow path only (src/decode/ipv6-ext.ts).
    if (nts !== undefined && udp !== undefined && udp.length > 56 && ipOk) {
      const at = upperLayerAt(b, end, h, IPPROTO_UDP, behind);
      if (at >= 0 && at + udp.length <= end) nts.add(frame, b.subarray(at + 8, at + udp.length));
    }
  };
}
