/** Numbers in evidence and titles, written the way ntpq / chronyc users read them. */

/** '47.5 ms', '1.250 s', '7.948 s', '31566952 s (365.4 days)'. Unsigned: callers say "ahead" / "behind". */
export function duration(seconds: number): string {
  const a = Math.abs(seconds);
  if (a === 0) return '0 s';
  if (a < 1e-3) return `${(a * 1e6).toFixed(1)} µs`;
  if (a < 1) return `${(a * 1e3).toFixed(1)} ms`;
  if (a < 1000) return `${a.toFixed(3)} s`;
  const whole = `${Math.round(a)} s`;
  if (a < 2 * 3600) return `${whole} (${(a / 60).toFixed(1)} min)`;
  if (a < 3 * 86400) return `${whole} (${(a / 3600).toFixed(1)} h)`;
  return `${whole} (${(a / 86400).toFixed(1)} days)`;
}

/** '+0.500 s' style, signed, for offsets quoted as the tools print them. */
export function signedSeconds(seconds: number): string {
  return `${seconds < 0 ? '-' : '+'}${Math.abs(seconds).toFixed(Math.abs(seconds) >= 1000 ? 3 : 6)} s`;
}

/** 0.25 → '25%'. */
export function percent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}
