/** `analyze FILE...` (and `checklist FILE...`): capture files → one report, each file judged on its own. */
import { readCapture } from '../capture/read.js';
import type { CaptureTime } from '../capture/types.js';
import { judge } from '../diagnose/judge.js';
import type { Report } from '../diagnose/types.js';
import { InputError } from '../errors.js';
import type { CaptureFileInput } from '../model/report-input.js';
import { mergeShards } from '../parallel/merge.js';
import { runShards, threadsFor } from '../parallel/run.js';
// The wire rules only: a capture carries nothing the node rules judge, and analyze need not parse them.
import { wireRules as defaultRules } from '../../rules/wire.js';
import { assemble, inputObservation, observeRecords, type AnalyzeOptions, type CaptureAnalysis } from './records.js';

/** Reads one capture (path or '-') through decode and correlation into observations. Throws InputError on bad input. */
export async function observeCapture(file: string, options: AnalyzeOptions = {}): Promise<CaptureAnalysis> {
  const threads = options.onExchange || options.onKeSession ? 1 : threadsFor(file, options.threads);
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

export function captureInput(a: CaptureAnalysis): CaptureFileInput {
  const input: CaptureFileInput = {
    kind: 'capture',
    name: a.file === '-' ? 'stdin' : a.file,
    format: a.read.format,
    frames: a.read.frames,
    bytes: a.read.bytes,
    linkTypes: a.read.linkTypes ?? [...new Set(a.read.interfaces.map((i) => i.linkType))],
    ntpFrames: inputObservation(a)?.ntpFrames ?? 0,
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
  const analyses: CaptureAnalysis[] = [];
  for (const file of files) analyses.push(await observeCapture(file, options));
  return judge(
    { groups: analyses.map((a) => ({ label: a.file, observations: a.observations })) },
    analyses.map(captureInput),
    analyses.flatMap((a) => a.exchanges),
    options.rules ?? defaultRules,
    { exchangesTotal: analyses.reduce((n, a) => n + exchangeTotal(a), 0) },
  );
}
