/**
 * A report as Prometheus metrics in the text exposition format (prometheus.io/docs/instrumenting/exposition_formats),
 * for node_exporter's textfile collector: `diagnose --format prometheus > DIR/ntpdoctor.prom.$$ && mv … DIR/ntpdoctor.prom`.
 * Every family has HELP and TYPE once; label values are escaped as the format says (`\\`, `\"`, `\n`), and
 * anything a terminal would act on is replaced first, so the text is valid for promtool and inert on a screen.
 */
import { addressKey, median, probeAddress } from '../cluster/graph.js';
import type { Report } from '../diagnose/types.js';
import { toTerminal, type TerminalString } from './terminal.js';

/** Label values from the input (subjects are server names, config paths): bounded, controls replaced. */
export function labelValue(s: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = s.slice(0, 256).replace(/[\u0000-\u001f\u007f-\u009f\p{Cf}\u2028\u2029]|[\uD800-\uDFFF]/gu, '?');
  return clean.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

function labels(l: Record<string, string>): string {
  return `{${Object.entries(l)
    .map(([k, v]) => `${k}="${labelValue(v)}"`)
    .join(',')}}`;
}

/** A float as the format writes it (Go's strconv: NaN, +Inf, -Inf). */
function value(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}

interface Family {
  name: string;
  help: string;
  samples: Array<{ labels: Record<string, string>; value: number }>;
}

/** `now`: seconds since the epoch of this run (tests pass a fixed one). */
export function renderPrometheus(report: Report, now: number = Date.now() / 1000): TerminalString {
  const finding: Family = { name: 'ntpdoctor_finding', help: 'A finding of the last run: 1 for each (rule, severity, subject) it made.', samples: [] };
  const seen = new Set<string>();
  for (const f of report.findings) {
    const key = `${f.rule}\u0000${f.severity}\u0000${labelValue(f.subject)}`;
    if (seen.has(key)) continue; // one series per label set: the exposition format forbids duplicates
    seen.add(key);
    finding.samples.push({ labels: { rule: f.rule, severity: f.severity, subject: f.subject }, value: 1 });
  }
  const counts: Family = { name: 'ntpdoctor_findings', help: 'Findings of the last run, by severity.', samples: [] };
  for (const sev of ['error', 'warning', 'info'] as const) counts.samples.push({ labels: { severity: sev }, value: report.findings.filter((f) => f.severity === sev).length });
  const last: Family = { name: 'ntpdoctor_last_run_timestamp_seconds', help: 'When ntpdoctor last ran (Unix time, seconds).', samples: [{ labels: {}, value: now }] };
  const sources = sourceFamilies(report);
  const families = [finding, counts, last, ...sources];
  const lines: string[] = [];
  for (const fam of families) {
    lines.push(`# HELP ${fam.name} ${fam.help}`, `# TYPE ${fam.name} gauge`);
    for (const s of fam.samples) lines.push(`${fam.name}${Object.keys(s.labels).length ? labels(s.labels) : ''} ${value(s.value)}`);
  }
  return toTerminal(lines);
}

/**
 * Per source this node probed (each configured server, `--server`): replies out of samples (the probe's reach),
 * the median offset of accepted replies from a synchronized server (RFC 5905 §8 θ), its stratum.
 */
function sourceFamilies(report: Report): Family[] {
  const reach: Family = { name: 'ntpdoctor_source_reach_ratio', help: 'Share of probe requests to the source that got a reply (0..1).', samples: [] };
  const offset: Family = { name: 'ntpdoctor_source_offset_seconds', help: 'Median offset of this clock to the source (RFC 5905 theta), accepted replies only.', samples: [] };
  const stratum: Family = { name: 'ntpdoctor_source_stratum', help: 'Stratum in the source\'s last reply (16 = unsynchronized).', samples: [] };
  const done = new Set<string>();
  for (const input of report.inputs) {
    if (input.kind !== 'probe' || !('samples' in input) || done.has(input.name)) continue;
    done.add(input.name);
    const samples = typeof input.samples === 'number' ? input.samples : 0;
    const replies = typeof input.replies === 'number' ? input.replies : 0;
    const l = { source: input.name };
    if (samples > 0) reach.samples.push({ labels: l, value: replies / samples });
    const address = probeAddress(input.name);
    const xs = report.exchanges.filter((x) => addressKey(x.server.ip) === address && x.outcome === 'reply' && x.reply);
    const last = xs[xs.length - 1]?.reply;
    if (last) stratum.samples.push({ labels: l, value: last.stratum });
    const good = xs.filter((x) => x.reply!.stratum > 0 && x.reply!.stratum < 16 && x.reply!.leap !== 3 && !x.bogus?.length && typeof x.offset === 'number');
    const m = median(good.map((x) => x.offset!));
    if (m !== undefined) offset.samples.push({ labels: l, value: m });
  }
  return [reach, offset, stratum];
}
