/**
 * The probes of a node diagnosis: which servers this node is configured to use (and --server ones), and one probe
 * of each, all at once. Split from ./node.ts, which runs them beside the firewall and daemon questions.
 */
import type { NtpExchange } from '../model/exchange.js';
import type { Observation } from '../model/observation.js';
import type { ReportInput } from '../model/report-input.js';
import { InputError } from '../errors.js';
import { sharedClock } from '../net/clock.js';
import { canonicalAddress, parseAddress } from '../net/ip.js';
import { NTP_PORT } from '../ntp/constants.js';
import { parseTarget, resolveAll } from '../net/target.js';
import { timesyncdSources, type NodeFacts } from '../inspect/node.js';
import { probeAddress, type AddressProbe } from '../probe/client.js';
import { probeExchanges, probeInput, probeObservation } from '../probe/exchanges.js';

export interface ProbeTarget {
  address: string;
  family: 4 | 6;
  port: number;
  /** Where it comes from: 'config file:line' or '--server'. */
  why: string;
}

export interface ProbeOutcome {
  observations: Observation[];
  exchanges: NtpExchange[];
  inputs: ReportInput[];
}

/** At most this many addresses per configured name, and in all: a pool can resolve to many. */
const PER_NAME = 2;
const MAX_TARGETS = 16;

/** Every configured network source's addresses (refclocks aside), then the --server ones. */
export async function probeTargets(facts: NodeFacts, servers: readonly string[], family?: 4 | 6): Promise<ProbeTarget[]> {
  const out: ProbeTarget[] = [];
  const add = (t: ProbeTarget) => {
    if (family !== undefined && t.family !== family) return;
    if (out.length < MAX_TARGETS && !out.some((x) => x.address === t.address && x.port === t.port)) out.push(t);
  };
  // systemd-timesyncd's NTP= (else FallbackNTP=) servers count as configured too.
  for (const sources of [...facts.configs.map((c) => c.config.sources), timesyncdSources(facts)]) {
    for (const s of sources) {
      if (s.refclock) continue;
      // With -4/-6 the family is chosen before the cut: a name's first two addresses may both be the other one.
      const wanted = (s.resolved ?? []).filter((x) => family === undefined || parseAddress(x)?.family === family);
      for (const address of wanted.slice(0, PER_NAME)) {
        const a = parseAddress(address);
        // chrony `server X port N`: the daemon asks N, so the probe (and the fixes made from it) does too.
        if (a) add({ address, family: a.family, port: s.port ?? NTP_PORT, why: `${s.file}:${s.line}` });
      }
    }
  }
  for (const text of servers) {
    const target = parseTarget(text);
    let resolved: Array<{ address: string; family: 4 | 6 }>;
    try {
      resolved = await resolveAll(target.host, family);
    } catch (err) {
      throw new InputError(`--server ${text}: ${(err as Error).message}`);
    }
    for (const r of resolved.slice(0, PER_NAME)) add({ address: canonicalAddress(r.address), family: r.family, port: target.port, why: '--server' });
  }
  return out;
}

/**
 * Probes every target at once (each its own sockets), a few samples each, bounded by the probe's early stop.
 * `onProbe` hears of each target as soon as its own probe is over.
 */
export async function probeServers(
  targets: readonly ProbeTarget[],
  timeout: number,
  onProbe?: (target: ProbeTarget, probe: AddressProbe) => void,
): Promise<ProbeOutcome> {
  const clock = sharedClock();
  const probes = await Promise.all(
    targets.map((t) =>
      probeAddress(t.address, t.family, t.port, { samples: 3, timeout, interval: 1, clock }).then((p) => {
        onProbe?.(t, p);
        return p;
      }),
    ),
  );
  const out: ProbeOutcome = { observations: [], exchanges: [], inputs: [] };
  probes.forEach((p, i) => {
    const xs = probeExchanges(p);
    out.exchanges.push(...xs);
    out.observations.push(probeObservation(p, xs));
    out.inputs.push(probeInput(p, { from: targets[i]?.why ?? '' }));
  });
  return out;
}


export function probeStepId(t: ProbeTarget): string {
  return `probe:${t.family === 6 ? `[${t.address}]` : t.address}:${t.port}`;
}
