/**
 * Frame samples: a count and the first few frame numbers of a fact, which evidence cites (a finding names frames
 * a reader can open in Wireshark). Counts stay exact; the examples are bounded.
 */
import type { FrameSample, ValueSeen } from '../model/observation.js';

/** How many example frame numbers evidence keeps per fact; the counts stay exact. */
export const SAMPLE_FRAMES = 8;
/**
 * Distinct values a field (refid, kiss code, failed test) or ICMP errors of distinct kinds listed per path at most: all
 * 256 strata fit; past that, a new value is not listed (its replies still count in `replies`).
 */
export const DISTINCT_VALUES = 256;

export function newSample(): FrameSample {
  return { count: 0, frames: [] };
}

export function addToSample(s: FrameSample, frame: number): void {
  s.count++;
  if (s.frames.length < SAMPLE_FRAMES) s.frames.push(frame);
}

/**
 * Two samples of the same fact from disjoint parts of one capture (shards, src/parallel/) as one: counts added,
 * and the earliest SAMPLE_FRAMES frames — what one sample fed every frame in order would hold, since addToSample
 * keeps the first ones.
 */
export function mergeSamples(a: FrameSample, b: FrameSample): FrameSample {
  const frames = [...a.frames, ...b.frames].sort((x, y) => x - y);
  if (frames.length > SAMPLE_FRAMES) frames.length = SAMPLE_FRAMES;
  return { count: a.count + b.count, frames };
}

/** Adds `frame` to the sample of `value`; true when the frame was kept among the sample's examples. */
export function addValue<T>(list: ValueSeen<T>[], value: T, frame: number): boolean {
  let seen: ValueSeen<T> | undefined;
  for (let i = 0; i < list.length; i++) {
    if (list[i]!.value === value) {
      seen = list[i];
      break;
    }
  }
  if (!seen) {
    // Bounded: spoofed replies can carry millions of refids, and each new one would lengthen this scan.
    if (list.length >= DISTINCT_VALUES) return false;
    seen = { value, count: 0, frames: [] };
    list.push(seen);
  }
  const kept = seen.count < SAMPLE_FRAMES;
  addToSample(seen, frame);
  return kept;
}

/**
 * The empty list of every observation that has none of a kind (most paths have no ICMP errors, kiss codes, failed
 * tests or kept exchanges): one frozen array, not four per path (100 k paths), since an observation never changes.
 */
export const NONE: never[] = Object.freeze([]) as unknown as never[];

/** A copy with its own frames (exactly as long as they are), so an observation never changes after it is made. */
export function copySeen<S extends FrameSample>(list: readonly S[] | undefined): S[] {
  if (list === undefined) return NONE;
  return list.map((s) => ({ ...s, frames: s.frames.slice() }));
}
