/** Small formatting helpers shared by the renderers. */

/** Seconds → '+12.345 ms', '-31566952.610 s', '+48.2 µs' (sign always shown, unit chosen by size). */
export function formatSeconds(s: number, signed = true): string {
  const sign = signed ? (s < 0 ? '-' : '+') : s < 0 ? '-' : '';
  const a = Math.abs(s);
  if (a >= 1) return `${sign}${a.toFixed(3)} s`;
  if (a >= 1e-3) return `${sign}${(a * 1e3).toFixed(3)} ms`;
  return `${sign}${(a * 1e6).toFixed(1)} µs`;
}

/** 'frame 3', 'frames 3, 4, 5 … (12 in all)'. */
export function formatFrames(frames: readonly number[] | undefined, total?: number, noun = 'frame'): string {
  if (!frames || frames.length === 0) return '';
  const head = `${noun}${frames.length > 1 ? 's' : ''} ${frames.join(', ')}`;
  return total !== undefined && total > frames.length ? `${head} … (${total} in all)` : head;
}

export function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

export function padLeft(s: string, n: number): string {
  return s.length >= n ? s : ' '.repeat(n - s.length) + s;
}
