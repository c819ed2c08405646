/**
 * `trace HOST`: follow the refid chain (src/probe/trace.ts), then judge every hop's probe and mode 6 answers with
 * the shared rules (./probe.ts) and add the chain itself to the report's inputs.
 */
import type { Rule } from '../diagnose/types.js';
import type { TraceInput } from '../model/report-input.js';
import { controlObservation, followChain, type TraceChain, type TraceOptions } from '../probe/trace.js';
import { judgeProbes, type ProbeRun } from './probe.js';

/** The chain as src/probe/trace.ts followed it (same fields, same meaning), the time it took, and the judged run. */
export interface TraceResult extends Pick<TraceChain, 'host' | 'hops' | 'end' | 'summary' | 'loop' | 'complete' | 'reason' | 'deadline' | 'hopBudget'> {
  /** Seconds the trace took. */
  seconds: number;
  run: ProbeRun;
}

export interface TraceRunOptions extends TraceOptions {
  rules?: readonly Rule[];
}

export async function collectTrace(targetText: string, options: TraceRunOptions = {}): Promise<TraceResult> {
  const { host, port, hops, end, summary, complete, reason, loop, deadline, hopBudget, views, started, now } = await followChain(targetText, options);
  // The mode 6 answers are observations like a capture's (the mode6-exposed rule judges both).
  const run = judgeProbes(host, port, hops.map((h) => h.probe), options.rules, views.map((v) => controlObservation(v.server, v.view)));
  const seconds = Math.round(now() - started) / 1000;
  const input: TraceInput = {
    kind: 'probe',
    name: `trace ${targetText}`,
    end,
    summary,
    complete,
    ...(reason !== undefined ? { reason } : {}),
    seconds,
    deadline,
    hopBudget,
    chain: hops.map((h) => ({
      address: h.address,
      port: h.port,
      stratum: h.stratum,
      refid: h.refidText,
      via: h.via,
      upstream: h.upstream,
      mode6: h.mode6,
      peers: h.peers,
      control: h.control,
      ...(h.partial !== undefined ? { partial: h.partial } : {}),
    })),
    ...(loop ? { loop } : {}),
  };
  run.report.inputs.push(input);
  const result: TraceResult = { host, hops, end, summary, complete, seconds, deadline, hopBudget, run };
  if (reason !== undefined) result.reason = reason;
  if (loop) result.loop = loop;
  return result;
}
