/**
 * The numbers of one path's summary (./accumulate.ts PathAccumulator), laid out in two arrays: where each count,
 * statistic and frame sample lives, and the few operations on them.
 */
import type { FrameSample, Stats } from '../model/observation.js';
import { SAMPLE_FRAMES } from './samples.js';

/**
 * Every number a path accumulates, in two arrays: counts as small integers, the rest as unboxed doubles (V8
 * PACKED_DOUBLE_ELEMENTS). A capture with 100 k clients holds 100 k accumulators at once, and as object fields each
 * double would be a heap object of its own for the garbage collector to trace. Counts stay apart so that the
 * observation's `count` fields are small integers too (a number read from a double array would be stored boxed).
 */
export const REQUESTS = 0;
export const UNANSWERED = 1;
export const REPLIES = 2;
/** Five running statistics: a count each, and 3 double slots (min, max, sum) from the given index. */
export const ROOT_DELAY = 3;
export const ROOT_DISPERSION = 4;
export const ROOT_DISTANCE = 5;
export const OFFSET = 6;
export const DELAY = 7;
const COUNTS = 8;
/** Source ports a path names one by one (./ports.ts PortSet); past this many, counted. */
export const NAMED_PORTS = 8;
/**
 * The named ports live in the counts array too, after the counts (-1: none): small integers like them, and on a
 * capture whose 100 k clients change port per request (as chrony's do) an array of their own was two heap objects
 * more per path for the scavenger to copy.
 */
export const PORTS_AT = COUNTS;
export const INITIAL_COUNTS: readonly number[] = [0, 0, 0, 0, 0, 0, 0, 0, -1, -1, -1, -1, -1, -1, -1, -1];

export const FIRST_REQUEST = 0;
export const LAST_REQUEST = 1;
export const MIN_INTERVAL = 2;
export const BEST_DELAY = 3;
export const BEST_OFFSET = 4;
/** The youngest reference time among the replies: min over replies of transmit − reference ≥ 0 (s). */
export const REFERENCE_AGE = 5;
const STATS = 6;
/** Double slots of statistic `s` (ROOT_DELAY … DELAY): min, max, sum. */
const statAt = (s: number) => STATS + 3 * (s - ROOT_DELAY);
/** The first SAMPLE_FRAMES frames of the three frame samples (REQUESTS, UNANSWERED, REPLIES), from: */
const FRAMES = STATS + 3 * (COUNTS - ROOT_DELAY);
const framesAt = (sample: number) => FRAMES + SAMPLE_FRAMES * sample;
const SLOTS = FRAMES + 3 * SAMPLE_FRAMES;

/** Initial values, copied per path by slice() (which keeps the double elements kind). */
export const INITIAL: readonly number[] = (() => {
  const a: number[] = [];
  for (let i = 0; i < SLOTS; i++) a.push(0.5);
  a.fill(0);
  a[FIRST_REQUEST] = Infinity;
  a[LAST_REQUEST] = -Infinity;
  a[MIN_INTERVAL] = Infinity;
  a[BEST_DELAY] = Infinity;
  a[REFERENCE_AGE] = Infinity;
  for (let s = ROOT_DELAY; s < COUNTS; s++) {
    a[statAt(s)] = Infinity;
    a[statAt(s) + 1] = -Infinity;
  }
  return a;
})();

export function addStat(c: number[], n: number[], s: number, v: number): void {
  c[s]!++;
  const at = statAt(s);
  if (v < n[at]!) n[at] = v;
  if (v > n[at + 1]!) n[at + 1] = v;
  n[at + 2]! += v;
}

/** Counts below this have their last Stats remembered per statistic (statOf): 5 × 64 entries. */
const REUSE_COUNTS = 64;
const recentStats: Array<Stats | undefined> = new Array<Stats | undefined>((COUNTS - ROOT_DELAY) * REUSE_COUNTS).fill(undefined);

/** The same double, -0 told from 0 (the only pair === calls equal that JSON and Object.is do not). */
function same(a: number, b: number): boolean {
  return a === b && (a !== 0 || 1 / a === 1 / b);
}

export function statOf(c: readonly number[], n: readonly number[], s: number, best?: number): Stats | undefined {
  const count = c[s]!;
  if (count === 0) return undefined;
  const at = statAt(s);
  const min = n[at]!;
  const max = n[at + 1]!;
  const mean = n[at + 2]! / count;
  // One literal per shape: a property added later would put the object's properties out of line.
  if (best !== undefined) return { count, min, max, mean, best };
  if (count >= REUSE_COUNTS) return { count, min, max, mean };
  // Equal statistics share one object (an observation never changes): the 100 k clients of a server mostly have the
  // same root delay, dispersion and distance, and each Stats is four heap objects (measured: the most allocated
  // thing of a 100 k-path report). Remembered per statistic and count, the last one made.
  const k = (s - ROOT_DELAY) * REUSE_COUNTS + count;
  const recent = recentStats[k];
  if (recent !== undefined && same(recent.min, min) && same(recent.max, max) && same(recent.mean, mean)) return recent;
  const made = { count, min, max, mean };
  recentStats[k] = made;
  return made;
}

export function addFrame(c: number[], n: number[], sample: number, frame: number): void {
  const count = c[sample]!;
  if (count < SAMPLE_FRAMES) n[framesAt(sample) + count] = frame;
  c[sample] = count + 1;
}

/** The first `count` frames of a sample (at most SAMPLE_FRAMES), in an array exactly that long. */
export function framesOf(n: readonly number[], sample: number, count: number): number[] {
  const at = framesAt(sample);
  return n.slice(at, at + Math.min(count, SAMPLE_FRAMES));
}

export function sampleOf(c: readonly number[], n: readonly number[], sample: number): FrameSample {
  const count = c[sample]!;
  return { count, frames: framesOf(n, sample, count) };
}

