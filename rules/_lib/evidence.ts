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
  const ev: Evidence = { text };
  const frames = [...new Set(samples.flatMap((s) => s.frames))].sort((a, b) => a - b);
  if (frames.length === 0) return ev;
  ev.frames = frames;
  ev.unit = unitOf(source);
  const total = samples.reduce((n, s) => n + s.count, 0);
  if (total > frames.length) ev.total = total;
  return ev;
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

/** '1 request', '4 requests'. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** How the numbers of a fact read in prose: 'frame 3', 'sample 2' (for titles, where no `frames` field renders). */
export function firstOf(source: Source, sample: FrameSample): string {
  const first = sample.frames[0];
  return first === undefined ? '' : `${unitOf(source)} ${first}`;
}
