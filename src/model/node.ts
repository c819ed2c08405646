/**
 * Observations about this node, from its config files, firewall, processes and the daemons' own state
 * (node inspection, issue 4). Rules read these; the shell output and files they come from stay in src/inspect/.
 */
import type { ChronyConfig, Located, NtpdConfig, TimesyncdConfig } from './config.js';
import type { DaemonStateObservation, NtsKeObservation, TimeDaemonName, TimeDaemonsObservation } from './daemon.js';

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
  /**
   * The UDP port the request was evaluated for: the port this node's daemon serves on (123, or chrony's `port N`).
   * Absent = 123.
   */
  port?: number;
  /**
   * 'out': this node's own request to one of its configured servers (`to`), judged on the output hook / OUTPUT
   * chain. Absent: a client's request arriving (the input side).
   */
  direction?: 'out';
  /** direction 'out': the server asked (an address the config's source resolved to). */
  to?: string;
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
