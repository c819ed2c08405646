import { SAMPLE_FRAMES } from './accumulate.js';
import type { FrameSample } from './types.js';

/**
 * Two samples of the same fact from disjoint parts of one capture (shards, src/parallel/) as one: counts added,
 * and the earliest SAMPLE_FRAMES frames — what one sample fed every frame in order would hold, as long as each
 * input kept its own earliest frames (addToSample keeps the first ones).
 */
export function mergeSamples(a: FrameSample, b: FrameSample): FrameSample {
  const frames = [...a.frames, ...b.frames].sort((x, y) => x - y);
  if (frames.length > SAMPLE_FRAMES) frames.length = SAMPLE_FRAMES;
  return { count: a.count + b.count, frames };
}
