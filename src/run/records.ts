/**
 * Records → observations, the one path every capture takes (a file: ./capture-file.ts; a live capture:
 * ./live-capture.ts): decode each record, correlate, then the path, checksum and control observations plus the
 * input's own facts. The parallel path (src/parallel/) ends in the same `assemble`.
 */
import type { CaptureReadResult, CaptureSink } from '../capture/types.js';
import { CaptureCollector, captureParts, OBSERVATIONS } from '../correlate/collect.js';
import type { Rule } from '../diagnose/types.js';
import type { NtpExchange } from '../model/exchange.js';
import type { NtsKeSessionUpdate } from '../model/nts-wire.js';
import type { InputObservation, Observation } from '../model/observation.js';
import type { WallTime } from '../net/wall-time.js';
import type { MergedShards } from '../parallel/merge.js';

export interface AnalyzeOptions {
  /** Addresses of the host the capture was taken on (tells sender-side checksum artifacts and offsets apart). */
  localIps?: string[];
  rules?: readonly Rule[];
  /** Streams each exchange as it completes (the TUI's live pane). Analysis then stays on one thread. */
  onExchange?: (x: NtpExchange) => void;
  /** Streams each NTS-KE session as it gains a connection or changes outcome (the live views). One thread only. */
  onKeSession?: (s: NtsKeSessionUpdate) => void;
  /** Threads for a capture file (src/parallel/); unset or 1: this thread only. */
  threads?: number;
}

export interface CaptureAnalysis {
  file: string;
  read: CaptureReadResult;
  observations: Observation[];
  exchanges: NtpExchange[];
}

/**
 * Where records come from: a capture file's reader, or a live capture (src/capture/live/). It hands every record
 * to the sink (the reused-record contract of src/capture/types.ts) and resolves once the source is exhausted.
 * `endedAt`, when the source knows it (a live capture's stop time), is when the observation window closed: a
 * request sent long before it and never answered is unanswered even if no frame came after it.
 */
export type RecordSource = (sink: CaptureSink) => Promise<CaptureReadResult & { endedAt?: WallTime }>;

/**
 * The one path from records to observations, for files and live captures alike: decode each record, correlate,
 * then the path, checksum and control observations plus the input's own facts. Throws InputError on bad input.
 */
export async function observeRecords(name: string, source: RecordSource, options: AnalyzeOptions = {}): Promise<CaptureAnalysis> {
  const localIps = new Set(options.localIps ?? []);
  const collector = new CaptureCollector(options.onExchange ? { localIps, onExchange: options.onExchange } : { localIps }, undefined, options.onKeSession);
  const read = await source(collector.sink());
  collector.correlator.end(read.endedAt);
  return assemble(name, read, localIps, captureParts(collector));
}

/** The observations of a capture in their one order, from one thread or from merged shards (src/parallel/merge.ts). */
export function assemble(
  name: string,
  read: CaptureReadResult,
  localIps: ReadonlySet<string>,
  parts: Omit<MergedShards, 'read'>,
): CaptureAnalysis {
  const observations: Observation[] = [];
  // One by one: a spread of 100 k paths into push() would pass 100 k arguments.
  for (const of of OBSERVATIONS) for (const o of of(parts)) observations.push(o);
  const input: Observation = {
    kind: 'input',
    source: 'capture',
    file: name,
    frames: read.frames,
    ntpFrames: parts.ntpFrames,
    decodeIssues: parts.decodeIssues,
  };
  if (read.stop) input.stop = read.stop;
  if (parts.traffic !== undefined) input.traffic = parts.traffic;
  const linkTypes = read.linkTypes ?? [...new Set(read.interfaces.map((i) => i.linkType))];
  if (linkTypes.length) input.linkTypes = linkTypes;
  const names = read.interfaces.flatMap((i) => (i.name !== undefined ? [i.name] : []));
  if (names.length) input.interfaceNames = names;
  observations.push(input);
  if (localIps.size) observations.push({ kind: 'local-addresses', source: 'capture', addresses: [...localIps] });
  return { file: name, read, observations, exchanges: parts.paths.flatMap((p) => p.exchanges) };
}


/** The capture's own input observation (every capture analysis has one). */
export function inputObservation(a: CaptureAnalysis): InputObservation | undefined {
  return a.observations.find((o): o is InputObservation => o.kind === 'input');
}
