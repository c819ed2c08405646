/**
 * `probe HOST`: resolve HOST to every address, probe each, turn the samples into exchanges and path
 * observations, and let the shared rules judge them (no verdict logic of our own). Data in, report out.
 */
import { rules as defaultRules } from '../../rules/index.js';
import type { NtpExchange } from '../model/exchange.js';
import { judge } from '../diagnose/judge.js';
import type { Finding, Report, Rule } from '../diagnose/types.js';
import type { ReportInput } from '../model/report-input.js';
import type { Observation } from '../model/observation.js';
import { probeAddress, type AddressProbe } from '../probe/client.js';
import { sharedClock, type WallClock } from '../net/clock.js';
import { probeExchanges, probeInput, probeObservation } from '../probe/exchanges.js';
import { parseTarget, resolveAll } from '../net/target.js';

export interface ProbeRunOptions {
  samples?: number;
  timeout?: number;
  interval?: number;
  version?: number;
  /** Resolve HOST to this family only (-4 / -6). */
  family?: 4 | 6;
  clock?: WallClock;
  rules?: readonly Rule[];
}

export interface ProbeRun {
  host: string;
  port: number;
  probes: AddressProbe[];
  observations: Observation[];
  report: Report;
}

export const PROBE_DEFAULTS = { samples: 4, timeout: 1, interval: 2 } as const;

/** Addresses are probed one after another: a rate-limiting server sees one client, as from a real ntpdate. */
export async function collectProbe(targetText: string, options: ProbeRunOptions = {}): Promise<ProbeRun> {
  const target = parseTarget(targetText);
  const addresses = await resolveAll(target.host, options.family);
  const clock = options.clock ?? sharedClock();
  const probes: AddressProbe[] = [];
  for (const a of addresses) {
    probes.push(
      await probeAddress(a.address, a.family, target.port, {
        samples: options.samples ?? PROBE_DEFAULTS.samples,
        timeout: options.timeout ?? PROBE_DEFAULTS.timeout,
        interval: options.interval ?? PROBE_DEFAULTS.interval,
        ...(options.version !== undefined ? { version: options.version } : {}),
        clock,
      }),
    );
  }
  return judgeProbes(target.host, target.port, probes, options.rules ?? defaultRules);
}

/** Samples → exchanges → observations → rules → report. Exported for tests that replay recorded samples. */
export function judgeProbes(
  host: string,
  port: number,
  probes: AddressProbe[],
  rules: readonly Rule[] = defaultRules,
  /** Other observations the same run made (trace's mode 6 answers). */
  extra: readonly Observation[] = [],
): ProbeRun {
  const exchanges: NtpExchange[] = [];
  const observations: Observation[] = [];
  const inputs: ReportInput[] = [];
  for (const p of probes) {
    const xs = probeExchanges(p);
    exchanges.push(...xs);
    observations.push(probeObservation(p, xs));
    inputs.push(probeInput(p, { host }));
  }
  observations.push(...extra);
  return { host, port, probes, observations, report: judge(observations, inputs, exchanges, rules) };
}

/** ntpdate's "Server dropped: …" reason for one address: the top finding about it, if any. */
export function droppedReason(findings: readonly Finding[], address: string): string | undefined {
  const f = findings.find((x) => x.subject === address && (x.severity === 'error' || x.severity === 'warning'));
  return f ? `${f.title} [${f.rule}]` : undefined;
}
