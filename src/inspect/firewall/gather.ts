/**
 * Asks the firewall tools at once (nft, iptables-save, ip6tables-save, firewall-cmd) and evaluates a new
 * inbound NTP request from each client network, to the port the daemon serves on, against what they print. When firewalld runs, it owns the
 * rules: its zones are judged and the iptables/nftables rules it generated are not judged a second time.
 */
import type { FirewallObservation } from '../../model/node.js';
import { NTP_PORT } from '../../ntp/constants.js';
import { whyFailed, type CommandResult, type Runner } from '../run.js';
import { defaultTargetReject } from './firewalld-rules.js';
import { evaluateZone, parseActiveZones, parseFirewalldState, parseListAll, zoneFor, type FirewalldZone } from './firewalld.js';
import { evaluateIptables, parseIptablesSave, type IptablesSave } from './iptables.js';
import { evaluateNft } from './nftables.js';
import { parseNftJson, parseNftText, type NftRuleset } from './nftables-parse.js';
import { inboundNtp } from './packet.js';
import type { FirewallVerdict } from './types.js';

export interface ClientNetwork {
  network: string;
  family: 4 | 6;
  interface?: string;
  /** This node's address on that network. */
  localAddress?: string;
}

export interface FirewallGather {
  observations: FirewallObservation[];
  gaps: Array<{ what: string; why: string }>;
}

/** What the tools printed (each may be missing): the pure part below works on this. */
export interface FirewallOutputs {
  nftJson?: CommandResult;
  nftText?: CommandResult;
  iptablesSave?: CommandResult;
  ip6tablesSave?: CommandResult;
  firewalldState?: CommandResult;
  firewalldActiveZones?: CommandResult;
  firewalldDefaultZone?: CommandResult;
  firewalldZones?: CommandResult;
  /** The limit firewall-cmd ran with (longer than the others'), for the notes. */
  firewallCmdTimeoutMs?: number;
}

/**
 * firewall-cmd is Python talking D-Bus: measured ~0.5 s a call on an idle lab machine, over 3 s for
 * `--list-all-zones` on a loaded one (test/node/lab-firewalld.test.ts). Its calls all start at once, next to nft
 * and iptables-save (when firewalld is not running each fails at once, exit 252), with twice the per-command
 * limit, so the whole stays within diagnose's 10 s.
 */
export async function collectFirewallOutputs(run: Runner, timeoutMs: number): Promise<FirewallOutputs> {
  const o = { timeoutMs };
  const slow = { timeoutMs: timeoutMs * 2 };
  const [nftJson, nftText, iptablesSave, ip6tablesSave, firewalldState, active, def, zones] = await Promise.all([
    run('nft', ['-j', 'list', 'ruleset'], o),
    run('nft', ['-a', 'list', 'ruleset'], o),
    run('iptables-save', [], o),
    run('ip6tables-save', [], o),
    run('firewall-cmd', ['--state'], slow),
    run('firewall-cmd', ['--get-active-zones'], slow),
    run('firewall-cmd', ['--get-default-zone'], slow),
    run('firewall-cmd', ['--list-all-zones'], slow),
  ]);
  const out: FirewallOutputs = { nftJson, nftText, iptablesSave, ip6tablesSave, firewalldState, firewallCmdTimeoutMs: slow.timeoutMs };
  if (firewalldState.ok && parseFirewalldState(firewalldState.stdout)) {
    out.firewalldActiveZones = active;
    out.firewalldDefaultZone = def;
    out.firewalldZones = zones;
  }
  return out;
}

function observationOf(
  backend: FirewallObservation['backend'],
  net: ClientNetwork | { network: 'any'; family: 4 | 6 },
  port: number,
  v: FirewallVerdict,
  zone?: FirewalldZone,
): FirewallObservation {
  const o: FirewallObservation = {
    kind: 'firewall',
    source: 'node',
    backend,
    family: net.family,
    from: net.network,
    port,
    verdict: v.verdict,
    trace: v.trace,
    uncertain: v.uncertain,
  };
  if ('localAddress' in net && net.localAddress !== undefined) o.localAddress = net.localAddress;
  if (v.rejectWith !== undefined) o.rejectWith = v.rejectWith;
  if (v.decidedBy) o.decidedBy = v.decidedBy;
  if (v.insertAt) o.insertAt = v.insertAt;
  if (zone) {
    o.zone = { name: zone.name, target: zone.target, services: zone.services, ports: zone.ports, interfaces: zone.interfaces, sources: zone.sources };
  }
  return o;
}

/**
 * Evaluates the recorded outputs for each client network (or "any" client per family when none is known), for a
 * request to UDP `port`: the port the daemon serves on (chrony's `port N`; 123 otherwise).
 */
export function evaluateFirewall(out: FirewallOutputs, networks: readonly ClientNetwork[], families: ReadonlyArray<4 | 6>, port = NTP_PORT): FirewallGather {
  const gaps: FirewallGather['gaps'] = [];
  const observations: FirewallObservation[] = [];
  const targets: Array<ClientNetwork | { network: 'any'; family: 4 | 6; interface?: string }> = networks.length
    ? [...networks]
    : families.map((family) => ({ network: 'any' as const, family }));
  const packetFor = (t: (typeof targets)[number]) => inboundNtp(t.family, t.network === 'any' ? undefined : t.network, t.interface, port);
  const observation = (backend: FirewallObservation['backend'], net: (typeof targets)[number], v: FirewallVerdict, zone?: FirewalldZone) =>
    observationOf(backend, net, port, v, zone);

  // firewalld first: when it runs, its zones are the firewall.
  let firewalld = false;
  let firewalldNft = false;
  if (out.firewalldState?.ok && parseFirewalldState(out.firewalldState.stdout)) {
    firewalld = true;
    const zones = parseListAll(out.firewalldZones?.stdout ?? '');
    const active = parseActiveZones(out.firewalldActiveZones?.stdout ?? '');
    for (const z of zones) {
      const a = active.find((x) => x.name === z.name);
      if (a) {
        z.active = true;
        if (z.interfaces.length === 0) z.interfaces = a.interfaces;
        if (z.sources.length === 0) z.sources = a.sources;
      }
    }
    const defaultZone = out.firewalldDefaultZone?.stdout.trim() || undefined;
    firewalldNft = /table inet firewalld/.test(out.nftText?.stdout ?? '');
    if (zones.length === 0) gaps.push({ what: 'firewalld zones', why: out.firewalldZones ? whyFailed(out.firewalldZones, out.firewallCmdTimeoutMs) : 'firewall-cmd --list-all-zones gave nothing' });
    // firewalld's own generated rules say what target `default` sends (it changed between versions).
    const generatedRules = (family: 4 | 6): { nftText?: string; iptablesSave?: IptablesSave } => {
      if (firewalldNft) return { nftText: out.nftText?.stdout ?? '' };
      const save = family === 4 ? out.iptablesSave : out.ip6tablesSave;
      return save?.ok ? { iptablesSave: parseIptablesSave(save.stdout) } : {};
    };
    for (const t of targets) {
      const pkt = packetFor(t);
      const zone = zoneFor(zones, pkt, defaultZone);
      if (!zone) continue;
      const generated = defaultTargetReject(zone.name, t.family, generatedRules(t.family));
      observations.push(observation('firewalld', t, evaluateZone(zone, pkt, firewalldNft, generated), zone));
    }
  } else if (out.firewalldState && (out.firewalldState.problem === 'permission' || out.firewalldState.problem === 'timeout')) {
    // A firewalld that does not answer may still own the rules below: judged as plain rules, but said.
    gaps.push({ what: 'firewalld', why: whyFailed(out.firewalldState, out.firewallCmdTimeoutMs) });
  }

  // iptables (legacy, or iptables-nft whose tables nft would show as opaque xt matches).
  const saves: Array<{ family: 4 | 6; save?: IptablesSave }> = [];
  for (const [family, r, tool] of [
    [4, out.iptablesSave, 'iptables-save'],
    [6, out.ip6tablesSave, 'ip6tables-save'],
  ] as const) {
    if (!r) continue;
    if (!r.ok) {
      if (r.problem !== 'not-found') gaps.push({ what: `${tool} (IPv${family} firewall rules)`, why: whyFailed(r) });
      saves.push({ family });
      continue;
    }
    // iptables-nft's "incompatible table" notes may come on either stream.
    saves.push({ family, save: parseIptablesSave(`${r.stderr}\n${r.stdout}`) });
  }
  const iptablesNftTables: Array<{ family: string; name: string }> = [];
  for (const { family, save } of saves) {
    if (!save) continue;
    if (save.backend === 'nf_tables') {
      for (const t of save.tables) if (!save.incompatible.includes(t.name)) iptablesNftTables.push({ family: family === 4 ? 'ip' : 'ip6', name: t.name });
    }
    const filter = save.tables.find((t) => t.name === 'filter' && !save.incompatible.includes(t.name));
    if (firewalld || !filter || filter.rules.length + Object.keys(filter.policies).length === 0) continue;
    for (const t of targets.filter((x) => x.family === family)) {
      observations.push(observation(family === 4 ? 'iptables' : 'ip6tables', t, evaluateIptables(save, packetFor(t))));
    }
  }

  // nftables: everything iptables-nft and firewalld did not put there.
  if (out.nftJson) {
    if (out.nftJson.ok) {
      let rs: NftRuleset | undefined;
      try {
        rs = parseNftJson(out.nftJson.stdout);
      } catch (err) {
        gaps.push({ what: 'nftables ruleset', why: `nft -j list ruleset printed something ntpdoctor cannot read: ${(err as Error).message}` });
      }
      if (rs) {
        const skipTables = [...iptablesNftTables, ...(firewalld ? ['inet', 'ip', 'ip6'].map((family) => ({ family, name: 'firewalld' })) : [])];
        const own = rs.chains.filter((c) => !skipTables.some((s) => s.family === c.family && s.name === c.table));
        if (own.some((c) => c.hook === 'input' || c.hook === 'prerouting')) {
          const ruleText = out.nftText?.ok ? parseNftText(out.nftText.stdout) : undefined;
          for (const t of targets) {
            const v = evaluateNft(rs, packetFor(t), ruleText ? { ruleText, skipTables } : { skipTables });
            observations.push(observation('nftables', t, v));
          }
        }
      }
    } else if (out.nftJson.problem !== 'not-found') {
      gaps.push({ what: 'nftables ruleset', why: whyFailed(out.nftJson) });
    }
  }
  return { observations, gaps };
}
