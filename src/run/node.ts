/**
 * `diagnose`: node facts (+ probes of every configured server) → observations → the shared
 * rules → one report. Probes plug in at one place (`probeServers`) and run while the firewall tools and the
 * daemons are asked, so a failing node is judged in a few seconds.
 */
import { rules as defaultRules } from '../../rules/index.js';
import { judge } from '../diagnose/judge.js';
import type { Report, Rule } from '../diagnose/types.js';
import { interrogateNode, discoverNode, type InspectOptions } from '../inspect/node.js';
import type { NodeFacts } from '../inspect/node.js';
import { nodeObservations } from '../inspect/observations.js';
import type { NtpExchange } from '../model/exchange.js';
import type { NtsKeSessionUpdate } from '../model/nts-wire.js';
import type { Observation } from '../model/observation.js';
import type { CaptureInput, NodeInput, ReportInput } from '../model/report-input.js';
import { probeNtsKeTargets, ntsKeTargets } from '../probe/nts-ke-targets.js';
import { formatSeconds } from '../render/format.js';
import { probeServers, probeStepId, probeTargets, type ProbeTarget } from './node-probes.js';
import { describeConfigs, describeDaemons, describeFirewall, describeProbe, type OnStep } from './progress.js';

export type { DiagnoseStep, OnStep, StepStatus } from './progress.js';

export interface DiagnoseOptions extends InspectOptions {
  /** Extra servers to probe (--server H[:PORT]), besides the configured ones. */
  servers?: readonly string[];
  /** Do not probe anything (the node alone). */
  noProbe?: boolean;
  /** Probe only addresses of this family (-4 / -6): configured ones and what --server names resolve to. */
  family?: 4 | 6;
  /** Seconds to wait for each probe answer. */
  probeTimeout?: number;
  rules?: readonly Rule[];
  /** Each stage as it runs (configs, firewall, daemon, one probe per server, capture): the TUI's step list. */
  onStep?: OnStep;
  /** A live capture beside the probes (`--capture S`), plugged in by the command. */
  capture?: NodeCapture;
  /** Ends the capture early (the user quit the TUI). */
  signal?: AbortSignal;
}

/** What a capture beside the diagnosis hands back: the same observations a capture file gives. */
export interface NodeCaptureResult {
  observations: Observation[];
  exchanges: NtpExchange[];
  input: CaptureInput;
}

/**
 * A live capture run during the diagnosis (src/capture/live/ through the command's adapter, so this core never
 * loads libpcap). `run` resolves when the capture window closes; it calls `ready` once packets are being seen
 * (the probes wait for it, bounded, so the capture sees their exchanges) and `exchange` for each exchange as
 * it completes, when the capture backend can say.
 */
export interface NodeCapture {
  /** The step's label: 'Capture 10 s on any'. */
  label: string;
  run(hooks: { ready: () => void; exchange: (x: NtpExchange) => void; keSession: (s: NtsKeSessionUpdate) => void; signal: AbortSignal }): Promise<NodeCaptureResult>;
  /** Passed on to whoever watches the exchanges (the TUI's live pane). */
  onExchange?: (x: NtpExchange) => void;
  /** Passed on to whoever watches the NTS-KE sessions (the TUI's live pane, or the status lines). */
  onKeSession?: (s: NtsKeSessionUpdate) => void;
}

/** One NTS-KE exchange (connect, TLS 1.3 handshake, records): chronyd itself gives up after a few seconds too. */
const NTS_KE_TIMEOUT_MS = 3000;

/** How long the probes wait for a capture to start before going ahead without it. */
const CAPTURE_READY_MS = 5000;

/** What the report says it looked at, and what it could not see. */
function nodeInput(facts: NodeFacts): NodeInput {
  const input: NodeInput = {
    kind: 'node',
    name: facts.hostname,
    daemons: facts.processes.daemons.map((d) => `${d.name}[${d.pid}]`),
    configs: [...facts.configs.map((c) => c.config.file), ...(facts.timesyncd?.config.files ?? [])],
    firewall: [...new Set((facts.firewall?.observations ?? []).map((o) => o.backend))],
    addresses: facts.addresses.filter((a) => !a.internal).map((a) => a.address),
  };
  if (facts.platform?.prettyName) input.platform = facts.platform.prettyName;
  if (facts.gaps.length) input.unseen = facts.gaps.map((g) => `${g.area}: ${g.what}: ${g.why}`);
  const unread = facts.gaps.filter((g) => g.file !== undefined).map((g) => ({ file: g.file as string, reason: g.why }));
  if (unread.length) input.unreadable = unread;
  return input;
}

/** Runs one stage, telling `step` when it starts and how it ended; a stage that throws is reported 'failed'. */
async function stage<T>(step: OnStep, id: string, label: string, work: () => Promise<T>, describe: (v: T) => string): Promise<T> {
  step({ id, label, status: 'running' });
  try {
    const value = await work();
    step({ id, label, status: 'done', detail: describe(value) });
    return value;
  } catch (err) {
    step({ id, label, status: 'failed', detail: (err as Error).message });
    throw err;
  }
}

/** The capture beside the diagnosis: never fails the diagnosis; a capture that cannot run says why in its step and input. */
function startCapture(capture: NodeCapture, step: OnStep, signal: AbortSignal): { ready: Promise<void>; done: Promise<NodeCaptureResult> } {
  let markReady = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  step({ id: 'capture', label: capture.label, status: 'running' });
  const done = capture
    .run({ ready: () => markReady(), exchange: (x) => capture.onExchange?.(x), keSession: (s) => capture.onKeSession?.(s), signal })
    .then(
      (r) => {
        const n = r.exchanges.length;
        // Key exchanges count as something seen: a capture of an NTS client that never got its cookies has no NTP.
        const ke = r.observations.filter((o) => o.kind === 'nts-ke-session').length;
        const keText = ke ? `, ${ke} NTS-KE session${ke === 1 ? '' : 's'}` : '';
        step({ id: 'capture', label: capture.label, status: 'done', detail: `${String('frames' in r.input ? r.input.frames : 0)} frames, ${n} exchange${n === 1 ? '' : 's'}${keText}` });
        return r;
      },
      (err: Error) => {
        step({ id: 'capture', label: capture.label, status: 'failed', detail: err.message });
        return { observations: [], exchanges: [], input: { kind: 'capture' as const, name: capture.label, unavailable: err.message } };
      },
    )
    .finally(() => markReady());
  return { ready, done };
}

function waitBounded(p: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    void p.then(() => {
      clearTimeout(t);
      resolve();
    });
  });
}

/** The whole node diagnosis: inspect, probe what it is configured to use (with a capture beside, if asked), judge. */
export async function diagnoseNode(options: DiagnoseOptions = {}): Promise<Report> {
  const step: OnStep = options.onStep ?? (() => {});
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  const capture = options.capture ? startCapture(options.capture, step, abort.signal) : undefined;
  try {
    return await judgeNode(options, step, capture);
  } finally {
    // On an error the capture must not outlive the diagnosis; after a normal end this is a no-op.
    abort.abort();
    options.signal?.removeEventListener('abort', onAbort);
  }
}

const INTERROGATION_STEPS = [
  ['firewall', 'Firewall (nftables, iptables, firewalld)'],
  ['daemon', 'Daemon state (chronyc, ntpq)'],
] as const;

async function judgeNode(options: DiagnoseOptions, step: OnStep, capture: ReturnType<typeof startCapture> | undefined): Promise<Report> {
  // --no-probe: no network at all, so the configured names are not resolved either (DNS on the wire).
  const discover = options.noProbe ? { ...options, resolveNames: false } : options;
  const facts = await stage(step, 'configs', 'Configs, daemons, addresses', () => discoverNode(discover), describeConfigs);
  const targets = options.noProbe ? [] : await probeTargets(facts, options.servers ?? [], options.family);
  const interrogation = (async () => {
    // One pass asks the firewall tools and the daemons at once (interrogateNode): both steps end together.
    for (const [id, label] of INTERROGATION_STEPS) step({ id, label, status: 'running' });
    try {
      await interrogateNode(facts, options);
    } catch (err) {
      for (const [id, label] of INTERROGATION_STEPS) step({ id, label, status: 'failed', detail: (err as Error).message });
      throw err;
    }
    for (const [id, label] of INTERROGATION_STEPS) step({ id, label, status: 'done', detail: id === 'firewall' ? describeFirewall(facts) : describeDaemons(facts) });
  })();
  const probing = (async () => {
    if (capture && targets.length) await waitBounded(capture.ready, CAPTURE_READY_MS);
    const label = (t: ProbeTarget) => `Probe ${probeStepId(t).slice('probe:'.length)} (${t.why})`;
    for (const t of targets) step({ id: probeStepId(t), label: label(t), status: 'running' });
    return probeServers(targets, options.probeTimeout ?? 1, (t, p) => step({ id: probeStepId(t), label: label(t), ...describeProbe(p, formatSeconds) }));
  })();
  // NTS sources: ntpdoctor's own NTS-KE (TCP 4460, TLS 1.3) beside the NTP probes; never with --no-probe.
  const ntsTargets = options.noProbe ? [] : ntsKeTargets(facts.configs.map((c) => c.config));
  const ntsProbing = (async () => {
    if (ntsTargets.length === 0) return [];
    const ntsLabel = `NTS-KE ${ntsTargets.map((t) => `${t.address}:${t.port}`).join(', ')}`;
    step({ id: 'nts-ke', label: ntsLabel, status: 'running' });
    const found = await probeNtsKeTargets(ntsTargets, NTS_KE_TIMEOUT_MS);
    step({ id: 'nts-ke', label: ntsLabel, status: 'done', detail: found.map((o) => `${o.address}: ${o.outcome}`).join(', ') });
    return found;
  })();
  const [, probes, captured, ntsObservations] = await Promise.all([interrogation, probing, capture?.done, ntsProbing]);
  const observations = [...nodeObservations(facts), ...probes.observations, ...ntsObservations, ...(captured?.observations ?? [])];
  const inputs: ReportInput[] = [nodeInput(facts), ...probes.inputs];
  if (captured) inputs.push(captured.input);
  // A capture and a probe can both see the same fault on the same server: one finding, both evidences.
  return judge(observations, inputs, [...probes.exchanges, ...(captured?.exchanges ?? [])], options.rules ?? defaultRules, { foldSameSubject: captured !== undefined });
}
