import type { NtpExchange } from '../correlate/types.js';
import type { Finding, Report, Severity } from '../diagnose/types.js';
import { formatFrames, formatSeconds, pad, padLeft } from './format.js';

export interface TextOptions {
  color?: boolean;
}

const SEVERITY_LABEL: Record<Severity, string> = { error: 'ERROR', warning: 'WARNING', info: 'info' };
const SEVERITY_COLOR: Record<Severity, string> = { error: '\x1b[31;1m', warning: '\x1b[33;1m', info: '\x1b[36m' };

/** The human report: inputs, findings ranked (root cause first) with evidence, fixes and why, then the exchanges. */
export function renderText(report: Report, options: TextOptions = {}): string {
  const c = (code: string, s: string) => (options.color ? `${code}${s}\x1b[0m` : s);
  const out: string[] = [];
  for (const input of report.inputs) out.push(describeInput(input));
  if (report.inputs.length) out.push('');
  const counts = countBySeverity(report.findings);
  if (report.findings.length === 0) {
    out.push(c('\x1b[32;1m', 'No findings: nothing wrong seen in this input.'));
  } else {
    out.push(`${report.findings.length} finding${report.findings.length > 1 ? 's' : ''} (${counts}), most likely root cause first:`);
  }
  report.findings.forEach((f, i) => {
    out.push('');
    out.push(...renderFinding(f, i + 1, c));
  });
  const table = renderExchanges(report.exchanges);
  if (table.length) {
    out.push('', 'Exchanges (a sample per client/server path):', ...table);
    if (report.exchangesOmitted) out.push(`  … ${report.exchangesOmitted} more not listed`);
  }
  return `${out.join('\n')}\n`;
}

function countBySeverity(findings: readonly Finding[]): string {
  const n = { error: 0, warning: 0, info: 0 };
  for (const f of findings) n[f.severity]++;
  return (['error', 'warning', 'info'] as const)
    .filter((s) => n[s] > 0)
    .map((s) => `${n[s]} ${s}${n[s] > 1 && s !== 'info' ? 's' : ''}`)
    .join(', ');
}

function describeInput(input: Report['inputs'][number]): string {
  const parts: string[] = [];
  for (const k of ['format', 'frames', 'ntpFrames', 'paths'] as const) {
    if (input[k] !== undefined) parts.push(`${k === 'ntpFrames' ? 'NTP/ICMP frames' : k} ${String(input[k])}`);
  }
  let line = `${input.kind} ${input.name}${parts.length ? `: ${parts.join(', ')}` : ''}`;
  const stop = input.stop as { kind: string; frame: number; offset: number; reason: string } | undefined;
  if (stop) line += `\n  ${stop.kind === 'truncated' ? 'TRUNCATED' : 'MALFORMED'} at byte ${stop.offset} (frame ${stop.frame}): ${stop.reason} — analysed what came before`;
  return line;
}

function renderFinding(f: Finding, n: number, c: (code: string, s: string) => string): string[] {
  const out: string[] = [];
  out.push(`${n}. ${c(SEVERITY_COLOR[f.severity], `[${SEVERITY_LABEL[f.severity]}]`)} ${f.title}`);
  out.push(`   rule ${f.rule} · subject ${f.subject} · confidence ${Math.round(f.confidence * 100)}%`);
  if (f.evidence.length) {
    out.push('   Evidence:');
    for (const e of f.evidence) {
      const where = [formatFrames(e.frames, e.total, e.unit ?? 'frame'), e.file ? `${e.file}${e.line !== undefined ? `:${e.line}` : ''}` : '']
        .filter(Boolean)
        .join('; ');
      out.push(`     - ${e.text}${where ? ` (${where})` : ''}`);
    }
  }
  if (f.fixes.length) {
    out.push('   Fixes:');
    for (const fix of f.fixes) {
      out.push(`     ${fix.rank}) [${fix.platform}] ${fix.title}`);
      for (const cmd of fix.commands) out.push(`          ${cmd}`);
      for (const step of fix.manual ?? []) out.push(`          - ${step}`);
      if (fix.verify) out.push(`        verify: ${fix.verify}`);
      if (fix.expect) out.push(`        expect: ${fix.expect}`);
    }
  }
  if (f.explains?.length) out.push(`   Also explains: ${f.explains.join(', ')}`);
  if (f.why) out.push(`   Why: ${f.why}`);
  if (f.references?.length) out.push(`   See: ${f.references.join('; ')}`);
  return out;
}

function renderExchanges(exchanges: readonly NtpExchange[]): string[] {
  if (!exchanges.length) return [];
  const rows = exchanges.slice(0, 40).map((x) => {
    const path = `${x.client.ip}:${x.client.port} → ${x.server.ip}:${x.server.port}`;
    let outcome: string;
    if (x.outcome === 'reply' && x.reply) {
      outcome = `reply #${x.replyFrame} st ${x.reply.stratum} leap ${x.reply.leap} refid ${x.reply.refidText || '-'}`;
    } else if (x.outcome === 'icmp' && x.icmp) {
      outcome = `ICMP${x.icmp.version === 6 ? 'v6' : ''} ${x.icmp.type}/${x.icmp.code} #${x.icmp.frame} from ${x.icmp.reporter}`;
    } else outcome = 'no reply';
    const off = x.offset !== undefined ? formatSeconds(x.offset) : '';
    const del = x.delay !== undefined ? formatSeconds(x.delay, false) : '';
    const bogus = x.bogus?.length ? ` BOGUS ${x.bogus.join(',')}` : '';
    return `  ${padLeft(`#${x.requestFrame}`, 7)}  ${pad(path, 48)} ${pad(outcome, 46)} ${padLeft(off, 16)} ${padLeft(del, 12)}${bogus}`;
  });
  const head = `  ${padLeft('req', 7)}  ${pad('client → server', 48)} ${pad('outcome', 46)} ${padLeft('offset', 16)} ${padLeft('delay', 12)}`;
  return [head, ...rows];
}
