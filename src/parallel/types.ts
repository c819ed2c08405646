import type { CaptureReadResult } from '../capture/types.js';
import type { ShardParts } from '../correlate/collect.js';
import type { ShardFilter } from '../correlate/records.js';

/** Shard `index` of `count`: the frames of the client↔server paths dealt to it (src/correlate/shard.ts). */
export type ShardSpec = ShardFilter;

/**
 * What one shard of a capture yields: plain data, so a worker thread can post it (structured clone). The parts are
 * declared once, in src/correlate/collect.ts KINDS (traffic is counted by shard 0 only: every shard reads every frame).
 */
export type ShardResult = { read: CaptureReadResult } & ShardParts;

/** What the worker thread is given (workerData). */
export interface ShardTask {
  file: string;
  shard: ShardSpec;
  localIps: string[];
}

/** What the worker thread posts back: its shard, or the one line that says why it could not. */
export type ShardReply = { ok: true; result: ShardResult } | { ok: false; message: string; inputError: boolean };
