/**
 * The cluster view (issue 16): many nodes' `diagnose --json` reports joined into one sync graph and judged by
 * the cluster rules (rules/cluster/), which make findings only a view of many nodes can make.
 */
import type { Evidence, Finding, Fix, Report, Severity } from '../diagnose/types.js';

/** One node's report as the cluster got it, or why it has none. */
export interface ClusterNode {
  /** The node's name: its report's hostname, else where it came from (file name, ssh destination). */
  name: string;
  /** Where the report came from: 'file:PATH', 'stdin:LINE', 'ssh:DEST'. */
  from: string;
  /** Its own addresses (the node input's `addresses`): how other nodes' servers are matched to it. */
  addresses: string[];
  /** 'ok' with a report; 'unreachable' (ssh failed, timed out) or 'invalid' (not a report) without one. */
  status: 'ok' | 'unreachable' | 'invalid';
  /** Why there is no report. */
  error?: string;
  report?: Report;
}

/** How an edge was learnt: a probe of a configured server, a finding's subject, a reply's refid (IPv4 upstream). */
export type EdgeVia = 'probe' | 'finding' | 'refid';

/** The state of a sync edge as the client sees it (the worst its report shows). */
export type EdgeState = 'ok' | 'unsynchronized' | 'rejected' | 'unreachable' | 'unknown';

/** One time source a node takes time from. `to` is a cluster node name, or the server address when outside. */
export interface SyncEdge {
  from: string;
  to: string;
  /** The address the client uses for it. */
  address: string;
  /** True when `to` is a node of the cluster. */
  internal: boolean;
  via: EdgeVia[];
  state: EdgeState;
  /** What the client saw of it: stratum, leap, refid of its replies, offset (probe exchanges). */
  stratum?: number;
  leap?: number;
  refid?: string;
  offset?: number;
  /** The rules whose findings on this client name this server (firewall-reject, source-unreachable, …). */
  rules: string[];
}

export interface SyncGraph {
  nodes: Array<{ name: string; internal: boolean; status: ClusterNode['status'] | 'external' }>;
  edges: SyncEdge[];
}

/** A node's finding named by a cluster finding: the cluster finding explains it. */
export interface NodeRef {
  node: string;
  rule: string;
  subject: string;
}

/** A cluster finding: the per-node fields plus the nodes it explains and the one root cause it names. */
export interface ClusterFinding extends Finding {
  /** Every node this finding is about (the root cause's node first when it is in the cluster). */
  nodes: string[];
  /** The node finding that is the root cause, when one node's report names it. */
  cause?: NodeRef;
  /** The node findings it explains (folded under it in the text and checklist). */
  explained: NodeRef[];
}

/** What a cluster rule returns per hit. */
export interface ClusterHit {
  subject: string;
  title: string;
  nodes: string[];
  cause?: NodeRef;
  explained: NodeRef[];
  evidence: Evidence[];
  fixes: Fix[];
  severity?: Severity;
  confidence?: number;
}

export interface ClusterRuleMeta {
  id: string;
  summary: string;
  severity: Severity;
  confidence: number;
  /** Lower first among equal severities: a root cause before a symptom. */
  priority: number;
  why: string;
  references: string[];
}

export interface ClusterContext {
  nodes: readonly ClusterNode[];
  graph: SyncGraph;
  /** The cluster node that owns an address, if any. */
  nodeOf(address: string): ClusterNode | undefined;
  /** The edges out of a node: the servers it takes time from. */
  edgesFrom(node: string): readonly SyncEdge[];
  /** A node's findings (none when it has no report). */
  findings(node: string): readonly Finding[];
}

export interface ClusterRule {
  meta: ClusterRuleMeta;
  match(ctx: ClusterContext): ClusterHit[];
}

export interface ClusterReport {
  schema: 'ntpdoctor.cluster/1';
  /** Cluster findings, most likely root cause first. */
  findings: ClusterFinding[];
  /** Every node, in input order, with its own report (its findings under the cluster's). */
  nodes: ClusterNode[];
  graph: SyncGraph;
}

export function defineClusterRule(rule: ClusterRule): ClusterRule {
  return rule;
}
