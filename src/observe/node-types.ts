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

/** A directive the daemon does not know, with the known directive it is nearest to (Damerau-Levenshtein ≤ 2). */
export interface UnknownDirectiveSeen {
  at: Located;
  keyword: string;
  suggestion?: string;
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
  /** Directives ntpd / NTPsec do not know (ntpd logs a syntax error and drops the line). */
  unknownDirectives: UnknownDirectiveSeen[];
  /** How restrict treats each configured upstream (replies from servers pass the same list). */
  serverAccess: Array<{ address: string; source: Located; by?: Located; flags: string[]; /** The server line's `key N`. */ key?: number }>;
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
  /** Directives chronyd does not know (it refuses to start: "Invalid directive"). */
  unknownDirectives: UnknownDirectiveSeen[];
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
  /** chronyc sources "+/- error" (seconds): the source's error bound, root distance included. */
  error?: number;
  /** The daemon has no address for this source yet: chronyc `-a` lists it as ID#NNNNNNNNNN (name unresolved). */
  unresolved?: boolean;
  /** What the last replies looked like and which of the daemon's tests they failed (chronyc ntpdata, ntpq rv). */
  packets?: SourcePackets;
  /** chronyc selectdata (chrony 4.x): the selection state letter (d = distance, ~ = jitter, s = unsynchronised, …). */
  selection?: { state: string; authenticated: boolean; interval?: [number, number]; leap?: string };
  /** chronyc authdata: NTS / symmetric-key state, when asked. */
  auth?: DaemonSourceAuth;
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

/**
 * A source's last valid reply and the daemon's verdict on it. chrony: `chronyc ntpdata` (tests 1–3, 5–7, A–D of
 * ntp_core.c as bits; totals of RX / valid / good); ntpd: the peer variables (flash bits TEST1..TEST13, ntp.h).
 */
export interface SourcePackets {
  leap?: number;
  stratum?: number;
  /** Seconds, from the reply's header. */
  rootDelay?: number;
  rootDispersion?: number;
  authenticated?: boolean;
  /** chrony ntpdata: "111 111 1111" with the spaces removed; 1 = passed (test1, 2, 3, 5, 6, 7, A, B, C, D). */
  tests?: string;
  /** ntpd / ntpsec: the flash bits (0 = every test passed). */
  flash?: number;
  totalTx?: number;
  totalRx?: number;
  /** chrony: replies that passed tests 1–3 and 5 (valid_packet). */
  validRx?: number;
  /** chrony: replies that also passed 6, 7 and A–D (good_packet): usable samples. */
  goodRx?: number;
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
  /** chronyd's journal lines about failed NTS-KE sessions (read only when a source uses NTS). */
  ntsLog?: NtsLogLine[];
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
  /** chronyc activity: how many sources are polled, offline, or still without an address (unresolved names). */
  activity?: { online: number; offline: number; burstOnline: number; burstOffline: number; unknownAddress: number };
  /** Selection limits in force (chrony.conf maxdistance / maxjitter, ntpd `tos maxdist`), seconds; defaults filled in. */
  limits?: { maxDistance: number; maxJitter?: number };
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

/** Which hypervisor tool may set this guest's clock on its own (issue 12 item 7). */
export interface HypervisorTimeSync {
  tool: 'vmware-tools' | 'virtualbox' | 'hyperv';
  /** True: periodic sync is on; false: off; undefined: the tool runs but its setting could not be read. */
  enabled: boolean | undefined;
  /** What was seen, one line (status output, command line, sysfs file). */
  evidence: string;
  pid?: number;
}

/** A kernel log line about the clocksource (kernel/time/clocksource.c, arch/x86/kernel/tsc.c). */
export interface ClocksourceEvent {
  /** 'unstable': the watchdog marked it unstable (skew too large); 'switched': the kernel changed clocksource. */
  event: 'unstable' | 'switched';
  clocksource: string;
  line: string;
  /** 'dmesg' or 'journalctl -k -b'. */
  via: string;
}

/** The platform under the daemon: virtualisation, clocksource, hypervisor time sync, the PTP clocks it offers. */
export interface PlatformClockObservation {
  kind: 'platform-clock';
  source: 'node';
  /** 'vmware', 'oracle' (VirtualBox), 'microsoft' (Hyper-V), 'kvm', 'xen', 'amazon', 'vm' (a hypervisor of unknown kind); undefined = bare metal or unknown. */
  virtualization?: string;
  /** /sys/devices/system/clocksource/clocksource0/{current,available}_clocksource. */
  clocksource?: { current: string; available: string[] };
  kernelEvents: ClocksourceEvent[];
  hypervisorSync: HypervisorTimeSync[];
  /** /sys/class/ptp/ptpN/clock_name: 'hyperv', 'KVM virtual PTP', a NIC's PHC. */
  ptpClocks: Array<{ device: string; name: string }>;
  /** Resumes from suspend or hibernation this boot, from the kernel log (kernel/power/suspend.c, hibernate.c). */
  resumes?: { count: number; last: string; via: string };
  /** ntpd's panic exit in its log: "time correction of N seconds exceeds sanity limit (1000)". */
  ntpdPanics: Array<{ line: string; seconds: number; via: string }>;
}

/** Something the inspection could not see, and why (not root, tool missing, timeout). */
export interface InspectionGapObservation {
  kind: 'inspection-gap';
  source: 'node';
  area: 'config' | 'firewall' | 'processes' | 'daemon' | 'interfaces' | 'platform';
  what: string;
  why: string;
}

/** Can the running daemons adjust the clock (CAP_SYS_TIME, chronyd -x), where they run, what their logs say. */
export interface ClockControlObservation {
  kind: 'clock-control';
  source: 'node';
  daemons: Array<{
    name: TimeDaemonName;
    pid: number;
    argv: string[];
    /** /proc/PID/status CapEff and CapBnd (hex) and whether each holds CAP_SYS_TIME (bit 25); absent: unreadable. */
    caps?: { eff: string; bnd?: string; effSysTime: boolean; bndSysTime?: boolean };
    /** False: the daemon runs in a user namespace other than the initial one (rootless container). */
    initialUserNs?: boolean;
    /** chronyd -x: it never adjusts the clock, by design. */
    noClockOption: boolean;
  }>;
  /** Container runtime this node runs in, and the signs; kind absent when no sign says so. */
  container: { kind?: string; signs: string[]; initBndSysTime?: boolean };
  /** Journal lines (this boot) where a daemon was refused the clock; at most 10, newest last. */
  logLines: string[];
}

/** The kernel's clock state (adjtimex read-only): STA_UNSYNC and maxerror, what node_exporter's timex collector reads. */
export interface KernelClockObservation {
  kind: 'kernel-clock';
  source: 'node';
  via: string;
  synchronized: boolean;
  /** Kernel status word and its flag names (absent when only timedatectl answered). */
  status?: number;
  flags?: string[];
  /** Seconds. */
  maxerror?: number;
  reasons: string[];
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
  | ClockControlObservation
  | KernelClockObservation
  | NtsKeObservation
  | TimesyncdConfigObservation
  | PlatformClockObservation;

/** chronyc authdata for one source (chronyc(1) authdata): the state of its NTS or symmetric-key authentication. */
export interface DaemonSourceAuth {
  /** '-' none, 'SK' symmetric key, 'NTS'. */
  mode: string;
  /** NTS: the key id of the current keys; 0 = no NTS-KE has completed yet. */
  keyId: number;
  /** NTS: the AEAD algorithm (15 = AEAD_AES_SIV_CMAC_256); 0 = none yet. */
  type: number;
  keyLength: number;
  /** Seconds since the last successful NTS-KE; undefined = never. */
  lastKe?: number;
  /** NTS-KE attempts since the last success. */
  attempts: number;
  /** NTS NAKs received since the last request (the server could not decrypt our cookie). */
  naks: number;
  /** Cookies held. */
  cookies: number;
  cookieLength: number;
  /** The name as configured (chronyc -N), when known. */
  name?: string;
}

/** What ntpdoctor's own NTS-KE probe (TCP, TLS 1.3, ALPN ntske/1, RFC 8915 §4) got from one server. */
export interface NtsKeObservation {
  kind: 'nts-ke';
  source: 'probe';
  address: string;
  port: number;
  /** The name the certificate must carry (the configured server name), when the source was given by name. */
  serverName?: string;
  /** Where the source is configured: 'file:line'. */
  from: string;
  /** Where it stopped: 'connect' (TCP), 'tls' (handshake, ALPN), 'certificate', 'ke' (records), or 'ok'. */
  stage: 'connect' | 'tls' | 'certificate' | 'ke' | 'ok';
  /** refused (TCP RST), timeout, unreachable (ICMP), reset (closed during TLS), tls (handshake failed), alpn, untrusted, expired, not-yet-valid, name-mismatch, ke-error, ok. */
  outcome: 'refused' | 'timeout' | 'unreachable' | 'reset' | 'tls' | 'alpn' | 'untrusted' | 'expired' | 'not-yet-valid' | 'name-mismatch' | 'ke-error' | 'ok';
  /** One line: the error as the OS / TLS library / server said it. */
  detail: string;
  /** Milliseconds from start to where it stopped. */
  ms: number;
  tlsVersion?: string;
  alpn?: string;
  certificate?: { subject: string; issuer: string; validFrom: string; validTo: string; altNames: string; selfSigned: boolean };
  /** This node's clock when the certificate was judged (Unix seconds): for not-yet-valid / expired. */
  checkedAt?: number;
  /** The CA files given to the check (chrony ntstrustedcerts, ntpsec `ca`), besides the system store unless excluded. */
  trust: { files: string[]; system: boolean; unreadable: string[] };
  /** Parsed NTS-KE response, when the exchange got that far. */
  response?: { cookies: number; cookieLength?: number; nextProtocols: number[]; aead: number[]; errors: string[]; warnings: number[]; server?: string; port?: number };
}

/** One chronyd log line about a failed NTS-KE session (src/inspect/daemon/nts-log.ts). */
export interface NtsLogLine {
  address: string;
  port: number;
  /** The configured name chronyd prints in parentheses. */
  name?: string;
  /** connect: "Could not connect to …"; tls / certificate: "TLS handshake with … failed"; timeout: "NTS-KE session with … timed out". */
  kind: 'connect' | 'tls' | 'certificate' | 'timeout';
  /** The line as logged (bounded). */
  text: string;
}
