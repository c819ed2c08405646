import type { NtpExchange } from '../model/exchange.js';
import type { Finding, Report, Severity } from '../diagnose/types.js';
import { formatFrames, formatSeconds, pad, padLeft } from './format.js';
import { escapeControls, toTerminal, type TerminalOptions, type TerminalString, type TextLine } from './terminal.js';

export type TextOptions = TerminalOptions;

const SEVERITY_LABEL: Record<Severity, string> = { error: 'ERROR', warning: 'WARNING', info: 'info' };

/**
 * The human report: inputs, findings ranked (root cause first) with evidence, fixes and why, then the exchanges.
 * Built as lines; `toTerminal` escapes what came from the input (refids, config text, file names) and adds colour.
 */
export function renderText(report: Report, options: TextOptions = {}): TerminalString {
  const out: TextLine[] = [];
  for (const input of report.inputs) out.push(...describeInput(input), ...unreadLines(input));
  if (report.inputs.length) out.push('');
  const counts = countBySeverity(report.findings);
  if (report.findings.length === 0) {
    out.push([{ text: 'No findings: nothing wrong seen in this input.', style: 'ok' }]);
  } else {
    out.push(`${report.findings.length} finding${report.findings.length > 1 ? 's' : ''} (${counts}), most likely root cause first:`);
  }
  report.findings.forEach((f, i) => {
    out.push('');
    out.push(...renderFinding(f, i + 1));
  });
  const table = renderExchanges(report.exchanges);
  if (table.length) {
    out.push('', 'Exchanges (a sample per client/server path):', ...table);
    // Every exchange the capture had but this table does not show: the report's own omissions plus the rows past the table.
    const more = (report.exchangesOmitted ?? 0) + Math.max(0, report.exchanges.length - TEXT_EXCHANGES);
    if (more > 0) out.push(`  … ${more} more exchange${more === 1 ? '' : 's'}${report.exchanges.length > TEXT_EXCHANGES ? ' (--json lists ' + String(report.exchanges.length) + ')' : ''}`);
  }
  return toTerminal(out, options);
}

function countBySeverity(findings: readonly Finding[]): string {
  const n = { error: 0, warning: 0, info: 0 };
  for (const f of findings) n[f.severity]++;
  return (['error', 'warning', 'info'] as const)
    .filter((s) => n[s] > 0)
    .map((s) => `${n[s]} ${s}${n[s] > 1 && s !== 'info' ? 's' : ''}`)
    .join(', ');
}

function describeInput(input: Report['inputs'][number]): string[] {
  // A capture that ran (file or live) says what it read; the other inputs only name themselves.
  const parts = 'frames' in input ? [`format ${input.format}`, `frames ${input.frames}`, `NTP/ICMP frames ${input.ntpFrames}`, `paths ${input.paths}`] : [];
  const lines = [`${input.kind} ${input.name}${parts.length ? `: ${parts.join(', ')}` : ''}`];
  if ('firstFrameTime' in input && input.firstFrameTime !== undefined) lines.push(`  taken ${input.firstFrameTime} to ${String(input.lastFrameTime)} (first and last frame, UTC)`);
  const stop = 'stop' in input ? input.stop : undefined;
  if (stop) lines.push(`  ${stop.kind === 'truncated' ? 'TRUNCATED' : 'MALFORMED'} at byte ${stop.offset} (frame ${stop.frame}): ${stop.reason} — analysed what came before`);
  return lines;
}

/** Config files an input could not read, or read only in part (includes, caps): "could not read: FILE (reason)". */
function unreadLines(input: Report['inputs'][number]): string[] {
  const list = 'unreadable' in input ? input.unreadable : undefined;
  if (!list) return [];
  return list.map((u) => {
    const from = u.from !== undefined ? `; named at ${u.from}` : '';
    return `  could not read: ${u.file} (${u.reason}${from})`;
  });
}

function renderFinding(f: Finding, n: number): TextLine[] {
  const out: TextLine[] = [];
  out.push([{ text: `${n}. ` }, { text: `[${SEVERITY_LABEL[f.severity]}]`, style: f.severity }, { text: ` ${f.title}` }]);
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

/** Exchange rows the text table shows at most. */
const TEXT_EXCHANGES = 40;

function renderExchanges(exchanges: readonly NtpExchange[]): string[] {
  if (!exchanges.length) return [];
  const rows = exchanges.slice(0, TEXT_EXCHANGES).map((x) => {
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
    // Escaped before padding, so a refid or address full of controls still lines up (toTerminal leaves it as is then).
    return `  ${padLeft(`#${x.requestFrame}`, 7)}  ${pad(escapeControls(path), 48)} ${pad(escapeControls(outcome), 46)} ${padLeft(off, 16)} ${padLeft(del, 12)}${bogus}`;
  });
  const head = `  ${padLeft('req', 7)}  ${pad('client → server', 48)} ${pad('outcome', 46)} ${padLeft('offset', 16)} ${padLeft('delay', 12)}`;
  return [head, ...rows];
}
