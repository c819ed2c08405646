/**
 * One shard of a capture file: the whole file is read (from the page cache, it costs little), every frame moves
 * the capture clock, and only the frames of this shard's client↔server paths are decoded and correlated. Frames
 * the header octets cannot place (ICMP errors, VLAN tags, fragments...) are decoded to find their path.
 * Runs in a worker thread (./worker.ts) or on the main thread for shard 0 (./run.ts).
 */
import { readCapture } from '../capture/read.js';
import { Correlator } from '../correlate/correlator.js';
import { correlatorSink } from '../correlate/records.js';
import { newSample } from '../observe/accumulate.js';
import { TrafficCounter } from '../observe/traffic.js';
import type { ShardResult, ShardSpec } from './types.js';

export async function observeShard(file: string, spec: ShardSpec, localIps: readonly string[]): Promise<ShardResult> {
  const ips = new Set(localIps);
  const correlator = new Correlator({ localIps: ips });
  const decodeIssues = newSample();
  const traffic = spec.index === 0 ? new TrafficCounter() : undefined;
  const read = await readCapture(file, correlatorSink(correlator, decodeIssues, spec, traffic));
  correlator.end();
  return {
    read,
    paths: correlator.shardPaths(),
    checksums: correlator.checksumState(),
    controls: correlator.controls.observations(),
    ntpFrames: correlator.ntpFrames,
    decodeIssues,
    ...(traffic !== undefined ? { traffic: traffic.counts() } : {}),
  };
}
