/**
 * Time bounds for `trace`: one deadline for the whole trace and a budget per hop, both on the monotonic clock
 * (a clock step while tracing must not stretch or cut them). A hostile or broken hop can then cost at most its
 * hop budget, and the whole trace at most the deadline, whatever its hops answer (or never finish answering).
 */

/** Default deadline for a whole trace (s): 8 healthy hops take ~1 s each. */
export const DEFAULT_TRACE_DEADLINE = 20;

/** Below this a query is not worth sending: its answer could not arrive in time. */
export const MIN_QUERY_MS = 50;

/**
 * The per-hop budget when `--hop-timeout` is not given: a quarter of the deadline, at least 2 s (a dead hop's two
 * 1 s probe samples) and at most 10 s, never more than the deadline. With the 20 s default: 5 s, so a hop that
 * stalls cannot keep the trace from at least its next three hops.
 */
export function defaultHopBudget(deadlineSeconds: number): number {
  return Math.min(deadlineSeconds, Math.max(2, Math.min(10, deadlineSeconds / 4)));
}

export type Now = () => number;

export const monotonicMs: Now = () => performance.now();

/** An absolute end on the monotonic clock (ms), with what is left of it. */
export class Deadline {
  constructor(
    readonly endMs: number,
    private readonly now: Now = monotonicMs,
  ) {}

  static after(seconds: number, now: Now = monotonicMs): Deadline {
    return new Deadline(now() + seconds * 1000, now);
  }

  leftMs(): number {
    return Math.max(0, this.endMs - this.now());
  }

  /** Too little left to send one more query. */
  get spent(): boolean {
    return this.leftMs() < MIN_QUERY_MS;
  }

  /** The earlier of this and `seconds` from now. */
  within(seconds: number): Deadline {
    return new Deadline(Math.min(this.endMs, this.now() + seconds * 1000), this.now);
  }
}

/**
 * Probe parameters that fit in `leftMs`. probeAddress's worst case is about timeout + (samples − 1) × max(timeout,
 * interval) (answered samples are spaced by the interval, a silent one waits its timeout): shrink to one sample, then the
 * timeout, rather than overrun. Undefined when not even a short sample fits.
 */
export function fitProbe(
  leftMs: number,
  wanted: { samples: number; timeout: number; interval: number },
): { samples: number; timeout: number; interval: number } | undefined {
  const worst = (p: { samples: number; timeout: number; interval: number }): number => (p.timeout + (p.samples - 1) * Math.max(p.timeout, p.interval)) * 1000;
  if (worst(wanted) <= leftMs) return wanted;
  const one = { samples: 1, timeout: wanted.timeout, interval: wanted.interval };
  if (worst(one) <= leftMs) return one;
  const timeout = (leftMs - 20) / 1000;
  if (timeout * 1000 < MIN_QUERY_MS) return undefined;
  return { samples: 1, timeout, interval: wanted.interval };
}
