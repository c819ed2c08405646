import type { NtpExchange } from '../model/exchange.js';
import type { Finding, Report, Severity } from '../diagnose/types.js';
import { formatFrames } from './format.js';
import { toTerminal, type TerminalOptions, type TerminalString, type TextLine } from './terminal.js';
import { exchangeTable, TEXT_EXCHANGES } from './text-exchanges.js';
import { DEFAULT_COLUMNS, wrapText } from './text-layout.js';
import { serverTable } from './text-servers.js';

export interface TextOptions extends TerminalOptions {
  /** Cells per line (text-layout.ts textColumns); default 80. Prose wraps, tables fit; fix commands never wrap. */
  width?: number;
  /** Findings below this severity are left out (counted in one line). */
  minSeverity?: Severity;
  /** The findings alone: no inputs, no server table, no exchanges (and nothing at all when no finding is shown). */
  quiet?: boolean;
}

const SEVERITY_LABEL: Record<Severity, string> = { error: 'ERROR', warning: 'WARNING', info: 'info' };
const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/**
 * The human report: inputs (with the capture's span), the per-server table, findings ranked (root cause first)
 * with evidence, fixes and why, then a sample of the exchanges. Built as lines of at most `width` cells (measured
 * with string-width after escaping); `toTerminal` escapes what came from the input and adds colour.
 *
 * One deliberate exception to the width: a fix command is printed whole on one line. Wrapped, it would paste
 * into a shell as two commands; cut, as a different one. The terminal folds it; a paste still runs it as printed.
 */
export function renderText(report: Report, options: TextOptions = {}): TerminalString {
  const width = options.width ?? DEFAULT_COLUMNS;
  const min = options.minSeverity ?? 'info';
  const findings = report.findings.filter((f) => RANK[f.severity] <= RANK[min]);
  const hidden = report.findings.length - findings.length;
  const out: TextLine[] = [];
  if (options.quiet) {
    findings.forEach((f, i) => {
      if (i > 0) out.push('');
      out.push(...renderFinding(f, i + 1, width));
    });
    return toTerminal(out, options);
  }
  for (const input of report.inputs) out.push(...describeInput(input, width), ...unreadLines(input, width));
  if (report.inputs.length) out.push('');
  const servers = serverTable(report.servers ?? [], report.serversOmitted ?? 0, width);
  if (servers.length) {
    out.push(...wrapText('Servers (every exchange counted; reach = answered/sent; offset of the lowest-delay reply; jitter of the last 8):', width), ...servers, '');
  }
  const counts = countBySeverity(findings);
  const hiddenNote = hidden > 0 ? ` ${hidden} below ${min} not shown.` : '';
  if (findings.length === 0) {
    out.push(
      report.findings.length === 0
        ? [{ text: 'No findings: nothing wrong seen in this input.', style: 'ok' }]
        : `No findings at ${min} or above.${hiddenNote}`,
    );
  } else {
    out.push(...wrapText(`${findings.length} finding${findings.length > 1 ? 's' : ''} (${counts}), most likely root cause first:${hiddenNote}`, width));
  }
  findings.forEach((f, i) => {
    out.push('');
    out.push(...renderFinding(f, i + 1, width));
  });
  const table = exchangeTable(report.exchanges, width);
  if (table.length) {
    out.push('', 'Exchanges (a sample per client → server path):', ...table);
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

function describeInput(input: Report['inputs'][number], width: number): string[] {
  const parts: string[] = [];
  // A capture that ran (file or live) says what it read; the other inputs only name themselves.
  if ('frames' in input) {
    if (input.format !== undefined) parts.push(String(input.format));
    parts.push(`${input.frames} frame${input.frames === 1 ? '' : 's'}${typeof input.ntpFrames === 'number' ? ` (${input.ntpFrames} NTP/ICMP)` : ''}`);
    if (typeof input.paths === 'number') parts.push(`${input.paths} path${input.paths === 1 ? '' : 's'}`);
  }
  const lines = wrapText(`${input.kind} ${input.name}${parts.length ? `: ${parts.join(', ')}` : ''}`, width, '', '  ');
  const span = 'firstFrameTime' in input ? captureSpan(input.firstFrameTime, input.lastFrameTime) : undefined;
  if (span) lines.push(...wrapText(span, width, '  ', '    '));
  const stop = 'stop' in input ? input.stop : undefined;
  if (stop) lines.push(...wrapText(`${stop.kind === 'truncated' ? 'TRUNCATED' : 'MALFORMED'} at byte ${stop.offset} (frame ${stop.frame}): ${stop.reason} — analysed what came before`, width, '  ', '    '));
  return lines;
}

/**
 * 'span 2026-11-22T00:19:01.486983Z → 2026-11-22T00:19:09.386783Z (7.900 s)': the first and the last frame's
 * time as the JSON has them (src/run/capture-file.ts isoTime, the file's own resolution), and how long the capture ran.
 */
export function captureSpan(first: unknown, last: unknown): string | undefined {
  if (typeof first !== 'string' || typeof last !== 'string') return undefined;
  const a = splitIso(first);
  const b = splitIso(last);
  if (!a || !b) return `span ${first} → ${last}`;
  const seconds = (b.epoch - a.epoch) + (b.frac - a.frac);
  return `span ${first} → ${last} (${formatDuration(seconds)})`;
}

function splitIso(iso: string): { epoch: number; frac: number } | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d{1,9})?Z$/.exec(iso);
  if (!m) return undefined;
  const epoch = Date.parse(`${m[1]}T${m[2]}Z`) / 1000;
  if (!Number.isFinite(epoch)) return undefined;
  return { epoch, frac: m[3] ? Number(`0${m[3]}`) : 0 };
}

/** '7.900 s', '3 min 12.5 s', '2 h 5 min', '3 d 4 h'. */
export function formatDuration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 0) return `-${formatDuration(-s)}`;
  if (s < 60) return `${s.toFixed(3)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${(s % 60).toFixed(1)} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

/** Config files an input could not read, or read only in part (includes, caps): "could not read: FILE (reason)". */
function unreadLines(input: Report['inputs'][number], width: number): string[] {
  const list = 'unreadable' in input ? input.unreadable : undefined;
  if (!list) return [];
  return list.flatMap((u) => {
    const from = u.from !== undefined ? `; named at ${u.from}` : '';
    return wrapText(`could not read: ${u.file} (${u.reason}${from})`, width, '  ', '    ');
  });
}

function renderFinding(f: Finding, n: number, width: number): TextLine[] {
  const out: TextLine[] = [];
  const label = `[${SEVERITY_LABEL[f.severity]}]`;
  const lead = `${n}. `;
  // The title wraps under itself; the first line keeps the coloured severity.
  const title = wrapText(f.title, width, `${lead}${label} `, '   ');
  out.push([{ text: lead }, { text: label, style: f.severity }, { text: (title[0] ?? '').slice(lead.length + label.length) }]);
  out.push(...title.slice(1));
  out.push(...wrapText(`rule ${f.rule} · subject ${f.subject} · confidence ${Math.round(f.confidence * 100)}%`, width, '   ', '     '));
  if (f.evidence.length) {
    out.push('   Evidence:');
    for (const e of f.evidence) {
      const where = [formatFrames(e.frames, e.total, e.unit ?? 'frame'), e.file ? `${e.file}${e.line !== undefined ? `:${e.line}` : ''}` : '']
        .filter(Boolean)
        .join('; ');
      out.push(...wrapText(`${e.text}${where ? ` (${where})` : ''}`, width, '     - ', '       '));
    }
  }
  if (f.fixes.length) {
    out.push('   Fixes:');
    for (const fix of f.fixes) {
      out.push(...wrapText(`${fix.rank}) [${fix.platform}] ${fix.title}`, width, '     ', '        '));
      // Whole, one per line: see renderText.
      for (const cmd of fix.commands) out.push(`          ${cmd}`);
      for (const step of fix.manual ?? []) out.push(...wrapText(step, width, '          - ', '            '));
      if (fix.verify) out.push(`        verify: ${fix.verify}`);
      if (fix.expect) out.push(...wrapText(`expect: ${fix.expect}`, width, '        ', '          '));
    }
  }
  if (f.explains?.length) out.push(...wrapText(`Also explains: ${f.explains.join(', ')}`, width, '   ', '     '));
  if (f.why) out.push(...wrapText(`Why: ${f.why}`, width, '   ', '     '));
  if (f.references?.length) out.push(...wrapText(`See: ${f.references.join('; ')}`, width, '   ', '     '));
  if (f.help) out.push(...wrapText(`Help: ${f.help} (ntpdoctor explain ${f.rule})`, width, '   ', '     '));
  return out;
}
