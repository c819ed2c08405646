/**
 * One shard of a capture file: the whole file is read (from the page cache, it costs little), every frame moves
 * the capture clock, and only the frames of this shard's client↔server paths are decoded and correlated. Frames
 * the header octets cannot place (ICMP errors, VLAN tags, fragments...) are decoded to find their path.
 * Runs in a worker thread (./worker.ts) or on the main thread for shard 0 (./run.ts).
 */
import { readCapture } from '../capture/read.js';
import { Correlator } from '../correlate/correlator.js';
import { frameShard, recordShard, UNDECIDED } from '../correlate/shard.js';
import { decodeFrame } from '../decode/frame.js';
import { isIrrelevantFrame } from '../decode/prefilter.js';
import type { DecodedFrame } from '../decode/types.js';
import { addToSample, newSample } from '../observe/accumulate.js';
import type { ShardResult, ShardSpec } from './types.js';

export async function observeShard(file: string, spec: ShardSpec, localIps: readonly string[]): Promise<ShardResult> {
  const ips = new Set(localIps);
  const correlator = new Correlator({ localIps: ips, shards: spec.count });
  const decodeIssues = newSample();
  const { index, count } = spec;
  const read = await readCapture(file, (record) => {
    let b = record.buffer;
    let start = record.dataOffset ?? 0;
    let end: number;
    if (b === undefined || record.dataOffset === undefined) {
      b = record.data;
      start = 0;
      end = b.length;
    } else end = Math.min(start + record.capturedLength, b.length);
    if (isIrrelevantFrame(b, start, end, record.linkType)) {
      correlator.tick(record.tsSec, record.tsNsec);
      return;
    }
    let frame: DecodedFrame | undefined;
    let shard = recordShard(b, start, end, record.linkType, count);
    if (shard === UNDECIDED) {
      frame = decodeFrame(record);
      shard = frameShard(frame, count);
    }
    if (shard !== index) {
      correlator.tick(record.tsSec, record.tsNsec);
      return;
    }
    frame ??= decodeFrame(record);
    if (frame.issues.length && frame.issues.some((i) => i.kind === 'malformed')) addToSample(decodeIssues, frame.frame);
    correlator.feed(frame);
  });
  correlator.end();
  return {
    read,
    paths: correlator.shardPaths(),
    checksums: correlator.checksums.state(),
    controls: correlator.controls.observations(),
    ntpFrames: correlator.ntpFrames,
    decodeIssues,
  };
}
