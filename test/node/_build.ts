/**
 * Node observations for rule tests, built synchronously from the config fixtures (fixtures/configs) through the
 * real parsers and the real facts → observations step. The seed's 192.168.1.x network is kept where the fixture
 * is the seed's own text: node0 = 192.168.1.100 on 192.168.1.0/24.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { interpretChronyConf } from '../../src/inspect/config/chrony-conf.js';
import { splitDirectives } from '../../src/inspect/config/lex.js';
import { interpretNtpConf } from '../../src/inspect/config/ntp-conf.js';
import type { ChronyConfig, NtpdConfig } from '../../src/model/config.js';
import { canonicalAddress, parseAddress } from '../../src/net/ip.js';
import type { OwnAddress } from '../../src/inspect/interfaces.js';
import type { NodeConfig } from '../../src/inspect/node.js';
import { chronyConfigObservation, ntpdConfigObservation } from '../../src/inspect/observations.js';
import type { ChronyConfigObservation, FirewallObservation, NtpdConfigObservation } from '../../src/model/node.js';
import type { DaemonSource, DaemonStateObservation, TimeDaemonProcess, TimeDaemonsObservation } from '../../src/model/daemon.js';
import type { LocalAddressObservation } from '../../src/model/observation.js';

export const CONFIGS = fileURLToPath(new URL('../../fixtures/configs/', import.meta.url));
export const NODE0 = '192.168.1.100';

/** An interface address: 192.168.1.100/24 on em1 (the seed's node0) by default. */
export function iface(address = NODE0, len = 24, name = 'em1'): OwnAddress {
  const a = parseAddress(address)!;
  const width = a.family === 4 ? 32 : 128;
  const mask = ((1n << BigInt(len)) - 1n) << BigInt(width - len);
  const netValue = a.value & mask;
  const network = a.family === 4 ? `${[24n, 16n, 8n, 0n].map((s) => String((netValue >> s) & 0xffn)).join('.')}/${len}` : `${address}/${len}`;
  return { interface: name, address: canonicalAddress(address), family: a.family, network, internal: false, linkLocal: false };
}

export const LOOPBACK: OwnAddress = { interface: 'lo', address: '127.0.0.1', family: 4, network: '127.0.0.0/8', internal: true, linkLocal: false };

export function localAddresses(addresses: readonly OwnAddress[]): LocalAddressObservation {
  return { kind: 'local-addresses', source: 'node', addresses: addresses.map((a) => a.address) };
}

/** Literal addresses resolve to themselves; names per `names` (else unresolved). */
function resolve(cfg: NtpdConfig | ChronyConfig, names: Record<string, string[]>): void {
  for (const s of cfg.sources) {
    if (s.refclock) continue;
    if (parseAddress(s.address)) s.resolved = [canonicalAddress(s.address)];
    else {
      const r = names[s.address];
      if (r) s.resolved = r;
    }
  }
}

export interface ConfigOptions {
  addresses?: OwnAddress[];
  variant?: NodeConfig['variant'];
  inUse?: boolean;
  service?: string;
  names?: Record<string, string[]>;
}

export function ntpdConfig(name: string, text = readFileSync(CONFIGS + name, 'utf8'), o: ConfigOptions = {}): NtpdConfigObservation {
  const file = name.startsWith('/') ? name : `/etc/${name}`;
  const cfg = interpretNtpConf(file, [file], splitDirectives(text, file, 'ntpd'));
  resolve(cfg, o.names ?? {});
  const nc: NodeConfig & { config: NtpdConfig } = { config: cfg, inUse: o.inUse ?? true, variant: o.variant ?? 'ntpd' };
  if (o.service) nc.service = o.service;
  return ntpdConfigObservation(nc, o.addresses ?? [iface(), LOOPBACK]);
}

export function chronyConfig(name: string, text = readFileSync(CONFIGS + name, 'utf8'), o: ConfigOptions = {}): ChronyConfigObservation {
  const file = name.startsWith('/') ? name : `/etc/${name}`;
  const cfg = interpretChronyConf(file, [file], splitDirectives(text, file, 'chrony'));
  resolve(cfg, o.names ?? {});
  const nc: NodeConfig & { config: ChronyConfig } = { config: cfg, inUse: o.inUse ?? true, variant: 'unknown' };
  if (o.service) nc.service = o.service;
  return chronyConfigObservation(nc, o.addresses ?? [iface(), LOOPBACK]);
}

/** The CentOS 7 iptables default rejecting a client network (fixtures/firewall/centos7-iptables.rules, rule 5). */
export function centosReject(over: Partial<FirewallObservation> = {}): FirewallObservation {
  return {
    kind: 'firewall',
    source: 'node',
    backend: 'iptables',
    family: 4,
    from: '192.168.1.0/24',
    localAddress: NODE0,
    verdict: 'reject',
    rejectWith: 'icmp-host-prohibited',
    decidedBy: { text: '-A INPUT -j REJECT --reject-with icmp-host-prohibited', table: 'filter', chain: 'INPUT', position: 5 },
    insertAt: { table: 'filter', chain: 'INPUT', position: 5 },
    trace: ['filter INPUT', 'reject: -A INPUT -j REJECT --reject-with icmp-host-prohibited'],
    uncertain: [],
    ...over,
  };
}

export function daemon(name: TimeDaemonProcess['name'], pid: number, argv: string[], over: Partial<TimeDaemonProcess> = {}): TimeDaemonProcess {
  return { name, pid, argv, ...over };
}

export function daemons(list: TimeDaemonProcess[], over: Partial<TimeDaemonsObservation> = {}): TimeDaemonsObservation {
  return { kind: 'time-daemons', source: 'node', daemons: list, at: 1_700_000_000, complete: true, configsOnDisk: [], ...over };
}

/** chronyc's view of node0 from the seed's client: `^? node0 0 7 0 10y`, NP 0, std dev 4000 ms. */
export function chronySeesUnreachable(over: Partial<DaemonSource> = {}, uptime = 600): DaemonStateObservation {
  return {
    kind: 'daemon-state',
    source: 'daemon',
    daemon: 'chronyd',
    via: 'chronyc -c -n sources/sourcestats/tracking',
    uptime,
    sources: [{ address: NODE0, kind: 'server', state: '?', selected: false, reach: 0, stratum: 0, poll: 7, samples: 0, jitter: 4, ...over }],
    system: { stratum: 0, leap: 3, refid: '0.0.0.0', synchronized: false },
  };
}
