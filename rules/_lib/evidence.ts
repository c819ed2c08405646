/**
 * Evidence sentences, the same way in every rule: one short sentence per fact, the frame numbers (or, for an
 * active probe, the sample indexes) beside it so the user can open exactly those packets in Wireshark.
 * The text carries no numbers of frames: renderers print `frames`, worded by `unit`.
 */
import type { Evidence } from '../../src/diagnose/types.js';
import type { FrameSample, NtpPathObservation } from '../../src/model/observation.js';

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

/**
 * How many frame numbers a fact lists at most: the earliest ones (`total` still counts them all). A per-path fact
 * holds a sample's first SAMPLE_FRAMES (src/observe/accumulate.ts); a fact over a server's 100 k clients would
 * otherwise list every client's sample — 184 000 numbers in one line of a report, no use to anyone opening a capture.
 */
export const FACT_FRAMES = 16;

/** The samples' frame numbers, each once, ascending: the first FACT_FRAMES of them. */
function mergedFrames(samples: readonly FrameSample[]): number[] {
  const only = samples.length === 1 ? samples[0]!.frames : undefined;
  if (only !== undefined && only.length <= FACT_FRAMES && isAscending(only)) return only.slice();
  // The FACT_FRAMES smallest so far, ascending: a frame at or past the last of a full list cannot get in.
  const out: number[] = [];
  for (const s of samples) {
    for (const f of s.frames) {
      const n = out.length;
      if (n === FACT_FRAMES && f >= out[n - 1]!) continue;
      let i = n;
      while (i > 0 && out[i - 1]! > f) i--;
      if (i > 0 && out[i - 1] === f) continue;
      out.splice(i, 0, f);
      if (out.length > FACT_FRAMES) out.pop();
    }
  }
  return out;
}

function isAscending(frames: readonly number[]): boolean {
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i]!;
    if (i > 0 && !(f > frames[i - 1]!)) return false;
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

/** Source ports named one by one in evidence; past this, only their number. */
export const PORTS_NAMED = 8;

/**
 * The client's source ports on a path, every one: 'source port 42714', '6 source ports (42714, 41231, …)', or past
 * PORTS_NAMED just how many ('23 source ports', 'more than 8 source ports' when the capture counted no further).
 */
export function sourcePorts(p: Pick<NtpPathObservation, 'client' | 'clientPorts'>): string {
  const ports = p.clientPorts;
  if (ports === undefined || ports.count <= 1) return `source port ${ports?.ports[0] ?? p.client.port}`;
  if (ports.atLeast) return `more than ${ports.count - 1} source ports`;
  if (ports.count > PORTS_NAMED || ports.ports.length < ports.count) return `${ports.count} source ports`;
  return `${ports.count} source ports (${ports.ports.join(', ')})`;
}
