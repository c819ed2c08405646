import type { Observation, ObservationKind, ObservationOf } from '../observe/types.js';

export type Severity = 'error' | 'warning' | 'info';

export type Platform =
  | 'ntpd'
  | 'ntpsec'
  | 'chrony'
  | 'firewalld'
  | 'iptables'
  | 'nftables'
  | 'systemd'
  | 'generic';

export interface Fix {
  rank: number;
  platform: Platform;
  title: string;
  /**
   * Exact commands to apply, in order, each one program with its arguments quoted for POSIX sh (src/shell/ builds
   * them). ntpdoctor prints them, never runs them. Empty when `manual` replaces them.
   */
  commands: string[];
  /** One command that shows the fix worked (a command only: what to look for is in `expect`); '' when `manual` says it. */
  verify: string;
  /** What `verify` shows when the fix worked. */
  expect?: string;
  /**
   * Plain-language steps in place of `commands` (and of `verify` when it is ''), when a value from the input (a
   * file name, a config line, a server name) cannot be put in a command that is safe to paste: a newline, a
   * control or invisible character, an operand that begins with '-'.
   */
  manual?: string[];
  /** What the commands do to config files, so that a checklist can keep two steps from editing the same line. */
  edits?: ConfigEdit[];
}

/** One config-file edit a fix's command makes. */
export interface ConfigEdit {
  /** Index in `commands` of the command that makes it. */
  command: number;
  file: string;
  /**
   * 'append': add `text` as a new last line; 'replace': `line` becomes `text`; 'comment': `line` commented out;
   * 'change': `line` edited in place; 'pattern': every line a pattern matches edited in place.
   */
  action: 'append' | 'replace' | 'comment' | 'change' | 'pattern';
  line?: number;
  text?: string;
}

export interface Evidence {
  text: string;
  /** Frame numbers (captures) or sample indexes (probes) the user can check. */
  frames?: number[];
  /** What `frames` counts: 'frame' (capture, the default) or 'sample' (probe sample indexes). */
  unit?: 'frame' | 'sample';
  /** How many frames the fact covers in all, when `frames` lists only the first few (FrameSample.count). */
  total?: number;
  /** Config file and line, when the evidence is a directive. */
  file?: string;
  line?: number;
}

export interface Finding {
  rule: string;
  severity: Severity;
  /** 0..1: how sure the rule is that this is what happens. */
  confidence: number;
  title: string;
  /** The host (or file) the finding is about. */
  subject: string;
  evidence: Evidence[];
  fixes: Fix[];
  /** Rule ids of findings on the same subject that this one explains (they are folded into it). */
  explains?: string[];
  why?: string;
  references?: string[];
  /** Why this finding has its severity, as a stable code the rule documents (e.g. mode6-exposed: 'mode7-answered'). */
  reason?: string;
}

/** What a rule's matcher returns for each hit: the finding without the rule's metadata. */
export interface Hit {
  subject: string;
  title: string;
  evidence: Evidence[];
  fixes: Fix[];
  /** Overrides the rule's default severity / confidence for this hit. */
  severity?: Severity;
  confidence?: number;
  /** Why this hit has its severity (Finding.reason). */
  reason?: string;
}

export interface RuleMeta {
  /** kebab-case, stable, never reused; equals the file name in rules/. */
  id: string;
  /** One line, for the README and `--help`. */
  summary: string;
  severity: Severity;
  confidence: number;
  /**
   * Ordering among findings of equal severity: lower comes first. Root causes (a firewall reject) sit low,
   * symptoms they explain (no reply) high.
   */
  priority: number;
  /** Rules whose findings on the same subject this rule's finding explains (suppressed when both fire). */
  explains?: string[];
  /** Short rationale with the numbers it uses. */
  why: string;
  /** RFC sections, man pages. */
  references: string[];
}

export interface RuleContext {
  /** All observations, grouped by kind. */
  of<K extends ObservationKind>(kind: K): ObservationOf<K>[];
  all: readonly Observation[];
}

export interface Rule {
  meta: RuleMeta;
  match(ctx: RuleContext): Hit[];
}

export interface ReportInput {
  kind: 'capture' | 'probe' | 'node' | 'config';
  name: string;
  [key: string]: unknown;
}

export interface Report {
  schema: 'ntpdoctor.report/1';
  findings: Finding[];
  exchanges: import('../correlate/types.js').NtpExchange[];
  /** Exchanges not listed (the report keeps a bounded sample). */
  exchangesOmitted?: number;
  inputs: ReportInput[];
}
