/**
 * Evidence sentences, the same way in every rule: one short sentence per fact, the frame numbers (or, for an
 * active probe, the sample indexes) beside it so the user can open exactly those packets in Wireshark.
 * The text carries no numbers of frames: renderers print `frames`, worded by `unit`.
 */
import type { Evidence } from '../../src/diagnose/types.js';
import type { FrameSample } from '../../src/observe/types.js';

export type Source = 'capture' | 'probe' | 'config' | 'node' | 'daemon';

/** 'frame' for captures, 'sample' for probes: a probe's numbers are sample indexes, not frames. */
export function unitOf(source: Source): 'frame' | 'sample' {
  return source === 'probe' ? 'sample' : 'frame';
}

/** A fact backed by packets: the numbers of one or more samples, merged, first few kept, total counted. */
export function fact(source: Source, text: string, ...samples: FrameSample[]): Evidence {
  return factOf(source, text, samples);
}

/**
 * fact() over a list of samples of any length: one per path on a server with 100 k clients, where spreading them
 * as arguments would overflow the stack.
 */
export function factOf(source: Source, text: string, samples: readonly FrameSample[]): Evidence {
  const ev: Evidence = { text };
  const frames = mergedFrames(samples);
  if (frames.length === 0) return ev;
  ev.frames = frames;
  ev.unit = unitOf(source);
  let total = 0;
  for (const s of samples) total += s.count;
  if (total > frames.length) ev.total = total;
  return ev;
}

/** The samples' frame numbers, each once, ascending. */
function mergedFrames(samples: readonly FrameSample[]): number[] {
  let n = 0;
  for (const s of samples) n += s.frames.length;
  if (n === 0) return [];
  const only = samples.length === 1 ? samples[0]!.frames : undefined;
  if (only !== undefined && isAscending(only)) return only.slice();
  let min = Infinity;
  let max = -Infinity;
  for (const s of samples) {
    for (const f of s.frames) {
      if (!Number.isInteger(f)) return [...new Set(samples.flatMap((x) => x.frames))].sort((a, b) => a - b);
      if (f < min) min = f;
      if (f > max) max = f;
    }
  }
  const out: number[] = [];
  const range = max - min + 1;
  if (range <= 16 * n + 1024) {
    // Frame numbers of one capture: dense enough to mark in a table and read back in order (no sort at all).
    const seen = new Uint8Array(range);
    for (const s of samples) for (const f of s.frames) seen[f - min] = 1;
    for (let i = 0; i < range; i++) if (seen[i] === 1) out.push(min + i);
    return out;
  }
  const all = new Float64Array(n);
  let i = 0;
  for (const s of samples) for (const f of s.frames) all[i++] = f;
  all.sort();
  for (let j = 0; j < n; j++) if (j === 0 || all[j] !== all[j - 1]) out.push(all[j]!);
  return out;
}

function isAscending(frames: readonly number[]): boolean {
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i]!;
    if (!Number.isInteger(f) || (i > 0 && !(f > frames[i - 1]!))) return false;
  }
  return true;
}

/** A fact with no packets behind it (a conclusion drawn from the others, or how the capture was read). */
export function note(text: string): Evidence {
  return { text };
}

/** Keeps evidence short on captures with many clients: the first `max` items plus one line for the rest. */
export function capped(items: Evidence[], max: number, what: string): Evidence[] {
  if (items.length <= max) return items;
  return [...items.slice(0, max), note(`… and ${items.length - max} more ${what} like these`)];
}

/** capped(items.map(describe), max, what), describing only the items it keeps. */
export function cappedMap<T>(items: readonly T[], max: number, what: string, describe: (item: T) => Evidence): Evidence[] {
  const kept: Evidence[] = [];
  for (let i = 0; i < items.length && i < max; i++) kept.push(describe(items[i]!));
  if (items.length > max) kept.push(note(`… and ${items.length - max} more ${what} like these`));
  return kept;
}

/** '1 request', '4 requests'. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** How the numbers of a fact read in prose: 'frame 3', 'sample 2' (for titles, where no `frames` field renders). */
export function firstOf(source: Source, sample: FrameSample): string {
  const first = sample.frames[0];
  return first === undefined ? '' : `${unitOf(source)} ${first}`;
}
