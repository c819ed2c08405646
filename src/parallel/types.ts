import type { CaptureReadResult } from '../capture/types.js';
import type { ChecksumState } from '../correlate/checksums.js';
import type { ShardPath } from '../correlate/correlator.js';
import type { ShardFilter } from '../correlate/records.js';
import type { TrafficCounts } from '../model/observation.js';
import type { ControlObservation, FrameSample } from '../model/observation.js';

/** Shard `index` of `count`: the frames of the client↔server paths dealt to it (src/correlate/shard.ts). */
export type ShardSpec = ShardFilter;

/** What one shard of a capture yields: plain data, so a worker thread can post it (structured clone). */
export interface ShardResult {
  read: CaptureReadResult;
  paths: ShardPath[];
  checksums: ChecksumState;
  controls: ControlObservation[];
  ntpFrames: number;
  decodeIssues: FrameSample;
  /** Counted by shard 0 only (every shard reads every frame). */
  traffic?: TrafficCounts;
}

/** What the worker thread is given (workerData). */
export interface ShardTask {
  file: string;
  shard: ShardSpec;
  localIps: string[];
}

/** What the worker thread posts back: its shard, or the one line that says why it could not. */
export type ShardReply = { ok: true; result: ShardResult } | { ok: false; message: string; inputError: boolean };
