/**
 * What a report says it looked at (`inputs[]` of the JSON report, README "The report"): one tagged variant per way
 * a report is made (src/run/), so renderers read fields by type instead of casting. `kind` is the JSON tag; the
 * variants of one kind are told apart by the fields only they carry (`format: 'live'`, `unavailable`, `chain`).
 * Key order in the objects the runs build is the JSON's order: builders list fields in the order shown here.
 */

/** Capture file formats the readers know (src/capture/). */
export type CaptureFormat = 'pcap' | 'pcapng';

/** Why and where a reader stopped before the end of the input; what it read before stays valid. */
export interface CaptureStop {
  kind: 'truncated' | 'malformed';
  /** Byte offset in the input where the unreadable part starts. */
  offset: number;
  /** Frame number the stop happened at (the first frame not delivered). */
  frame: number;
  reason: string;
}

/** A config file that could not be read, or only in part (`from`: the FILE:LINE of the include that named it). */
export interface UnreadableFile {
  file: string;
  reason: string;
  from?: string;
}

/** A capture file (`analyze`, `checklist FILE`): src/run/capture-file.ts. */
export interface CaptureFileInput {
  kind: 'capture';
  name: string;
  format: CaptureFormat;
  frames: number;
  bytes: number;
  linkTypes: number[];
  ntpFrames: number;
  paths: number;
  /** UTC ISO 8601 in the file's resolution: when the capture was taken (first and last frame in file order). */
  firstFrameTime?: string;
  lastFrameTime?: string;
  stop?: CaptureStop;
}

/** A live capture (`capture`, `diagnose --capture`): src/run/live-capture.ts. */
export interface LiveCaptureInput {
  kind: 'capture';
  name: string;
  format: 'live';
  /** 'cap' (libpcap) or 'tcpdump'. */
  backend: string;
  interface: string;
  filter: string;
  linkTypes: number[];
  /** 'kernel' or 'arrival' (taken as packets reach us). */
  timestampSource: string;
  seconds: number;
  stoppedBy: 'duration' | 'signal' | 'source-ended';
  frames: number;
  ntpFrames: number;
  paths: number;
  /** Packets the kernel dropped, when the backend can say. */
  dropped?: number;
  stop?: CaptureStop;
  written?: { path: string; packets: number };
}

/** A capture beside a node diagnosis that could not run (src/run/node.ts): why. */
export interface CaptureUnavailableInput {
  kind: 'capture';
  name: string;
  unavailable: string;
}

/** One address probed: by `probe` (`host`, `precision`, `best`) or by `diagnose` (`from`: the config line). */
export interface ProbeAddressInput {
  kind: 'probe';
  /** ADDRESS:PORT, IPv6 in brackets. */
  name: string;
  /** The name that was resolved (`probe HOST`). */
  host?: string;
  /** Where the server comes from (`diagnose`): 'FILE:LINE' or '--server'. */
  from?: string;
  samples: number;
  replies: number;
  /** Our precision, log2 s (`probe`). */
  precision?: number;
  /** 1-based index of the lowest-delay valid sample (`probe`). */
  best?: number;
  stoppedEarly?: string;
}

export type TraceEnd =
  | 'primary'
  | 'refclock'
  | 'local-clock'
  | 'orphan'
  | 'unsynchronized'
  | 'kiss-of-death'
  | 'no-answer'
  | 'loop'
  | 'unfollowable'
  | 'max-hops'
  | 'deadline';

/** What the hop's mode 6 system variables (association 0) and associations said, ntpq `rv` / `peers` style. */
export interface TraceControl {
  stratum?: number;
  leap?: number;
  refid?: string;
  /** srcadr of the system peer (the association `peer=` names). */
  systemPeer?: string;
  /** Association id of the system peer; 0/absent when unsynchronized. */
  systemPeerId?: number;
  /** Daemon version string (`version=`). */
  version?: string;
  /** An association that polls the server itself (srcadr is its own address). */
  selfSource?: string;
}

/** One hop of a trace, as the report lists it. */
export interface TraceHopInput {
  address: string;
  port: number;
  stratum: number | undefined;
  refid: string | undefined;
  via: 'mode6' | 'refid' | 'none';
  upstream: string | undefined;
  mode6: boolean;
  peers: string[] | undefined;
  control: TraceControl | undefined;
  partial?: string;
}

/** The refid chain `trace` followed (src/run/trace.ts). */
export interface TraceInput {
  kind: 'probe';
  /** 'trace HOST[:PORT]'. */
  name: string;
  end: TraceEnd;
  summary: string;
  complete: boolean;
  reason?: string;
  seconds: number;
  deadline: number;
  hopBudget: number;
  chain: TraceHopInput[];
  loop?: string[];
}

/** This node (`diagnose`): src/run/node.ts. */
export interface NodeInput {
  kind: 'node';
  /** The host name. */
  name: string;
  daemons: string[];
  configs: string[];
  firewall: string[];
  addresses: string[];
  platform?: string;
  /** What the inspection could not see: 'AREA: WHAT: WHY'. */
  unseen?: string[];
  unreadable?: UnreadableFile[];
}

/** One config file with its includes (`lint`): src/run/lint.ts. */
export interface ConfigInput {
  kind: 'config';
  name: string;
  flavor: string;
  files: string[];
  directives: number;
  unknownDirectives?: string[];
  unreadable?: UnreadableFile[];
  /** `# ntpdoctor: ignore RULE -- reason` comments lint found (src/lint/suppress.ts), with how many findings each silenced. */
  suppressions?: Suppression[];
  /** Suppression comments that silence nothing: no reason, unknown rule, nothing after them. */
  badSuppressions?: BadSuppression[];
}

/** One `# ntpdoctor: ignore RULE[,RULE] -- reason` comment in a config file. */
export interface Suppression {
  file: string;
  /** The line of the comment. */
  line: number;
  rules: string[];
  reason: string;
  scope: 'line' | 'file';
  /** scope 'line': the directive's line whose findings it silences. */
  appliesTo?: number;
  /** Findings it silenced. */
  used: number;
}

/** A suppression comment that could not be honoured, and why. */
export interface BadSuppression {
  file: string;
  line: number;
  /** The comment as written. */
  text: string;
  problem: string;
}

export type CaptureInput = CaptureFileInput | LiveCaptureInput | CaptureUnavailableInput;
export type ProbeInput = ProbeAddressInput | TraceInput;
export type ReportInput = CaptureInput | ProbeInput | NodeInput | ConfigInput;
