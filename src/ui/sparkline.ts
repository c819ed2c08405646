/**
 * A one-line chart of offset over time: ▁▂▃▄▅▆▇█, one cell per value, scaled between the smallest and the
 * largest value shown. Pure; no Ink.
 */

export const BARS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;
/** A value that is missing (an exchange with no reply, so no offset). */
export const GAP = '·';

/**
 * The last `width` values as bars. `undefined` (or a non-finite value) is a gap. All values equal: the middle
 * bar, so a steady offset reads as flat, not as "lowest". Empty input or width 0: ''.
 */
export function sparkline(values: ReadonlyArray<number | undefined>, width = values.length): string {
  if (width <= 0) return '';
  const shown = values.slice(-width);
  const finite = shown.filter((v): v is number => v !== undefined && Number.isFinite(v));
  if (finite.length === 0) return GAP.repeat(shown.length);
  let min = Infinity;
  let max = -Infinity;
  for (const v of finite) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const span = max - min;
  const top = BARS.length - 1;
  return shown
    .map((v) => {
      if (v === undefined || !Number.isFinite(v)) return GAP;
      if (span === 0) return BARS[top >> 1];
      return BARS[Math.min(top, Math.round(((v - min) / span) * top))];
    })
    .join('');
}
