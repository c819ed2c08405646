/**
 * Observations about this node, from its config files, firewall, processes and the daemons' own state
 * (node inspection, issue 4). Rules read these; the shell output and files they come from stay in src/inspect/.
 */
import type { ChronyConfig, Located, NtpdConfig } from '../inspect/config/types.js';
import type { TimesyncdConfig } from '../inspect/config/timesyncd-conf.js';
export type { ChronyConfig, Located, NtpdConfig } from '../inspect/config/types.js';
export type { TimesyncdConfig } from '../inspect/config/timesyncd-conf.js';

/** How an access list (ntpd restrict, chrony allow/deny) treats one network of would-be clients. */
export interface AccessDecision {
  /** The network (CIDR) whose clients are considered. */
  network: string;
  /** Why that network: a subnet of one of this node's interfaces, or one the config names. */
  why: 'interface' | 'configured';
  /** The directive that decides (ntpd: best-matching restrict; chrony: most specific allow/deny). Absent = built-in default. */
  by?: Located;
  /** ntpd: the flags of that restrict entry (lower case). */
  flags: string[];
  /** Served at all: ntpd without ignore/noserve; chrony allowed. */
  served: boolean;
}

/** An ntp.conf (classic ntpd or ntpsec) as read, with the facts derived from it. */
export interface NtpdConfigObservation {
  kind: 'ntpd-config';
  source: 'config';
  config: NtpdConfig;
  /** Which ntpd reads it, when known (running binary, path under /etc/ntpsec). */
  variant: 'ntpd' | 'ntpsec' | 'unknown';
  /** The systemd unit that runs this daemon here ('ntpd' on CentOS, 'ntpsec' / 'ntp' on Debian), when known. */
  service?: string;
  /** A running daemon reads this file (its command line or default path). */
  inUse: boolean;
  /** How restrict treats the client networks (ntp_acc(5): the most specific match decides). */
  clientAccess: AccessDecision[];
  /** What an arbitrary outside address gets, per family (the `restrict default` entry, or nothing: unrestricted). */
  defaultAccess: Array<{ family: 4 | 6; by?: Located; flags: string[] }>;
  /** How restrict treats each configured upstream (replies from servers pass the same list). */
  serverAccess: Array<{ address: string; source: Located; by?: Located; flags: string[] }>;
}

/** A chrony.conf as read, with the facts derived from it. */
export interface ChronyConfigObservation {
  kind: 'chrony-config';
  source: 'config';
  config: ChronyConfig;
  service?: string;
  inUse: boolean;
  /** How allow/deny treats the client networks (chrony.conf(5) allow: most specific subnet wins, `all` overrides). */
  clientAccess: AccessDecision[];
}

export type FirewallBackend = 'nftables' | 'iptables' | 'ip6tables' | 'firewalld';

/** The firewall's verdict for a new inbound NTP request (UDP to port 123) from one client network. */
export interface FirewallObservation {
  kind: 'firewall';
  source: 'node';
  backend: FirewallBackend;
  family: 4 | 6;
  /** Client network the packet was evaluated for, or 'any' when none is known. */
  from: string;
  /** This node's address on that network (what clients ask), when known. */
  localAddress?: string;
  verdict: 'accept' | 'drop' | 'reject' | 'unknown';
  /** For reject: the ICMP error as the tool names it ('icmp-host-prohibited', 'icmpx admin-prohibited', 'port-unreachable'). */
  rejectWith?: string;
  /** The rule (or chain policy / zone target) that decided. */
  decidedBy?: {
    text: string;
    family?: string;
    table?: string;
    chain?: string;
    /** nftables rule handle. */
    handle?: number;
    /** iptables: 1-based rule number in its chain. */
    position?: number;
    /** True when the chain's policy decided (no rule matched). */
    policy?: boolean;
  };
  /** Where an accept rule has to go to be seen first: the chain that decided and the rule it must precede. */
  insertAt?: { family?: string; table?: string; chain: string; beforeHandle?: number; position?: number };
  /** firewalld: the zone that handled the packet. */
  zone?: { name: string; target: string; services: string[]; ports: string[]; interfaces: string[]; sources: string[] };
  /** Chains / rules walked, for evidence. */
  trace: string[];
  /** Conditions the evaluator could not decide and assumed to match (an xt match, an interface name). */
  uncertain: string[];
}

export type TimeDaemonName = 'chronyd' | 'ntpd' | 'systemd-timesyncd' | 'openntpd';

export interface TimeDaemonProcess {
  name: TimeDaemonName;
  pid: number;
  argv: string[];
  /** 'ntpsec' when the binary is ntpsec's ntpd. */
  variant?: 'ntpd' | 'ntpsec';
  /** Config file from the command line (`-f` chronyd, `-c` ntpd), when given. */
  configPath?: string;
  /** Process start, Unix seconds (from /proc/PID/stat and the boot time). */
  startedAt?: number;
}

/** Which time daemons run in this node's network namespace. */
export interface TimeDaemonsObservation {
  kind: 'time-daemons';
  source: 'node';
  daemons: TimeDaemonProcess[];
  /** Unix seconds when looked. */
  at: number;
  /** False when some processes could not be inspected (the list may miss one). */
  complete: boolean;
  /** Config files found on disk where the daemons keep them. */
  configsOnDisk: string[];
  /** The distribution (os-release ID and ID_LIKE), for fixes that differ (service names, persistence). */
  os?: { id: string; like: string[] };
}

/** One source as the daemon sees it (chronyc sources / ntpq peers). */
export interface DaemonSource {
  address: string;
  /** Name as configured, when the daemon reports one. */
  name?: string;
  kind: 'server' | 'peer' | 'refclock' | 'other';
  /** chronyc state character (* + - ? x ~) or ntpq tally code (* + - x . # o space). */
  state: string;
  /** This source is the one the clock follows. */
  selected: boolean;
  stratum?: number;
  /** log2 seconds. */
  poll?: number;
  /** The 8-bit reach register (RFC 5905 §13: a 1 for each of the last 8 polls answered). */
  reach: number;
  /** Seconds since the last good sample; undefined = never. */
  lastRx?: number;
  /** Seconds. */
  offset?: number;
  delay?: number;
  /** ntpq jitter / chrony sourcestats standard deviation, seconds. */
  jitter?: number;
  /** chrony sourcestats NP: samples held. */
  samples?: number;
  refid?: string;
  /**
   * Replies arrive but the daemon throws them away, and which check failed (read by `source-rejected`).
   * systemd-timesyncd: from its log, e.g. "Server has too large root distance. Disconnecting." →
   * { test: 'root-distance', limit: RootDistanceMaxSec (default 5 s) }.
   */
  rejected?: SourceRejection;
  /** Requests went unanswered, as the daemon logged it (timesyncd "Timed out waiting for reply from ADDR"). */
  noReply?: LoggedEvent;
  /** Unix seconds of the last reply the daemon accepted, when it says (timesyncd "Contacted time server"). */
  lastContact?: number;
  /**
   * False when the daemon keeps no reach register (systemd-timesyncd): `reach` is then derived from its log and
   * state (0xff = the source it syncs to, 0 = none accepted), not RFC 5905 §13's 8-poll shift register.
   */
  reachRegister?: boolean;
}

/** Something the daemon logged about a source, how often, and when last (Unix seconds, when the log says). */
export interface LoggedEvent {
  /** The daemon's own words (one instance, as logged). */
  message: string;
  count: number;
  lastAt?: number;
}

/** Which test threw a source's replies away. Neutral across daemons; limit/value in seconds. */
export interface SourceRejection extends LoggedEvent {
  /**
   * root-distance: RFC 5905 §11.2.1 (chrony maxdistance 3 s, ntpd MAXDIST 1.5 s, timesyncd RootDistanceMaxSec 5 s);
   * unsynchronized: leap 3 or stratum 0/≥16 (RFC 5905 §7.3); other: any other sanity check.
   */
  test: 'root-distance' | 'unsynchronized' | 'other';
  /** The daemon's threshold, when the test has one (timesyncd: RootDistanceMaxSec as configured). */
  limit?: number;
  /** The value that failed, when known (timesyncd's info-level log does not say it; a probe does). */
  value?: number;
  /** Where the limit comes from (the config line, or 'default'). */
  limitFrom?: Located | 'default';
}

/** What the running daemon itself reports (chronyc, ntpd mode 6 / ntpq). */
export interface DaemonStateObservation {
  kind: 'daemon-state';
  source: 'daemon';
  daemon: 'chronyd' | 'ntpd' | 'systemd-timesyncd';
  /** How it was asked: 'chronyc -c -n sources', 'mode 6 READVAR', ... */
  via: string;
  /** Seconds since the daemon started, when known. */
  uptime?: number;
  sources: DaemonSource[];
  system?: {
    stratum: number;
    leap: number;
    refid: string;
    synchronized: boolean;
    /** Seconds; clock − reference as the daemon estimates it. */
    offset?: number;
    rootDelay?: number;
    rootDispersion?: number;
  };
  /** systemd-timesyncd only: what it reports beyond sources (timedatectl, its log, its state files). */
  timesyncd?: TimesyncdState;
}

/** systemd-timesyncd's own state (timedatectl show-timesync / timesync-status, /run/systemd/timesync, journal). */
export interface TimesyncdState {
  /** The server it talks to now (ServerName / ServerAddress), when D-Bus answered. */
  serverName?: string;
  serverAddress?: string;
  /** Seconds: current poll interval, and the RootDistanceMaxSec in effect. */
  pollInterval?: number;
  rootDistanceMax?: number;
  /** Unix seconds of the first synchronisation since boot (/run/systemd/timesync/synchronized mtime). */
  synchronizedAt?: number;
  /** The kernel clock cannot be adjusted: "Failed to call clock_adjtime(): Operation not permitted" (no CAP_SYS_TIME). */
  adjtimeFailed?: LoggedEvent;
  /** Where each part came from: 'timedatectl show-timesync', 'journal', '/run/systemd/timesync/synchronized'. */
  from: string[];
}

/** Something the inspection could not see, and why (not root, tool missing, timeout). */
export interface InspectionGapObservation {
  kind: 'inspection-gap';
  source: 'node';
  area: 'config' | 'firewall' | 'processes' | 'daemon' | 'interfaces';
  what: string;
  why: string;
}

/** systemd-timesyncd's configuration (timesyncd.conf + drop-ins), when it has one here or runs. */
export interface TimesyncdConfigObservation {
  kind: 'timesyncd-config';
  source: 'config';
  config: TimesyncdConfig;
  /** systemd-timesyncd runs in this network namespace. */
  inUse: boolean;
  /** The servers it polls from the files: NTP= when set, else FallbackNTP= (or the compiled-in list). */
  servers: { which: 'system' | 'fallback'; addresses: string[] };
}

export type NodeObservation =
  | NtpdConfigObservation
  | ChronyConfigObservation
  | FirewallObservation
  | TimeDaemonsObservation
  | DaemonStateObservation
  | InspectionGapObservation
  | TimesyncdConfigObservation;
