import { readCapture } from './capture/read.js';
import type { CaptureReadResult, CaptureSink, CaptureTime } from './capture/types.js';
import { InputError } from './errors.js';
import type { WallTime } from './net/wall-time.js';
import { Correlator } from './correlate/correlator.js';
import type { NtpExchange } from './model/exchange.js';
import { correlatorSink } from './correlate/records.js';
import { runRules } from './diagnose/engine.js';
import { buildReport, mergeFindings } from './diagnose/report.js';
import type { Finding, Report, ReportInput, Rule } from './diagnose/types.js';
import { newSample } from './observe/accumulate.js';
import type { Observation } from './model/observation.js';
import { TrafficCounter } from './observe/traffic.js';
import { mergeShards, type MergedShards } from './parallel/merge.js';
import { runShards, threadsFor } from './parallel/run.js';
import { rules as defaultRules } from '../rules/index.js';

export interface AnalyzeOptions {
  /** Addresses of the host the capture was taken on (tells sender-side checksum artifacts and offsets apart). */
  localIps?: string[];
  rules?: readonly Rule[];
  /** Streams each exchange as it completes (the TUI's live pane). Analysis then stays on one thread. */
  onExchange?: (x: NtpExchange) => void;
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
  const correlator = new Correlator(options.onExchange ? { localIps, onExchange: options.onExchange } : { localIps });
  const decodeIssues = newSample();
  const traffic = new TrafficCounter();
  const read = await source(correlatorSink(correlator, decodeIssues, undefined, traffic));
  correlator.end(read.endedAt);
  return assemble(name, read, localIps, {
    paths: correlator.pathObservations(),
    checksums: correlator.checksumObservations(),
    controls: correlator.controls.observations(),
    ntpFrames: correlator.ntpFrames,
    decodeIssues,
    traffic: traffic.counts(),
  });
}

/** The observations of a capture in their one order, from one thread or from merged shards (src/parallel/merge.ts). */
function assemble(
  name: string,
  read: CaptureReadResult,
  localIps: ReadonlySet<string>,
  parts: Omit<MergedShards, 'read'>,
): CaptureAnalysis {
  const observations: Observation[] = [...parts.paths, ...parts.checksums, ...parts.controls];
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

/** Reads one capture (path or '-') through decode and correlation into observations. Throws InputError on bad input. */
export async function observeCapture(file: string, options: AnalyzeOptions = {}): Promise<CaptureAnalysis> {
  const threads = options.onExchange ? 1 : threadsFor(file, options.threads);
  if (threads <= 1) return observeRecords(file, (sink) => readCapture(file, sink), options);
  const localIps = new Set(options.localIps ?? []);
  const merged = mergeShards(await runShards(file, threads, [...localIps]), localIps);
  return assemble(file, merged.read, localIps, merged);
}

/**
 * A capture time as UTC ISO 8601 with `digits` decimals (the file's resolution: 6 for µs, 9 for ns), truncated, e.g.
 * 2026-01-01T00:18:47.558209Z. Undefined past what a four-digit year can say (a pcapng 64-bit count reaches far beyond).
 */
export function isoTime(t: CaptureTime, digits = 9): string | undefined {
  const ms = t.sec * 1000;
  if (!Number.isFinite(ms) || ms < -62_167_219_200_000 || ms > 253_402_300_799_000) return undefined;
  const whole = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z
  const d = Math.max(0, Math.min(9, Math.floor(digits)));
  return `${whole.slice(0, 19)}${d > 0 ? `.${String(t.nsec).padStart(9, '0').slice(0, d)}` : ''}Z`;
}

export function captureInput(a: CaptureAnalysis): ReportInput {
  const input: ReportInput = {
    kind: 'capture',
    name: a.file === '-' ? 'stdin' : a.file,
    format: a.read.format,
    frames: a.read.frames,
    bytes: a.read.bytes,
    linkTypes: a.read.linkTypes ?? [...new Set(a.read.interfaces.map((i) => i.linkType))],
    ntpFrames: (a.observations.find((o) => o.kind === 'input') as { ntpFrames: number } | undefined)?.ntpFrames ?? 0,
    paths: a.observations.filter((o) => o.kind === 'ntp-path').length,
  };
  // When the capture was taken (issue 11 item 9): the first and the last frame's time, in file order.
  const digits = Math.max(0, ...a.read.interfaces.map((i) => i.tsResolutionDigits));
  const first = a.read.firstTime && isoTime(a.read.firstTime, digits);
  const last = a.read.lastTime && isoTime(a.read.lastTime, digits);
  if (first !== undefined && last !== undefined) {
    input.firstFrameTime = first;
    input.lastFrameTime = last;
  }
  if (a.read.stop) input.stop = a.read.stop;
  return input;
}

/** Every exchange of a capture, kept in its sample or not. */
function exchangeTotal(a: CaptureAnalysis): number {
  let n = 0;
  for (const o of a.observations) if (o.kind === 'ntp-path') n += o.exchangeCount ?? o.exchanges.length;
  return n;
}

/** Standard input can be read once: `analyze - -` would read half a stream each time, or nothing the second time. */
export function checkInputs(files: readonly string[]): void {
  if (files.filter((f) => f === '-').length > 1) throw new InputError('stdin (-) may be named only once among the inputs');
}

/** Captures → one report. Each file is judged on its own (frame numbers are per file), then findings merge. */
export async function analyzeCaptures(files: readonly string[], options: AnalyzeOptions = {}): Promise<Report> {
  checkInputs(files);
  const rules = options.rules ?? defaultRules;
  const analyses: CaptureAnalysis[] = [];
  for (const file of files) analyses.push(await observeCapture(file, options));
  const lists: Finding[][] = analyses.map((a) => {
    const findings = runRules(rules, a.observations);
    if (files.length > 1) {
      for (const f of findings) for (const e of f.evidence) e.text = `${a.file}: ${e.text}`;
    }
    return findings;
  });
  return buildReport({
    findings: mergeFindings(lists),
    exchanges: analyses.flatMap((a) => a.exchanges),
    exchangesTotal: analyses.reduce((n, a) => n + exchangeTotal(a), 0),
    inputs: analyses.map(captureInput),
  });
}
