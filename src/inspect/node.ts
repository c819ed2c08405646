/**
 * Node inspection: what this node is configured to do, what runs, what its firewall and daemons say.
 * Two phases so `diagnose` can probe the configured servers while the slower questions are out:
 * `discoverNode` (processes, interfaces, platform, configs and the names in them: local and quick) and
 * `interrogateNode` (firewall tools, the daemons' own state: external commands, each with a time limit).
 */
import { lookup } from 'node:dns/promises';
import { access } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { ClockControlObservation, KernelClockObservation, PlatformClockObservation } from '../model/node.js';
import type { DaemonStateObservation, TimeDaemonProcess } from '../model/daemon.js';
import { daemonClockControl, detectContainer, journalRefusals } from './clock-control.js';
import { readKernelClock, statusNames } from './kernel-clock.js';
import { namedClientNetworks } from './config/access.js';
import { fsReader, loadConfig } from './config/load.js';
import { reasonOf } from './config/read.js';
import type { ChronyConfig, ConfigReader, ConfigSource, TimeConfig } from '../model/config.js';
import { askChronyd, askNtpd } from './daemon/gather.js';
import { configuredServers, loadTimesyncdConfig, parseTimesyncdConf } from './config/timesyncd-conf.js';
import type { TimesyncdConfig } from '../model/config.js';
import { askTimesyncd } from './daemon/timesyncd.js';
import { scanProcesses, type ProcScan } from './daemon/processes.js';
import { collectFirewallOutputs, evaluateFirewall, type ClientNetwork, type FirewallGather } from './firewall/gather.js';
import { evaluateOutbound, outboundTargets } from './firewall/outbound.js';
import { canonicalAddress, parseAddress, parsePrefix, prefixCovers } from '../net/ip.js';
import { NTP_PORT } from '../ntp/constants.js';
import { clientNetworks, ownAddresses, type OwnAddress } from './interfaces.js';
import { findUnit, readPlatform, type OsRelease } from './platform.js';
import { gatherPlatformClock } from './hostclock/gather.js';
import { DEFAULT_COMMAND_TIMEOUT_MS, runCommand, type Runner } from './run.js';

/** Where the daemons keep their configuration (RHEL/CentOS first, then Debian/Ubuntu). */
export const DEFAULT_CONFIGS = {
  chronyd: ['/etc/chrony.conf', '/etc/chrony/chrony.conf'],
  ntpd: ['/etc/ntp.conf', '/etc/ntpsec/ntp.conf'],
} as const;

export interface NodeConfig {
  config: TimeConfig;
  /** A running daemon reads it. */
  inUse: boolean;
  variant: 'ntpd' | 'ntpsec' | 'unknown';
  service?: string;
}

export type GapArea = 'config' | 'firewall' | 'processes' | 'daemon' | 'interfaces' | 'platform';

export interface NodeFacts {
  hostname: string;
  at: number;
  platform?: OsRelease;
  addresses: OwnAddress[];
  processes: ProcScan;
  configsOnDisk: string[];
  configs: NodeConfig[];
  firewall?: FirewallGather;
  daemonStates: DaemonStateObservation[];
  /** Clocksource, hypervisor time sync, kernel log (src/inspect/hostclock/). */
  platformClock?: PlatformClockObservation;
  /** `file`: a config file (main or included) that could not be read, or read only in part. */
  gaps: Array<{ area: GapArea; what: string; why: string; file?: string }>;
  /** Who may adjust the clock (issue 12: no-clock-control). */
  clockControl?: ClockControlObservation;
  /** The kernel's own clock state (issue 12: kernel-unsynchronized). */
  kernelClock?: KernelClockObservation;
  /** systemd-timesyncd's config (timesyncd.conf + drop-ins), when it runs here or has files. */
  timesyncd?: { config: TimesyncdConfig; inUse: boolean };
}

export interface InspectOptions {
  /** Config files given with --config: used instead of searching. */
  configs?: readonly string[];
  runner?: Runner;
  reader?: ConfigReader;
  procRoot?: string;
  /** /sys for the platform reads (tests replay recorded trees). */
  sysRoot?: string;
  /** Own addresses (tests); default os.networkInterfaces(). */
  addresses?: OwnAddress[];
  /** Seconds each external command may take. */
  commandTimeoutMs?: number;
  /** Name resolution (tests); default getaddrinfo with a time limit. */
  resolve?: (host: string) => Promise<string[]>;
  /**
   * Resolve the server names the configs give (default true). False for `--no-probe`, which means no network
   * at all: getaddrinfo would put DNS queries on the wire. Literal addresses are still taken as themselves.
   */
  resolveNames?: boolean;
  now?: () => number;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(fallback), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      () => {
        clearTimeout(t);
        resolve(fallback);
      },
    );
  });
}

export async function defaultResolve(host: string): Promise<string[]> {
  const found = await lookup(host, { all: true, verbatim: true });
  return [...new Set(found.map((a) => canonicalAddress(a.address)))];
}

/** Which config files to read: --config, else each running daemon's own (-f/-c, else its default), else what is on disk. */
async function configPaths(opts: InspectOptions, daemons: readonly TimeDaemonProcess[], onDisk: readonly string[]): Promise<Array<{ path: string; flavor?: 'ntpd' | 'chrony'; inUse: boolean; variant?: 'ntpd' | 'ntpsec' }>> {
  const byDaemon = new Map<string, { flavor: 'ntpd' | 'chrony'; variant?: 'ntpd' | 'ntpsec' }>();
  for (const d of daemons) {
    if (d.name !== 'chronyd' && d.name !== 'ntpd') continue;
    const defaults: readonly string[] = d.name === 'chronyd' ? DEFAULT_CONFIGS.chronyd : DEFAULT_CONFIGS.ntpd;
    let path = d.configPath;
    if (path === undefined) {
      path = defaults.find((p) => onDisk.includes(p)) ?? defaults[0];
      // NTPsec reads /etc/ntpsec/ntp.conf on Debian when there is no /etc/ntp.conf.
      if (d.variant === 'ntpsec' && onDisk.includes('/etc/ntpsec/ntp.conf') && !onDisk.includes('/etc/ntp.conf')) path = '/etc/ntpsec/ntp.conf';
    }
    const entry: { flavor: 'ntpd' | 'chrony'; variant?: 'ntpd' | 'ntpsec' } = { flavor: d.name === 'chronyd' ? 'chrony' : 'ntpd' };
    if (d.variant) entry.variant = d.variant;
    byDaemon.set(path as string, entry);
  }
  if (opts.configs?.length) {
    return opts.configs.map((path) => {
      const d = byDaemon.get(path);
      const out: { path: string; flavor?: 'ntpd' | 'chrony'; inUse: boolean; variant?: 'ntpd' | 'ntpsec' } = { path, inUse: d !== undefined };
      if (d) {
        out.flavor = d.flavor;
        if (d.variant) out.variant = d.variant;
      }
      return out;
    });
  }
  const out = [...byDaemon].map(([path, d]) => ({ path, inUse: true, ...d }));
  // Nothing runs: still read what is on disk, so a stopped daemon's config is judged.
  if (out.length === 0) for (const path of onDisk) out.push({ path, inUse: false, flavor: path.includes('chrony') ? 'chrony' : 'ntpd' });
  return out;
}

/** Phase 1: processes, interfaces, platform, configs (with includes) and the addresses their server names resolve to. */
export async function discoverNode(opts: InspectOptions = {}): Promise<NodeFacts> {
  const now = opts.now ?? (() => Date.now() / 1000);
  const reader = opts.reader ?? fsReader;
  const gaps: NodeFacts['gaps'] = [];
  const allDefaults = [...DEFAULT_CONFIGS.chronyd, ...DEFAULT_CONFIGS.ntpd];
  const [processes, platform, onDiskFlags] = await Promise.all([
    scanProcesses(opts.procRoot),
    readPlatform(),
    Promise.all(allDefaults.map(exists)),
  ]);
  const configsOnDisk = allDefaults.filter((_, i) => onDiskFlags[i]);
  if (!processes.complete) gaps.push({ area: 'processes', what: 'running daemons', why: processes.note ?? 'some processes could not be read' });
  let addresses = opts.addresses;
  if (!addresses) {
    try {
      addresses = ownAddresses();
    } catch (err) {
      addresses = [];
      gaps.push({ area: 'interfaces', what: 'own addresses', why: (err as Error).message });
    }
  }
  const facts: NodeFacts = { hostname: hostname(), at: now(), addresses, processes, configsOnDisk, configs: [], daemonStates: [], gaps };
  if (platform) facts.platform = platform;

  const units = await Promise.all([findUnit(['chronyd', 'chrony']), findUnit(['ntpsec', 'ntpd', 'ntp'])]);
  for (const want of await configPaths(opts, processes.daemons, configsOnDisk)) {
    let config: TimeConfig;
    try {
      config = await loadConfig(want.path, reader, want.flavor);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const why = e.code === 'EACCES' ? 'permission denied: run ntpdoctor as root to read it' : reasonOf(err);
      gaps.push({ area: 'config', what: want.path, why, file: want.path });
      continue;
    }
    for (const u of config.unreadable) gaps.push({ area: 'config', what: `${u.file} (included from ${u.from ? `${u.from.file}:${u.from.line}` : want.path})`, why: u.reason, file: u.file });
    const variant = want.variant ?? (config.flavor === 'ntpd' && want.path.includes('ntpsec') ? 'ntpsec' : 'unknown');
    const entry: NodeConfig = { config, inUse: want.inUse, variant };
    const unit = config.flavor === 'chrony' ? units[0] : units[1];
    if (unit) entry.service = unit;
    facts.configs.push(entry);
  }
  await discoverTimesyncd(facts, reader);
  await resolveSources(facts, opts);
  return facts;
}

/**
 * systemd-timesyncd: its files when it runs (none = compiled-in defaults) or when they are there. Read with
 * --config too: it is a daemon of its own, not one of the files given.
 */
async function discoverTimesyncd(facts: NodeFacts, reader: ConfigReader): Promise<void> {
  const running = facts.processes.daemons.some((d) => d.name === 'systemd-timesyncd');
  let config: TimesyncdConfig | undefined;
  try {
    config = await loadTimesyncdConfig(reader);
  } catch (err) {
    facts.gaps.push({ area: 'config', what: 'systemd-timesyncd config (timesyncd.conf and drop-ins)', why: (err as Error).message });
  }
  if (!config && running) config = parseTimesyncdConf([]);
  if (!config) return;
  for (const u of config.unreadable) facts.gaps.push({ area: 'config', what: `${u.file} (systemd-timesyncd)`, why: u.reason });
  facts.timesyncd = { config, inUse: running };
}

/** The timesyncd servers that count as configured: when it runs, or when no other daemon has a config. */
export function timesyncdSources(facts: NodeFacts): ConfigSource[] {
  const t = facts.timesyncd;
  if (!t || !(t.inUse || facts.configs.length === 0)) return [];
  return configuredServers(t.config).servers;
}

/** At most this many names are listed in the one gap that says names were not resolved. */
const UNRESOLVED_LISTED = 8;

/**
 * Fills `resolved` for every source: literal addresses as themselves, names through the resolver (2 s each).
 * With `resolveNames: false` names keep `resolved` undefined ("not looked up", which rules read as unknown, not
 * as "does not resolve") and one gap says so.
 */
async function resolveSources(facts: NodeFacts, opts: InspectOptions): Promise<void> {
  const resolve = opts.resolve ?? defaultResolve;
  const jobs: Array<Promise<void>> = [];
  const skipped: string[] = [];
  for (const sources of [...facts.configs.map((c) => c.config.sources), timesyncdSources(facts)]) {
    for (const s of sources) {
      if (s.refclock) continue;
      if (parseAddress(s.address)) {
        s.resolved = [canonicalAddress(s.address)];
        continue;
      }
      if (opts.resolveNames === false) {
        if (!skipped.includes(s.address)) skipped.push(s.address);
        continue;
      }
      jobs.push(
        withTimeout(resolve(s.address), 2000, [] as string[]).then((addrs) => {
          s.resolved = addrs;
          if (addrs.length === 0) facts.gaps.push({ area: 'config', what: `server name ${s.address} (${s.file}:${s.line})`, why: 'it does not resolve here (DNS, /etc/hosts)' });
        }),
      );
    }
  }
  await Promise.all(jobs);
  if (skipped.length) {
    const listed = skipped.slice(0, UNRESOLVED_LISTED).join(', ') + (skipped.length > UNRESOLVED_LISTED ? `, … ${skipped.length - UNRESOLVED_LISTED} more` : '');
    facts.gaps.push({ area: 'config', what: `server names not resolved (${listed})`, why: '--no-probe: no network at all, DNS included' });
  }
}

/** Client networks: this node's interface networks, plus networks its configs name for clients. */
export function clientNetworksOf(facts: NodeFacts): ClientNetwork[] {
  const out: ClientNetwork[] = clientNetworks(facts.addresses).map((n) => ({ ...n }));
  // A Set, not a scan of `out` per network: a config naming 100 k networks stays linear.
  const seen = new Set(out.map((n) => n.network));
  for (const { config } of facts.configs) {
    for (const { network } of namedClientNetworks(config)) {
      if (seen.has(network)) continue;
      seen.add(network);
      const p = parsePrefix(network);
      if (!p) continue;
      const net: ClientNetwork = { network, family: p.family };
      // The interface that holds (part of) that network is where its requests arrive.
      const own = facts.addresses.find((a) => {
        const q = parsePrefix(a.network);
        return !a.internal && q !== undefined && (prefixCovers(q, p) || prefixCovers(p, q));
      });
      if (own) {
        net.interface = own.interface;
        net.localAddress = own.address;
      }
      out.push(net);
    }
  }
  return out;
}

/**
 * The UDP port clients must reach: chrony's `port N` (chrony.conf(5)) in the config a running daemon reads (else
 * the one on disk when nothing runs); 123 otherwise. ntpd and ntpsec always serve on 123 (their `interface` lines
 * choose addresses, not the port). `port 0` closes the server port: the firewall is then judged for 123.
 */
export function servePort(configs: readonly NodeConfig[]): number {
  const chrony = configs.filter((c) => c.config.flavor === 'chrony');
  const pick = chrony.find((c) => c.inUse) ?? (configs.some((c) => c.inUse) ? undefined : chrony[0]);
  const port = pick?.config.flavor === 'chrony' ? pick.config.port?.port : undefined;
  return port !== undefined && port > 0 && port <= 65535 ? port : NTP_PORT;
}

/** Phase 2: firewall and daemon state, concurrently, each command bounded. */
export async function interrogateNode(facts: NodeFacts, opts: InspectOptions = {}): Promise<NodeFacts> {
  const run = opts.runner ?? runCommand;
  const timeoutMs = opts.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const now = facts.at;
  const networks = clientNetworksOf(facts);
  const families = [...new Set(facts.addresses.filter((a) => !a.internal && !a.linkLocal).map((a) => a.family))];
  const chronyConfig = (d: TimeDaemonProcess) =>
    facts.configs.find((c) => c.config.flavor === 'chrony' && (d.configPath === undefined || c.config.file === d.configPath))?.config as ChronyConfig | undefined;
  const daemonJobs = facts.processes.daemons.map((d) => {
    if (d.name === 'chronyd') return askChronyd(run, d, chronyConfig(d), now, timeoutMs);
    if (d.name === 'ntpd') return askNtpd(d, now, Math.min(timeoutMs, 1500));
    if (d.name === 'systemd-timesyncd') return askTimesyncd(run, d, facts.timesyncd?.config, now, timeoutMs);
    return Promise.resolve({ states: [], gaps: [] });
  });
  const clockJob = inspectClock(facts, run, timeoutMs, opts.procRoot);
  const ntpdLog = facts.configs.some((c) => c.config.flavor === 'ntpd') || facts.processes.daemons.some((d) => d.name === 'ntpd');
  const platformJob = gatherPlatformClock({ run, timeoutMs, ntpdLog, ...(opts.sysRoot ? { sysRoot: opts.sysRoot } : {}), ...(opts.procRoot ? { procRoot: opts.procRoot } : {}) });
  const [fwOut, platform, ...daemonResults] = await Promise.all([collectFirewallOutputs(run, timeoutMs), platformJob, ...daemonJobs]);
  facts.platformClock = platform.observation;
  for (const g of platform.gaps) facts.gaps.push({ area: 'platform', ...g });
  await clockJob;
  facts.firewall = evaluateFirewall(fwOut, networks, families.length ? families : [4], servePort(facts.configs));
  // And this node's own requests to its servers, on the port each is asked (chrony `server X port N`).
  facts.firewall.observations.push(...evaluateOutbound(fwOut, outboundTargets(facts.configs)));
  for (const g of facts.firewall.gaps) facts.gaps.push({ area: 'firewall', ...g });
  for (const r of daemonResults) {
    facts.daemonStates.push(...r.states);
    for (const g of r.gaps) facts.gaps.push({ area: 'daemon', ...g });
  }
  const ntpd = facts.processes.daemons.find((d) => d.name === 'ntpd' && d.variant);
  for (const c of facts.configs) if (c.config.flavor === 'ntpd' && c.inUse && c.variant === 'unknown' && ntpd?.variant) c.variant = ntpd.variant;
  return facts;
}

/** Clock control (capabilities, container, journal) and the kernel's sync state: read-only, each command bounded. */
async function inspectClock(facts: NodeFacts, run: Runner, timeoutMs: number, procRoot?: string): Promise<void> {
  const [daemons, container, journal, kernel] = await Promise.all([
    daemonClockControl(facts.processes.daemons, procRoot),
    detectContainer(run, timeoutMs),
    journalRefusals(run, timeoutMs),
    readKernelClock(run, timeoutMs),
  ]);
  facts.clockControl = { kind: 'clock-control', source: 'node', daemons, container, logLines: journal.lines };
  if (journal.gap) facts.gaps.push({ area: 'daemon', what: 'time daemons\' journal', why: journal.gap });
  const r = kernel.reading;
  if (r) {
    const o: KernelClockObservation = { kind: 'kernel-clock', source: 'node', via: r.via, synchronized: r.synchronized, reasons: r.reasons };
    if (r.status !== undefined) {
      o.status = r.status;
      o.flags = statusNames(r.status);
    }
    if (r.maxerror !== undefined) o.maxerror = r.maxerror / 1e6;
    facts.kernelClock = o;
  } else facts.gaps.push({ area: 'daemon', what: "the kernel's clock state (adjtimex)", why: kernel.tried.join('; ') });
}

export async function inspectNode(opts: InspectOptions = {}): Promise<NodeFacts> {
  return interrogateNode(await discoverNode(opts), opts);
}
