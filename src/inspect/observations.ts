/**
 * Node facts → observations: the configs with the access decisions derived from them, the firewall verdicts,
 * the running daemons and their own state, and what could not be seen. Rules read only these.
 */
import { bestRestrict, chronyDecision, namedClientNetworks, restrictForServer } from './config/access.js';
import type { ChronyConfig, Located, NtpdConfig } from '../model/config.js';
import { makePrefix, parsePrefix } from '../net/ip.js';
import { clientNetworks, type OwnAddress } from './interfaces.js';
import type { NodeConfig, NodeFacts } from './node.js';
import { unknownWithSuggestions } from './config/directives.js';
import { configuredServers } from './config/timesyncd-conf.js';
import type { AccessDecision, ChronyConfigObservation, NtpdConfigObservation, TimesyncdConfigObservation, UnknownDirectiveSeen } from '../model/node.js';
import type { Observation } from '../model/observation.js';

function located(x: Located): Located {
  return { file: x.file, line: x.line, text: x.text };
}

/** Unknown directives with the nearest known one, for unknown-directive (and the rules a dropped source line misleads). */
function unknownSeen(cfg: NtpdConfig | ChronyConfig): UnknownDirectiveSeen[] {
  return unknownWithSuggestions(cfg).map((u) => {
    const seen: UnknownDirectiveSeen = { at: located(u.directive), keyword: u.directive.keyword };
    if (u.suggestion) seen.suggestion = u.suggestion;
    return seen;
  });
}

/** The networks whose clients matter: this node's interface networks, then the networks the config names. */
function networksFor(config: NtpdConfig | ChronyConfig, addresses: readonly OwnAddress[]): Array<{ network: string; why: AccessDecision['why'] }> {
  const named = new Set(namedClientNetworks(config).map((n) => n.network));
  // An interface network the config also names counts as configured: the admin meant those clients.
  const out: Array<{ network: string; why: AccessDecision['why'] }> = clientNetworks(addresses).map((n) => ({
    network: n.network,
    why: named.has(n.network) ? ('configured' as const) : ('interface' as const),
  }));
  const listed = new Set(out.map((o) => o.network));
  for (const network of named) if (!listed.has(network)) out.push({ network, why: 'configured' });
  return out;
}

/** ntpd: "ignore" drops every packet, "noserve" every time request (ntp_acc(5)). */
function ntpdServes(flags: readonly string[]): boolean {
  return !flags.includes('ignore') && !flags.includes('noserve');
}

export function ntpdConfigObservation(nc: NodeConfig & { config: NtpdConfig }, addresses: readonly OwnAddress[]): NtpdConfigObservation {
  const cfg = nc.config;
  const clientAccess: AccessDecision[] = [];
  for (const { network, why } of networksFor(cfg, addresses)) {
    const p = parsePrefix(network);
    if (!p) continue;
    const r = bestRestrict(cfg, p);
    const d: AccessDecision = { network, why, flags: r ? r.flags : [], served: r ? ntpdServes(r.flags) : true };
    if (r) d.by = located(r);
    clientAccess.push(d);
  }
  const serverAccess: NtpdConfigObservation['serverAccess'] = [];
  for (const s of cfg.sources) {
    if (s.refclock) continue;
    for (const address of s.resolved ?? []) {
      const r = restrictForServer(cfg, address);
      const entry: NtpdConfigObservation['serverAccess'][number] = { address, source: located(s), flags: r ? r.flags : [] };
      if (r) entry.by = located(r);
      if (s.key !== undefined) entry.key = s.key;
      serverAccess.push(entry);
    }
  }
  const defaultAccess: NtpdConfigObservation['defaultAccess'] = ([4, 6] as const).map((family) => {
    const r = bestRestrict(cfg, makePrefix(family, 0n, 0));
    return r ? { family, by: located(r), flags: r.flags } : { family, flags: [] };
  });
  const o: NtpdConfigObservation = {
    kind: 'ntpd-config',
    source: 'config',
    config: cfg,
    variant: nc.variant,
    inUse: nc.inUse,
    clientAccess,
    defaultAccess,
    serverAccess,
    unknownDirectives: unknownSeen(cfg),
  };
  if (nc.service) o.service = nc.service;
  return o;
}

export function chronyConfigObservation(nc: NodeConfig & { config: ChronyConfig }, addresses: readonly OwnAddress[]): ChronyConfigObservation {
  const cfg = nc.config;
  const clientAccess: AccessDecision[] = [];
  for (const { network, why } of networksFor(cfg, addresses)) {
    const p = parsePrefix(network);
    if (!p) continue;
    const { allowed, by } = chronyDecision(cfg, p);
    const d: AccessDecision = { network, why, flags: [], served: allowed };
    if (by) d.by = located(by);
    clientAccess.push(d);
  }
  const o: ChronyConfigObservation = { kind: 'chrony-config', source: 'config', config: cfg, inUse: nc.inUse, clientAccess, unknownDirectives: unknownSeen(cfg) };
  if (nc.service) o.service = nc.service;
  return o;
}

/** The config observations alone (lint) plus this node's addresses. */
export function configObservations(configs: readonly NodeConfig[], addresses: readonly OwnAddress[]): Observation[] {
  const out: Observation[] = [{ kind: 'local-addresses', source: 'node', addresses: [...new Set(addresses.map((a) => a.address))] }];
  for (const nc of configs) {
    if (nc.config.flavor === 'ntpd') out.push(ntpdConfigObservation(nc as NodeConfig & { config: NtpdConfig }, addresses));
    else out.push(chronyConfigObservation(nc as NodeConfig & { config: ChronyConfig }, addresses));
  }
  return out;
}

/** Everything the inspection found, as observations. */
export function nodeObservations(facts: NodeFacts): Observation[] {
  const out = configObservations(facts.configs, facts.addresses);
  const daemons: Observation = {
    kind: 'time-daemons',
    source: 'node',
    daemons: facts.processes.daemons,
    at: facts.at,
    complete: facts.processes.complete,
    configsOnDisk: facts.configsOnDisk,
  };
  if (facts.platform) daemons.os = { id: facts.platform.id, like: facts.platform.idLike };
  out.push(daemons);
  if (facts.timesyncd) {
    const { config, inUse } = facts.timesyncd;
    const { which, servers } = configuredServers(config);
    const t: TimesyncdConfigObservation = { kind: 'timesyncd-config', source: 'config', config, inUse, servers: { which, addresses: servers.map((s) => s.address) } };
    out.push(t);
  }
  out.push(...(facts.firewall?.observations ?? []));
  out.push(...facts.daemonStates);
  if (facts.clockControl) out.push(facts.clockControl);
  if (facts.kernelClock) out.push(facts.kernelClock);
  if (facts.platformClock) out.push(facts.platformClock);
  for (const g of facts.gaps) out.push({ kind: 'inspection-gap', source: 'node', area: g.area, what: g.what, why: g.why });
  return out;
}

