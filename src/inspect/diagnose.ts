/**
 * `diagnose` and `lint` cores: node facts (+ probes of every configured server) → observations → the shared
 * rules → one report. Probes plug in at one place (`probeServers`) and run while the firewall tools and the
 * daemons are asked, so a failing node is judged in a few seconds.
 */
import { rules as defaultRules } from '../../rules/index.js';
import type { NtpExchange } from '../correlate/types.js';
import { runRules } from '../diagnose/engine.js';
import { buildReport } from '../diagnose/report.js';
import type { Report, ReportInput, Rule } from '../diagnose/types.js';
import { InputError } from '../errors.js';
import { configObservations, nodeObservations } from '../observe/from-node.js';
import type { Observation } from '../observe/types.js';
import { probeAddress } from '../probe/client.js';
import { sharedClock } from '../probe/clock.js';
import { probeExchanges, probeObservation } from '../probe/exchanges.js';
import { parseTarget, resolveAll } from '../probe/target.js';
import { loadConfig } from './config/load.js';
import { canonicalAddress, parseAddress } from './ip.js';
import { ownAddresses, type OwnAddress } from './interfaces.js';
import { discoverNode, interrogateNode, type InspectOptions, type NodeConfig, type NodeFacts } from './node.js';

export interface DiagnoseOptions extends InspectOptions {
  /** Extra servers to probe (--server H[:PORT]), besides the configured ones. */
  servers?: readonly string[];
  /** Do not probe anything (the node alone). */
  noProbe?: boolean;
  /** Seconds to wait for each probe answer. */
  probeTimeout?: number;
  rules?: readonly Rule[];
}

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
export async function probeTargets(facts: NodeFacts, servers: readonly string[]): Promise<ProbeTarget[]> {
  const out: ProbeTarget[] = [];
  const add = (t: ProbeTarget) => {
    if (out.length < MAX_TARGETS && !out.some((x) => x.address === t.address && x.port === t.port)) out.push(t);
  };
  for (const { config } of facts.configs) {
    for (const s of config.sources) {
      if (s.refclock) continue;
      for (const address of (s.resolved ?? []).slice(0, PER_NAME)) {
        const a = parseAddress(address);
        if (a) add({ address, family: a.family, port: 123, why: `${s.file}:${s.line}` });
      }
    }
  }
  for (const text of servers) {
    const target = parseTarget(text);
    let resolved: Array<{ address: string; family: 4 | 6 }>;
    try {
      resolved = await resolveAll(target.host);
    } catch (err) {
      throw new InputError(`--server ${text}: ${(err as Error).message}`);
    }
    for (const r of resolved.slice(0, PER_NAME)) add({ address: canonicalAddress(r.address), family: r.family, port: target.port, why: '--server' });
  }
  return out;
}

/** Probes every target at once (each its own sockets), a few samples each, bounded by the probe's early stop. */
export async function probeServers(targets: readonly ProbeTarget[], timeout: number): Promise<ProbeOutcome> {
  const clock = sharedClock();
  const probes = await Promise.all(targets.map((t) => probeAddress(t.address, t.family, t.port, { samples: 3, timeout, interval: 1, clock })));
  const out: ProbeOutcome = { observations: [], exchanges: [], inputs: [] };
  probes.forEach((p, i) => {
    const xs = probeExchanges(p);
    out.exchanges.push(...xs);
    out.observations.push(probeObservation(p, xs));
    const input: ReportInput = {
      kind: 'probe',
      name: `${p.family === 6 ? `[${p.address}]` : p.address}:${p.port}`,
      from: targets[i]?.why ?? '',
      samples: p.samples.length,
      replies: p.samples.filter((s) => s.outcome === 'reply').length,
    };
    if (p.stoppedEarly) input.stoppedEarly = p.stoppedEarly;
    out.inputs.push(input);
  });
  return out;
}

/** What the report says it looked at, and what it could not see. */
function nodeInput(facts: NodeFacts): ReportInput {
  const input: ReportInput = {
    kind: 'node',
    name: facts.hostname,
    daemons: facts.processes.daemons.map((d) => `${d.name}[${d.pid}]`),
    configs: facts.configs.map((c) => c.config.file),
    firewall: [...new Set((facts.firewall?.observations ?? []).map((o) => o.backend))],
    addresses: facts.addresses.filter((a) => !a.internal).map((a) => a.address),
  };
  if (facts.platform?.prettyName) input.platform = facts.platform.prettyName;
  if (facts.gaps.length) input.unseen = facts.gaps.map((g) => `${g.area}: ${g.what}: ${g.why}`);
  return input;
}

/** The whole node diagnosis: inspect, probe what it is configured to use, judge. */
export async function diagnoseNode(options: DiagnoseOptions = {}): Promise<Report> {
  const facts = await discoverNode(options);
  const targets = options.noProbe ? [] : await probeTargets(facts, options.servers ?? []);
  const [, probes] = await Promise.all([
    interrogateNode(facts, options),
    probeServers(targets, options.probeTimeout ?? 1),
  ]);
  const observations = [...nodeObservations(facts), ...probes.observations];
  const findings = runRules(options.rules ?? defaultRules, observations);
  return buildReport({ findings, exchanges: probes.exchanges, inputs: [nodeInput(facts), ...probes.inputs] });
}

export interface LintOptions {
  /** This host's addresses; default the interfaces (self-sync needs them). */
  addresses?: OwnAddress[];
  /** Extra own addresses (--local-ip). */
  localIps?: readonly string[];
  flavor?: 'ntpd' | 'chrony';
  rules?: readonly Rule[];
}

/** The config rules alone on one file (with its includes). Throws InputError when the file cannot be read. */
export async function lintConfig(file: string, options: LintOptions = {}): Promise<Report> {
  let config;
  try {
    config = await loadConfig(file, undefined, options.flavor);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new InputError(`${file}: ${e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.message}`);
  }
  for (const s of config.sources) {
    if (!s.refclock && parseAddress(s.address)) s.resolved = [canonicalAddress(s.address)];
  }
  const addresses = [...(options.addresses ?? ownAddresses())];
  for (const ip of options.localIps ?? []) {
    const a = parseAddress(ip);
    if (!a) throw new InputError(`--local-ip: not an address: ${ip}`);
    addresses.push({ interface: '--local-ip', address: canonicalAddress(ip), family: a.family, network: `${canonicalAddress(ip)}/${a.family === 4 ? 32 : 128}`, internal: false, linkLocal: false });
  }
  const variant = config.flavor === 'ntpd' && file.includes('ntpsec') ? 'ntpsec' : 'unknown';
  const nc: NodeConfig = { config, inUse: false, variant };
  const observations = configObservations([nc], addresses);
  const rules = options.rules ?? defaultRules;
  const findings = runRules(rules, observations);
  const input: ReportInput = { kind: 'config', name: file, flavor: config.flavor, files: config.files, directives: config.directives.length };
  if (config.unknown.length) input.unknownDirectives = config.unknown.map((d) => `${d.file}:${d.line}: ${d.keyword}`);
  if (config.unreadable.length) input.unreadable = config.unreadable.map((u) => `${u.file}: ${u.reason}`);
  return buildReport({ findings, inputs: [input] });
}
