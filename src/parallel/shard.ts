/**
 * One shard of a capture file: the whole file is read (from the page cache, it costs little), every frame moves
 * the capture clock, and only the frames of this shard's client↔server paths are decoded and correlated. Frames
 * the header octets cannot place (ICMP errors, fragments...) are decoded to find their path.
 * Runs in a worker thread (./worker.ts) or on the main thread for shard 0 (./run.ts).
 */
import { readCapture } from '../capture/read.js';
import { CaptureCollector, shardParts } from '../correlate/collect.js';
import type { ShardResult, ShardSpec } from './types.js';

export async function observeShard(file: string, spec: ShardSpec, localIps: readonly string[]): Promise<ShardResult> {
  const collector = new CaptureCollector({ localIps: new Set(localIps) }, spec);
  const read = await readCapture(file, collector.sink());
  collector.correlator.end();
  return { read, ...shardParts(collector) };
}
