/**
 * The shards of one capture as one: what a single thread would have produced, item for item (the test in
 * test/parallel/ compares the JSON reports byte for byte). Paths come back in the order of the frame that made
 * each (the single-thread order); a path a shard kept exchanges of, that lands past MANY_PATHS in the merged
 * order, keeps none, as it would have there.
 */
import { ChecksumTracker } from '../correlate/checksums.js';
import { MANY_PATHS, type ShardPath } from '../correlate/correlator.js';
import { inexactPorts, mergeSamples } from '../observe/accumulate.js';
import type { ChecksumObservation, ControlObservation, FrameSample, NtpPathObservation } from '../model/observation.js';
import type { CaptureReadResult } from '../capture/types.js';
import type { TrafficCounts } from '../model/observation.js';
import type { ShardResult } from './types.js';

export interface MergedShards {
  read: CaptureReadResult;
  paths: NtpPathObservation[];
  checksums: ChecksumObservation[];
  controls: ControlObservation[];
  ntpFrames: number;
  decodeIssues: FrameSample;
  traffic?: TrafficCounts;
}

export function mergeShards(shards: readonly ShardResult[], localIps: ReadonlySet<string>): MergedShards {
  const first = shards[0];
  if (first === undefined) throw new Error('mergeShards: no shards');
  const all: ShardPath[] = shards.flatMap((s) => s.paths).sort((a, b) => a.firstFrame - b.firstFrame);
  const paths = all.map((p, i) => {
    const o = p.observation;
    if (i >= MANY_PATHS) {
      if (o.exchanges.length > 0) o.exchanges = [];
      // Nor an exact count of source ports past NAMED_PORTS (a single thread keeps no port map for such a path).
      if (o.clientPorts !== undefined) o.clientPorts = inexactPorts(o.clientPorts);
    }
    return o;
  });
  const controls = shards.flatMap((s) => s.controls);
  let decodeIssues = first.decodeIssues;
  let ntpFrames = first.ntpFrames;
  for (const s of shards.slice(1)) {
    decodeIssues = mergeSamples(decodeIssues, s.decodeIssues);
    ntpFrames += s.ntpFrames;
  }
  const tracker = ChecksumTracker.merged(localIps, shards.map((s) => s.checksums));
  const traffic = shards.find((s) => s.traffic !== undefined)?.traffic;
  return { read: first.read, paths, checksums: tracker.observations(), controls, ntpFrames, decodeIssues, ...(traffic !== undefined ? { traffic } : {}) };
}
