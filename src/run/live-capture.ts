/**
 * `ntpdoctor capture`: a live capture into the same pipeline as a file (observeRecords in ./records.ts), then
 * the rules, then one report. Bounded by a duration, or by the caller's AbortSignal (Ctrl-C); either way the
 * packets seen so far are judged and reported, and --write leaves a whole pcap file behind.
 */
import { networkInterfaces } from 'node:os';
import { performance } from 'node:perf_hooks';
import { inputObservation, observeRecords, type CaptureAnalysis } from './records.js';
import type { NtpExchange } from '../model/exchange.js';
import type { NtsKeSessionUpdate } from '../model/nts-wire.js';
import type { WallTime } from '../net/wall-time.js';
import { ArrivalClock } from '../capture/live/arrival-clock.js';
import { judge } from '../diagnose/judge.js';
import type { Report, Rule } from '../diagnose/types.js';
import type { LiveCaptureInput } from '../model/report-input.js';
import { InputError } from '../errors.js';
// The wire rules only: a capture carries nothing the node rules judge, and analyze need not parse them.
import { wireRules as defaultRules } from '../../rules/wire.js';
import type { CaptureRecord } from '../capture/types.js';
import { buildCaptureFilter } from '../capture/live/filter.js';
import { openLiveSession, type BackendChoice } from '../capture/live/open.js';
import { PcapFileWriter } from '../capture/live/pcap-writer.js';
import type { LiveSession } from '../capture/live/session.js';

export interface LiveCaptureOptions {
  /** Interface to capture on; 'any' (all interfaces, Linux cooked headers) by default. */
  device?: string;
  /** Seconds to capture; absent: until `signal` aborts. */
  durationSeconds?: number;
  /** Keep only packets to or from this address. */
  filterHost?: string;
  /** Also save the packets as a pcap file here. */
  writePath?: string;
  backend?: BackendChoice;
  /** This host's addresses (which end of an exchange we are); default: the capture interface's addresses. */
  localIps?: string[];
  /** Stops the capture early (Ctrl-C); the report covers what was seen. */
  signal?: AbortSignal;
  /** Status lines for the user (the command prints them on stderr). */
  notice?: (line: string) => void;
  /** Called once the capture is open and packets are being seen (`diagnose --capture` sends its probes then). */
  onReady?: () => void;
  rules?: readonly Rule[];
  /** Called as each exchange completes, while the capture runs. */
  onExchange?: (x: NtpExchange) => void;
  /** Called as each NTS-KE session gains a connection or changes outcome, while the capture runs. */
  onKeSession?: (s: NtsKeSessionUpdate) => void;
}

export type StopReason = 'duration' | 'signal' | 'source-ended';

export interface LiveCaptureResult {
  report: Report;
  analysis: CaptureAnalysis;
  input: LiveCaptureInput;
}

/** The addresses of `device` ('any': of every interface), as the correlator's local addresses. */
export function interfaceAddresses(device: string, interfaces = networkInterfaces()): string[] {
  const out = new Set<string>();
  for (const [name, addrs] of Object.entries(interfaces)) {
    if (device !== 'any' && name !== device) continue;
    for (const a of addrs ?? []) out.add(a.address.replace(/%.*$/, ''));
  }
  return [...out];
}

export async function captureLive(options: LiveCaptureOptions = {}): Promise<LiveCaptureResult> {
  const device = options.device ?? 'any';
  const duration = options.durationSeconds;
  if (duration !== undefined && !(duration > 0 && duration <= 86_400)) {
    throw new InputError(`--duration: seconds between 0 and 86400, not ${duration}`);
  }
  const notice = options.notice ?? (() => {});
  const filter = buildCaptureFilter(options.filterHost === undefined ? {} : { host: options.filterHost });
  const localIps = options.localIps ?? interfaceAddresses(device);
  const session = await openLiveSession(device, filter, { backend: options.backend ?? 'auto', notice });
  let writer: PcapFileWriter | undefined;
  try {
    if (options.writePath !== undefined) {
      writer = new PcapFileWriter(options.writePath, { linkType: session.linkType, snapLength: session.snapLength });
    }
  } catch (error) {
    session.stop();
    throw error;
  }
  notice(
    `capturing on ${session.device} with ${session.backend} (${session.timestampSource === 'arrival' ? 'timestamps taken on arrival: cap gives none' : 'kernel timestamps'})` +
      (duration !== undefined ? ` for ${duration} s` : ' until Ctrl-C') +
      (writer ? `, writing ${writer.path}` : ''),
  );
  options.onReady?.();

  const started = performance.now();
  // The window's end, on the wall clock the packets are stamped against (arrival or kernel CLOCK_REALTIME).
  const wall = new ArrivalClock();
  let stoppedBy: StopReason = 'source-ended';
  let endedAt: WallTime | undefined;
  const stop = (why: StopReason) => {
    if (endedAt === undefined) {
      stoppedBy = why;
      endedAt = wall.now();
    }
    session.stop();
  };
  const timer = duration !== undefined ? setTimeout(() => stop('duration'), duration * 1000) : undefined;
  const onAbort = () => stop('signal');
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });

  let run: Awaited<ReturnType<LiveSession['run']>> | undefined;
  let analysis: CaptureAnalysis;
  try {
    analysis = await observeRecords(
      session.device,
      async (sink) => {
        const w = writer;
        const tee = w ? (r: CaptureRecord) => (w.write(r), sink(r)) : sink;
        run = await session.run(tee);
        // linkTypes: the input observation says what was captured on even when no frame came (rules/no-ntp-seen.ts).
        const read = { format: 'pcap' as const, littleEndian: true, interfaces: [], linkTypes: [session.linkType], frames: run.frames, bytes: run.bytes };
        return { ...read, ...(run.stop ? { stop: run.stop } : {}), endedAt: endedAt ?? wall.now() };
      },
      {
        localIps,
        ...(options.onExchange ? { onExchange: options.onExchange } : {}),
        ...(options.onKeSession ? { onKeSession: options.onKeSession } : {}),
      },
    );
  } finally {
    if (timer) clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    session.stop();
    writer?.close();
  }
  for (const w of run?.warnings ?? []) notice(w);
  for (const o of analysis.observations) if (o.kind === 'input') o.interfaceNames = [session.device];

  const input: LiveCaptureInput = {
    kind: 'capture',
    name: session.device,
    format: 'live',
    backend: session.backend,
    interface: session.device,
    filter,
    linkTypes: [session.linkType],
    timestampSource: session.timestampSource,
    seconds: Math.round(performance.now() - started) / 1000,
    stoppedBy,
    frames: analysis.read.frames,
    ntpFrames: inputObservation(analysis)?.ntpFrames ?? 0,
    paths: analysis.observations.filter((o) => o.kind === 'ntp-path').length,
  };
  if (run?.dropped !== undefined) input.dropped = run.dropped;
  if (analysis.read.stop) input.stop = analysis.read.stop;
  if (writer) input.written = { path: writer.path, packets: writer.packets };
  const report = judge(analysis.observations, [input], analysis.exchanges, options.rules ?? defaultRules);
  return { report, analysis, input };
}
