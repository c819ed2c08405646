import { readCapture } from './capture/read.js';
import type { CaptureReadResult } from './capture/types.js';
import { Correlator } from './correlate/correlator.js';
import type { NtpExchange } from './correlate/types.js';
import { decodeFrame } from './decode/frame.js';
import { runRules } from './diagnose/engine.js';
import { buildReport, mergeFindings } from './diagnose/report.js';
import type { Finding, Report, ReportInput, Rule } from './diagnose/types.js';
import { addToSample, newSample } from './observe/accumulate.js';
import type { Observation } from './observe/types.js';
import { rules as defaultRules } from '../rules/index.js';

export interface AnalyzeOptions {
  /** Addresses of the host the capture was taken on (tells sender-side checksum artifacts and offsets apart). */
  localIps?: string[];
  rules?: readonly Rule[];
}

export interface CaptureAnalysis {
  file: string;
  read: CaptureReadResult;
  observations: Observation[];
  exchanges: NtpExchange[];
}

/** Reads one capture (path or '-') through decode and correlation into observations. Throws InputError on bad input. */
export async function observeCapture(file: string, options: AnalyzeOptions = {}): Promise<CaptureAnalysis> {
  const localIps = new Set(options.localIps ?? []);
  const correlator = new Correlator({ localIps });
  const decodeIssues = newSample();
  const read = await readCapture(file, (record) => {
    const frame = decodeFrame(record);
    if (frame.issues.length && frame.issues.some((i) => i.kind === 'malformed')) addToSample(decodeIssues, frame.frame);
    correlator.feed(frame);
  });
  correlator.end();
  const paths = correlator.pathObservations();
  const observations: Observation[] = [
    ...paths,
    ...correlator.checksums.observations(),
    ...correlator.controls.observations(),
  ];
  const input: Observation = {
    kind: 'input',
    source: 'capture',
    file,
    frames: read.frames,
    ntpFrames: correlator.ntpFrames,
    decodeIssues,
  };
  if (read.stop) input.stop = read.stop;
  observations.push(input);
  if (localIps.size) observations.push({ kind: 'local-addresses', source: 'capture', addresses: [...localIps] });
  return { file, read, observations, exchanges: paths.flatMap((p) => p.exchanges) };
}

export function captureInput(a: CaptureAnalysis): ReportInput {
  const input: ReportInput = {
    kind: 'capture',
    name: a.file === '-' ? 'stdin' : a.file,
    format: a.read.format,
    frames: a.read.frames,
    bytes: a.read.bytes,
    linkTypes: [...new Set(a.read.interfaces.map((i) => i.linkType))],
    ntpFrames: (a.observations.find((o) => o.kind === 'input') as { ntpFrames: number } | undefined)?.ntpFrames ?? 0,
    paths: a.observations.filter((o) => o.kind === 'ntp-path').length,
  };
  if (a.read.stop) input.stop = a.read.stop;
  return input;
}

/** Captures → one report. Each file is judged on its own (frame numbers are per file), then findings merge. */
export async function analyzeCaptures(files: readonly string[], options: AnalyzeOptions = {}): Promise<Report> {
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
    inputs: analyses.map(captureInput),
  });
}
