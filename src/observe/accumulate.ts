import type { Endpoint, NtpExchange } from '../correlate/types.js';
import { addToSample, KEEP_EXCHANGES, newSample, PathColumns, SAMPLE_FRAMES, type KeepCounts } from './path-columns.js';
import type { FrameSample, NtpPathObservation } from './types.js';

export { addToSample, KEEP_EXCHANGES, newSample, SAMPLE_FRAMES };

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

/**
 * Incremental summary of one client↔server path: the probe feeds it its samples (summarizePath). One row of a
 * PathColumns (./path-columns.ts), the store the capture correlator keeps all of a capture's paths in, so a probe
 * and a capture of the same traffic give the same observation.
 */
export class PathAccumulator {
  private readonly columns = new PathColumns();
  private readonly row: number;

  constructor(
    readonly source: 'capture' | 'probe',
    readonly client: Endpoint,
    readonly server: Endpoint,
    private readonly keepCounts: Readonly<KeepCounts> = KEEP_EXCHANGES,
  ) {
    this.row = this.columns.add(keepCounts, client, server);
  }

  /** A request went out (frame or sample index, time in s since the epoch). Returns its 0-based sequence. */
  addRequest(frame: number, time: number): number {
    return this.columns.addRequest(this.row, frame, time);
  }

  /** The request's fate is known: reply, ICMP error or nothing. `seq` is what addRequest returned (see PathColumns.addOutcome). */
  addOutcome(x: NtpExchange, seq: number, shape = 0): void {
    this.columns.addOutcome(this.row, x, seq, shape);
  }

  /** See PathColumns.slotFor. */
  slotFor(shape: number): NtpExchange | undefined {
    return this.columns.slotFor(this.row, shape);
  }

  get exchangeCount(): number {
    return this.columns.exchangeCount(this.row);
  }

  toObservation(capturedAt: NtpPathObservation['capturedAt']): NtpPathObservation {
    return this.columns.toObservation(this.row, this.source, this.client, this.server, capturedAt);
  }
}
