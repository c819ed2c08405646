/**
 * The shards of one capture as one: what a single thread would have produced, item for item (the test in
 * test/parallel/ compares the JSON reports byte for byte). How each part merges is declared with the part
 * (src/correlate/collect.ts KINDS).
 */
import type { CaptureReadResult } from '../capture/types.js';
import { mergeParts, type CaptureParts } from '../correlate/collect.js';
import type { ShardResult } from './types.js';

export type MergedShards = { read: CaptureReadResult } & CaptureParts;

export function mergeShards(shards: readonly ShardResult[], localIps: ReadonlySet<string>): MergedShards {
  const first = shards[0];
  if (first === undefined) throw new Error('mergeShards: no shards');
  return { read: first.read, ...mergeParts(shards, localIps) };
}
