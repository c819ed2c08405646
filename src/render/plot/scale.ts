/** Axis scales for the plot: "nice" ticks (1, 2, 5 × 10^k), and labels in the unit the values need. */

export interface Ticks {
  min: number;
  max: number;
  step: number;
  values: number[];
}

/**
 * About `count` ticks covering [lo, hi], at a step of 1, 2 or 5 × 10^k; the axis widened to whole steps. A range
 * of zero width (one value) is widened around it so the point sits mid-axis.
 */
export function niceTicks(lo: number, hi: number, count = 5): Ticks {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return { min: 0, max: 1, step: 0.5, values: [0, 0.5, 1] };
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) {
    const pad = lo === 0 ? 1e-6 : Math.abs(lo) * 1e-3;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const min = Math.floor(lo / step) * step;
  const max = Math.ceil(hi / step) * step;
  const values: number[] = [];
  // Bounded: (max − min) / step is about `count` by construction; the cap guards against float surprises.
  for (let i = 0, v = min; v <= max + step / 2 && i < 100; i++, v = min + i * step) values.push(Math.abs(v) < step / 1e6 ? 0 : v);
  return { min, max, step, values };
}

/** The unit a whole axis is labelled in, from its largest magnitude: s, ms or µs (ns below). */
export function secondsUnit(maxAbs: number): { name: string; scale: number } {
  if (maxAbs >= 1) return { name: 's', scale: 1 };
  if (maxAbs >= 1e-3) return { name: 'ms', scale: 1e3 };
  if (maxAbs >= 1e-6) return { name: 'µs', scale: 1e6 };
  return { name: 'ns', scale: 1e9 };
}

/** A tick label: as few decimals as the step needs (step 0.5 ms → '1.5'), no '-0'. */
export function tickLabel(value: number, step: number, scale: number): string {
  const decimals = Math.max(0, Math.min(9, -Math.floor(Math.log10(step * scale) + 1e-9)));
  const text = (value * scale).toFixed(decimals);
  return /^-0(\.0+)?$/.test(text) ? text.slice(1) : text;
}

/** Elapsed-time axis: seconds, minutes or hours from the first exchange. */
export function timeUnit(span: number): { name: string; scale: number } {
  if (span >= 3 * 3600) return { name: 'h', scale: 1 / 3600 };
  if (span >= 180) return { name: 'min', scale: 1 / 60 };
  return { name: 's', scale: 1 };
}
