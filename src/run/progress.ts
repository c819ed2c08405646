/**
 * Progress of a node diagnosis, stage by stage, for whoever watches it run (the TUI's step list). Pure
 * describers: each turns what a stage found into the one line shown beside its step.
 */
import type { AddressProbe } from '../probe/client.js';
import type { NodeFacts } from '../inspect/node.js';

export type StepStatus = 'running' | 'done' | 'failed';

/**
 * One stage of `diagnoseNode`: 'configs', 'firewall', 'daemon', 'probe:ADDR:PORT' (one per server), 'capture'.
 * The same id is reported 'running' first, then once 'done' or 'failed'. 'failed' means the stage could not
 * do its job, or (probes) the server never answered with time.
 */
export interface DiagnoseStep {
  id: string;
  label: string;
  status: StepStatus;
  detail?: string;
  /**
   * How a finished stage went, when 'done' alone would mislead: 'warning' when it ran but found something wrong
   * (a probe whose every reply was unusable: stratum 16, leap 3, KoD). The TUI draws its icon from it.
   */
  verdict?: 'warning';
}

export type OnStep = (step: DiagnoseStep) => void;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function describeConfigs(facts: NodeFacts): string {
  const daemons = facts.processes.daemons.map((d) => `${d.name}[${d.pid}]`);
  const files = facts.configs.map((c) => c.config.file);
  const parts = [files.length ? `${plural(files.length, 'config')}: ${files.join(', ')}` : 'no config read'];
  parts.push(daemons.length ? `running: ${daemons.join(', ')}` : 'no time daemon running');
  const gaps = facts.gaps.filter((g) => g.area === 'config');
  if (gaps[0]) parts.push(`${gaps[0].what}: ${gaps[0].why}`);
  return parts.join('; ');
}

const VERDICT_ORDER = { reject: 0, drop: 1, unknown: 2, accept: 3 } as const;

/** Per firewall backend, the worst verdict it gives UDP 123: 'iptables: reject (icmp-host-prohibited)'. */
export function describeFirewall(facts: NodeFacts): string {
  const fw = facts.firewall;
  const byBackend = new Map<string, { verdict: keyof typeof VERDICT_ORDER; rejectWith?: string }>();
  const inbound = (fw?.observations ?? []).filter((o) => o.direction !== 'out');
  const outbound = (fw?.observations ?? []).filter((o) => o.direction === 'out');
  const port = inbound[0]?.port ?? 123;
  for (const o of inbound) {
    const prev = byBackend.get(o.backend);
    if (!prev || VERDICT_ORDER[o.verdict] < VERDICT_ORDER[prev.verdict]) {
      byBackend.set(o.backend, o.rejectWith !== undefined ? { verdict: o.verdict, rejectWith: o.rejectWith } : { verdict: o.verdict });
    }
  }
  // This node's own requests its firewall stops (only drops and rejects are recorded on that side).
  const out = outbound.map((o) => `${o.backend}: own requests to ${o.to ?? '?'}:${o.port ?? 123} ${o.verdict}`);
  if (byBackend.size === 0 && out.length === 0) {
    const gap = fw?.gaps[0];
    return gap ? `no firewall rules read (${gap.what}: ${gap.why})` : 'no firewall rules on this node';
  }
  return [...[...byBackend].map(([backend, v]) => `${backend}: UDP ${port} ${v.verdict}${v.rejectWith ? ` (${v.rejectWith})` : ''}`), ...out].join('; ');
}

export function describeDaemons(facts: NodeFacts): string {
  if (facts.daemonStates.length === 0) {
    const gap = facts.gaps.find((g) => g.area === 'daemon');
    if (gap) return `${gap.what}: ${gap.why}`;
    return facts.processes.daemons.length ? 'the daemon did not say' : 'no daemon to ask';
  }
  return facts.daemonStates
    .map((s) => {
      const reachable = s.sources.filter((src) => src.reach !== 0).length;
      const sys = s.system ? (s.system.synchronized ? `synchronised, stratum ${s.system.stratum}` : 'not synchronised') : '';
      return `${s.daemon}: ${sys ? `${sys}, ` : ''}${reachable}/${plural(s.sources.length, 'source')} reachable`;
    })
    .join('; ');
}

/** A probe's line: '3/3 replies, stratum 10, offset +0.2 ms' (done) or '0/3 replies: EHOSTUNREACH: ICMP 3/10 …' (failed). */
export function describeProbe(p: AddressProbe, formatOffset: (s: number) => string): { status: StepStatus; detail: string; verdict?: 'warning' } {
  const replies = p.samples.filter((s) => s.outcome === 'reply');
  const head = `${replies.length}/${p.samples.length} ${p.samples.length === 1 ? 'reply' : 'replies'}`;
  const best = p.samples.find((s) => s.index === p.best) ?? replies.find((s) => s.offset !== undefined);
  if (replies.length > 0) {
    const stratum = replies[0]?.packet?.stratum;
    const parts = [head];
    if (stratum !== undefined) parts.push(`stratum ${stratum}`);
    if (best?.offset !== undefined) parts.push(`offset ${formatOffset(best.offset)}`);
    // Replies, but none a client would use (RFC 5905 §8; chrony test6/testB/…): answered is not healthy.
    if (!replies.some((s) => s.offset !== undefined)) {
      const why = new Set(replies.flatMap((s) => (s.packet?.stratum === 0 ? [`KoD ${s.refidText ?? ''}`.trim()] : (s.rejected ?? []))));
      parts.push(`no usable reply${why.size ? ` (${[...why].join(', ')})` : ''}`);
      return { status: 'done', verdict: 'warning', detail: parts.join(', ') };
    }
    return { status: 'done', detail: parts.join(', ') };
  }
  const icmp = p.samples.find((s) => s.errno);
  const why = icmp?.errno?.text ?? p.samples.find((s) => s.note)?.note ?? 'no answer (timeout)';
  return { status: 'failed', detail: `${head}: ${why}` };
}
