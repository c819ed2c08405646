/**
 * What a capture yields, declared once. KINDS lists every part of a capture's observations with how one thread
 * takes it from the collector (`one`), how one shard of several does (`shard`: plain data a worker can post), and
 * how the shards' parts become the single thread's (`merge`). analysis (src/run/records.ts) and src/parallel/ (shard.ts,
 * types.ts, merge.ts) read the table; a new observation kind from the packet path is one entry here (and its
 * collector, below), not a field threaded through six files.
 */
import type { CaptureSink } from '../capture/types.js';
import { inexactPorts } from '../observe/ports.js';
import { mergeSamples, newSample } from '../observe/samples.js';
import { TrafficCounter } from '../observe/traffic.js';
import type { NtpPathObservation, Observation } from '../model/observation.js';
import type { NtsKeSessionUpdate } from '../model/nts-wire.js';
import { ntsKeSessions, withNtsCounts } from '../observe/nts-ke.js';
import { ChecksumTracker } from './checksums.js';
import { Correlator, type CorrelatorOptions, type ShardPath } from './correlator.js';
import { NtsFieldCounter } from './nts-ef.js';
import { NtsKeTracker } from './nts-ke.js';
import { NtsKeLive } from './nts-ke-live.js';
import { MANY_PATHS } from './paths.js';
import { correlatorSink, type ShardFilter } from './records.js';

/** The collectors of one run (or one shard) over a capture's records. */
export class CaptureCollector {
  readonly correlator: Correlator;
  /** Frames with a 'malformed' decode issue. */
  readonly decodeIssues = newSample();
  /** Frames by protocol: one thread, or shard 0 of several (every shard reads every frame). */
  readonly traffic: TrafficCounter | undefined;
  /** NTS-KE connections (TCP 4460): one thread, or shard 0 of several, like traffic. */
  readonly ke: NtsKeTracker | undefined;
  /** NTS extension fields on UDP 123, per path: each shard counts the paths it was dealt. */
  readonly nts = new NtsFieldCounter();

  constructor(
    options: CorrelatorOptions,
    readonly shard?: ShardFilter,
    /** A live view's NTS-KE sessions as they change (./nts-ke-live.ts); one thread only. */
    onKeSession?: (s: NtsKeSessionUpdate) => void,
  ) {
    this.correlator = new Correlator(options);
    this.traffic = shard === undefined || shard.index === 0 ? new TrafficCounter() : undefined;
    this.ke = shard === undefined || shard.index === 0 ? new NtsKeTracker() : undefined;
    if (this.ke !== undefined && onKeSession !== undefined) {
      const live = new NtsKeLive(onKeSession);
      this.ke.onChange = (c) => live.changed(c);
    }
  }

  /** The per-frame loop (./records.ts) into these collectors. */
  sink(): CaptureSink {
    return correlatorSink(this.correlator, this.decodeIssues, this.shard, this.traffic, this.ke, this.nts);
  }
}

/** One kind: from one thread, from one shard, and the shards' parts merged (in shard order) into one thread's. */
interface Kind<One, Shard> {
  one(c: CaptureCollector): One;
  shard(c: CaptureCollector): Shard;
  merge(parts: Shard[], localIps: ReadonlySet<string>): One;
}

function kind<One, Shard>(k: Kind<One, Shard>): Kind<One, Shard> {
  return k;
}

/**
 * Paths back in the order of the frame that made each (the single-thread order); a path a shard kept exchanges of
 * that lands past MANY_PATHS in the merged order keeps none, as it would have there, nor an exact count of source
 * ports past NAMED_PORTS (a single thread keeps no port map for such a path).
 */
function mergePaths(parts: ShardPath[][]): NtpPathObservation[] {
  const all = parts.flat().sort((a, b) => a.firstFrame - b.firstFrame);
  return all.map((p, i) => {
    const o = p.observation;
    if (i >= MANY_PATHS) {
      if (o.exchanges.length > 0) o.exchanges = [];
      if (o.clientPorts !== undefined) o.clientPorts = inexactPorts(o.clientPorts);
    }
    return o;
  });
}

/** Every part of a capture's observations, in the order they are listed (src/run/records.ts assemble). */
export const KINDS = {
  paths: kind({ one: (c) => c.correlator.pathObservations(), shard: (c) => c.correlator.shardPaths(), merge: mergePaths }),
  checksums: kind({
    one: (c) => c.correlator.checksumObservations(),
    shard: (c) => c.correlator.checksumState(),
    merge: (parts, localIps) => ChecksumTracker.merged(localIps, parts).observations(),
  }),
  controls: kind({ one: (c) => c.correlator.controls.observations(), shard: (c) => c.correlator.controls.observations(), merge: (parts) => parts.flat() }),
  ntpFrames: kind({ one: (c) => c.correlator.ntpFrames, shard: (c) => c.correlator.ntpFrames, merge: (parts) => parts.reduce((n, x) => n + x, 0) }),
  decodeIssues: kind({ one: (c) => c.decodeIssues, shard: (c) => c.decodeIssues, merge: (parts) => parts.reduce((a, b) => mergeSamples(a, b)) }),
  traffic: kind({ one: (c) => c.traffic?.counts(), shard: (c) => c.traffic?.counts(), merge: (parts) => parts.find((t) => t !== undefined) }),
  /** NTS extension-field counts per path (each shard has its own paths): src/observe/nts-ke.ts puts them on the ntp-path observations. */
  ntsFields: kind({ one: (c) => c.nts.result(), shard: (c) => c.nts.result(), merge: (parts) => parts.flat() }),
  /** NTS-KE connections (TCP 4460): tracked by one thread or shard 0 (which sees every frame); src/observe/nts-ke.ts judges them. */
  ntsKe: kind({ one: (c) => c.ke?.result(), shard: (c) => c.ke?.result(), merge: (parts) => parts.find((k) => k !== undefined) }),
};

type Kinds = typeof KINDS;
/** A capture's parts as one thread has them. */
export type CaptureParts = { [K in keyof Kinds]: ReturnType<Kinds[K]['one']> };
/** One shard's parts (plain data: structured-clone safe). */
export type ShardParts = { [K in keyof Kinds]: ReturnType<Kinds[K]['shard']> };

const NAMES = Object.keys(KINDS) as Array<keyof Kinds>;

/**
 * The observations a capture's parts give, in the order the report lists them (src/run/records.ts assemble adds the
 * input's own after them): a new packet observation kind is its KINDS entry above and its line here, nothing else
 * in the packet path. Each takes every part: paths get their NTS counts before the NTS-KE sessions look for them.
 */
export const OBSERVATIONS: ReadonlyArray<(parts: CaptureParts) => readonly Observation[]> = [
  (p) => withNtsCounts(p.paths, p.ntsFields),
  (p) => ntsKeSessions(p.ntsKe, p.paths),
  (p) => p.checksums,
  (p) => p.controls,
];

/** The parts of a finished single-thread run. */
export function captureParts(c: CaptureCollector): CaptureParts {
  const out: Record<string, unknown> = {};
  for (const k of NAMES) out[k] = KINDS[k].one(c);
  return out as CaptureParts;
}

/** The parts of a finished shard. */
export function shardParts(c: CaptureCollector): ShardParts {
  const out: Record<string, unknown> = {};
  for (const k of NAMES) out[k] = KINDS[k].shard(c);
  return out as ShardParts;
}

/** The shards' parts (in shard order) as the single thread's. */
export function mergeParts(shards: readonly ShardParts[], localIps: ReadonlySet<string>): CaptureParts {
  if (shards.length === 0) throw new Error('mergeParts: no shards');
  const out: Record<string, unknown> = {};
  for (const k of NAMES) {
    const parts = shards.map((s) => s[k]) as never[];
    out[k] = (KINDS[k].merge as (p: never[], l: ReadonlySet<string>) => unknown)(parts, localIps);
  }
  return out as CaptureParts;
}
