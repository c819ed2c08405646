import type { NtpExchange } from '../model/exchange.js';
import type { ReportInput } from '../model/report-input.js';
import type { Observation } from '../model/observation.js';
import { summarizeServers } from './servers.js';
import { SEVERITY_ORDER } from './severity.js';
import type { Finding, Report } from './types.js';

/** Exchanges listed in a report at most, unless findings cite more; the rest are counted in `exchangesOmitted`. */
export const REPORT_EXCHANGES = 200;
/** Exchanges a finding cites are listed even past REPORT_EXCHANGES, up to this many. */
export const REPORT_CITED_EXCHANGES = 1000;

/**
 * The report. `exchanges` is the sample the inputs kept (src/observe/accumulate.ts); `exchangesTotal` how many
 * exchanges they had in all (default: as many as the sample). `exchangesOmitted` is always there: what the listed
 * exchanges leave out, 0 when nothing.
 */
export function buildReport(input: {
  findings: Finding[];
  exchanges?: readonly NtpExchange[];
  exchangesTotal?: number;
  inputs?: ReportInput[];
  /** The observations judged: their client → server paths become the `servers` summary (every exchange counted). */
  observations?: readonly Observation[];
}): Report {
  const exchanges = input.exchanges ?? [];
  const listed = listedExchanges(exchanges, input.findings);
  const total = Math.max(input.exchangesTotal ?? exchanges.length, exchanges.length);
  const report: Report = {
    schema: 'ntpdoctor.report/1',
    findings: input.findings,
    exchanges: listed,
    exchangesOmitted: total - listed.length,
    inputs: input.inputs ?? [],
  };
  // Additive within ntpdoctor.report/1: present only when the input had NTP paths.
  const { servers, omitted } = summarizeServers(input.observations ?? []);
  if (servers.length) {
    report.servers = servers;
    report.serversOmitted = omitted;
  }
  return report;
}

/**
 * The exchanges a report lists: all when they fit in REPORT_EXCHANGES; else every one a finding cites (a frame of it
 * among some evidence's frames, up to REPORT_CITED_EXCHANGES), then the others in order up to REPORT_EXCHANGES — so
 * the KoD replies behind a rate-limit finding are never the ones left out. The order stays the sample's.
 */
export function listedExchanges(exchanges: readonly NtpExchange[], findings: readonly Finding[]): NtpExchange[] {
  if (exchanges.length <= REPORT_EXCHANGES) return exchanges.slice();
  const citedFrames = new Set<number>();
  for (const f of findings) {
    for (const e of f.evidence) if (e.unit !== 'sample') for (const n of e.frames ?? []) citedFrames.add(n);
  }
  const isCited = (x: NtpExchange) =>
    citedFrames.has(x.requestFrame) || (x.replyFrame !== undefined && citedFrames.has(x.replyFrame)) || (x.icmp !== undefined && citedFrames.has(x.icmp.frame));
  const keep = new Uint8Array(exchanges.length);
  let kept = 0;
  exchanges.forEach((x, i) => {
    if (kept < REPORT_CITED_EXCHANGES && isCited(x)) {
      keep[i] = 1;
      kept++;
    }
  });
  for (let i = 0; i < exchanges.length && kept < REPORT_EXCHANGES; i++) {
    if (keep[i] === 0) {
      keep[i] = 1;
      kept++;
    }
  }
  return exchanges.filter((_, i) => keep[i] === 1);
}

/**
 * Merges findings from several inputs (one capture per run of the rules): findings already come ranked per input;
 * the same rule on the same subject from two inputs becomes one finding with both inputs' evidence.
 */
export function mergeFindings(lists: Finding[][]): Finding[] {
  const merged: Array<{ f: Finding; order: number }> = [];
  const byKey = new Map<string, Finding>();
  for (const list of lists) {
    list.forEach((f, i) => {
      const key = `${f.rule}\u0000${f.subject}`;
      const prev = byKey.get(key);
      if (prev) {
        prev.evidence.push(...f.evidence);
        prev.confidence = Math.max(prev.confidence, f.confidence);
        if (SEVERITY_ORDER[f.severity] < SEVERITY_ORDER[prev.severity]) prev.severity = f.severity;
        return;
      }
      const copy = { ...f, evidence: [...f.evidence] };
      byKey.set(key, copy);
      merged.push({ f: copy, order: i });
    });
  }
  return merged
    .sort((a, b) => SEVERITY_ORDER[a.f.severity] - SEVERITY_ORDER[b.f.severity] || a.order - b.order)
    .map((m) => m.f);
}

/** README (exit status): exit 1 when any finding is at warning or worse, else 0. */
export function exitStatus(report: Report): number {
  return report.findings.some((f) => f.severity === 'error' || f.severity === 'warning') ? 1 : 0;
}
