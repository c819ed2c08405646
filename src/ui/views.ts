/**
 * What each part of the screen shows, as lines that fit `width` and a bounded height (pure; no Ink). The
 * components only paint these lines, so the layout at 80×24 is tested as data (test/ui/views.test.ts).
 */
import type { Finding, Report, Severity } from '../diagnose/types.js';
import { formatFrames, formatSeconds } from '../render/format.js';
import { keLines, keSummary, keTitle, noExchangeText } from './ke-lines.js';
import { sparkline } from './sparkline.js';
import type { CapturePane, ServerTrace, StepState, UiState } from './state.js';
import { clean, fitLine, plain, textWidth, truncate, wrap, type Line, type Seg, type Tone } from './text.js';

export const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'] as const;

const SEVERITY_LABEL: Record<Severity, string> = { error: 'ERROR', warning: 'WARN', info: 'info' };

const elapsed = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const fit = (lines: Line[], width: number) => lines.map((l) => fitLine(l, width));

export function titleLine(host: string, width: number): Line {
  return fitLine([{ text: 'ntpdoctor', tone: 'accent', bold: true }, { text: ` · diagnosing this node (${clean(host)})` }], width);
}

/**
 * The icon and tone a finished step gets, from its verdict and not only from "it ran": ✔ done and well, ⚠ done
 * but wrong (a probe whose replies were all unusable — stratum 16, leap 3, KoD), ✘ failed.
 */
export function stepIcon(step: Pick<StepState, 'status' | 'verdict'>): { icon: string; tone: Tone } {
  if (step.status === 'failed') return { icon: '✘', tone: 'failed' };
  if (step.verdict === 'warning') return { icon: '⚠', tone: 'warning' };
  return { icon: '✔', tone: 'ok' };
}

/** A finished step, for <Static>: '✔ label  1.2 s' and its detail under it (up to 3 lines). */
export function finishedStepLines(step: StepState, width: number): Line[] {
  const ok = step.status === 'done' && step.verdict === undefined;
  const { icon, tone } = stepIcon(step);
  const took = step.endedAt !== undefined ? `  ${elapsed(step.endedAt - step.startedAt)}` : '';
  const head: Line = [
    { text: `${icon} `, tone, bold: true },
    { text: clean(step.label) },
    { text: took, tone: 'dim' },
  ];
  const out: Line[] = [fitLine(head, width)];
  if (step.detail) {
    const detail = wrap(step.detail, width, '    ');
    const shown = detail.slice(0, 3);
    if (detail.length > 3) shown[2] = truncate(`${shown[2] ?? ''} ${detail.slice(3).join(' ').trim()}`, width);
    for (const d of shown) out.push([{ text: d, tone: ok ? 'dim' : tone }]);
  }
  return out;
}

export function runningStepLine(step: StepState, spinner: string, now: number, width: number): Line {
  return fitLine(
    [
      { text: `${spinner} `, tone: 'running', bold: true },
      { text: clean(step.label) },
      { text: `  ${elapsed(Math.max(0, now - step.startedAt))}`, tone: 'dim' },
    ],
    width,
  );
}

function clock(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** `s` in a column `n` cells wide, always one blank cell before the next column (cut with '…' if need be). */
const padTo = (s: string, n: number) => {
  const t = truncate(s, n - 1);
  return t + ' '.repeat(Math.max(0, n - textWidth(t)));
};

/** The live capture pane: a title, the offset sparkline, then the latest exchanges, in at most `height` lines. */
export function capturePaneLines(pane: CapturePane, width: number, height: number): Line[] {
  if (height <= 0) return [];
  const out: Line[] = [];
  out.push([
    { text: '── ', tone: 'dim' },
    { text: clean(pane.label), bold: true },
    { text: ` · ${pane.total} exchange${pane.total === 1 ? '' : 's'}, ${pane.replies} repl${pane.replies === 1 ? 'y' : 'ies'}${keTitle(pane)}`, tone: 'dim' },
  ]);
  // NTS-KE sessions (TCP 4460) first: when they fail, no NTP follows, and they are all there is to see.
  out.push(...keLines(pane, width, Math.floor((height - 1) / 3)));
  // One sparkline per server: offsets of two servers on one line would draw a jump that no clock made.
  const traces = pane.servers ?? [];
  const maxTraces = Math.max(1, Math.min(traces.length, Math.floor((height - 1) / 3)));
  for (const t of traces.slice(0, maxTraces)) out.push(traceLine(t, width));
  if (traces.length === 0) out.push([{ text: 'offset ', tone: 'dim' }, { text: noExchangeText(pane) }]);
  const hidden = traces.length - maxTraces + (pane.otherExchanges ? 1 : 0);
  if (hidden > 0) out.push(plain(`  … ${traces.length - maxTraces} more server${traces.length - maxTraces === 1 ? '' : 's'}${pane.otherExchanges ? `, ${pane.otherExchanges} exchanges with others` : ''}`, { tone: 'dim' }));
  const rowsRoom = height - out.length - 1;
  if (rowsRoom > 0) {
    // time 9, outcome 17, offset 12, delay the 9 cells of '999.9 µs' left at the end.
    const pathWidth = Math.max(10, width - 9 - 17 - 12 - 9);
    out.push([{ text: `${padTo('time', 9)}${padTo('client → server', pathWidth)}${padTo('outcome', 17)}${padTo('offset', 12)}delay`, tone: 'dim' }]);
    for (const r of pane.rows.slice(-rowsRoom)) {
      out.push([
        { text: `${padTo(clock(r.at), 9)}${padTo(`${r.client} → ${r.server}`, pathWidth)}` },
        { text: padTo(r.outcome, 17), tone: r.ok ? 'ok' : 'error' },
        { text: `${padTo(r.offset !== undefined ? formatSeconds(r.offset) : '—', 12)}${r.delay !== undefined ? formatSeconds(r.delay, false) : '—'}` },
      ]);
    }
  }
  return fit(out.slice(0, height), width);
}

/** A server's sparkline: 'server ▁▂▃▅  last +1.2 ms  min … max …', the chart taking the room the text leaves. */
function traceLine(t: ServerTrace, width: number): Line {
  const withOffset = t.offsets.filter((v): v is number => v !== undefined);
  const last = withOffset[withOffset.length - 1];
  const stats =
    last === undefined
      ? '  no offset yet (no reply)'
      : `  last ${formatSeconds(last)}  min ${formatSeconds(Math.min(...withOffset))}  max ${formatSeconds(Math.max(...withOffset))}`;
  const name = truncate(t.server, Math.max(8, Math.floor(width / 4)));
  const room = width - textWidth(name) - 1 - textWidth(stats);
  const chartWidth = Math.max(4, Math.min(t.offsets.length, room));
  return [{ text: `${name} `, tone: 'dim' }, { text: sparkline(t.offsets, chartWidth) || ' ', tone: 'accent' }, { text: stats }];
}

/** The live area while the diagnosis runs: running steps, then the capture pane, then the one key that works. */
export function diagnosingLines(state: UiState, width: number, height: number, spinner: string, now: number): Line[] {
  const running = state.steps.filter((s) => s.status === 'running').map((s) => runningStepLine(s, spinner, now, width));
  if (state.help) return helpLines(width, height);
  const footer = plain('? keys · q quit', { tone: 'dim' });
  const out = running.slice(0, Math.max(0, height - 1));
  if (state.capture) out.push(...capturePaneLines(state.capture, width, height - out.length - 1));
  out.push(footer);
  return fit(out, width);
}

export function summary(report: Report, exitStatus: number): string {
  const n = { error: 0, warning: 0, info: 0 };
  for (const f of report.findings) n[f.severity]++;
  if (report.findings.length === 0) return `no findings · exit ${exitStatus}`;
  const parts = (['error', 'warning', 'info'] as const).filter((s) => n[s] > 0).map((s) => `${n[s]} ${s}${n[s] > 1 && s !== 'info' ? 's' : ''}`);
  return `${report.findings.length} finding${report.findings.length > 1 ? 's' : ''} (${parts.join(', ')}) · exit ${exitStatus}`;
}

const severitySeg = (s: Severity): Seg => ({ text: SEVERITY_LABEL[s].padEnd(6), tone: s, bold: s !== 'info' });

export interface ResultsLayout {
  lines: Line[];
  /** Detail view: the largest first body line. */
  detailMax: number;
  /** Findings (list) or lines (detail) in one page. */
  page: number;
}

const LIST_KEYS = '↑↓/jk select · Enter details · w write checklist · ? keys · q quit';
const DETAIL_KEYS = '↑↓/jk scroll · Esc back · w write checklist · ? keys · q quit';

/** The keys, for the `?` overlay: what each does, in the order a user needs them. */
export const HELP_KEYS: ReadonlyArray<readonly [string, string]> = [
  ['↑ ↓  k j', 'select a finding (list) · scroll (details)'],
  ['PgUp PgDn space', 'a page up or down'],
  ['g  G', 'first · last'],
  ['Enter  l  o', 'open the finding: evidence, fixes, why'],
  ['Esc  ←  h  Backspace', 'back to the list'],
  ['w', 'write the checklist (asks before replacing the file)'],
  ['?', 'this help (? or Esc closes it)'],
  ['q  Ctrl-C', 'quit (exit status: 0 clean, 1 findings, 130 interrupted)'],
];

/** The key help overlay, in place of the view under it. */
export function helpLines(width: number, height: number): Line[] {
  const keyWidth = Math.max(...HELP_KEYS.map(([k]) => textWidth(k))) + 2;
  const out: Line[] = [[{ text: 'ntpdoctor', tone: 'accent', bold: true }, { text: ' · keys' }], plain(' ')];
  for (const [k, what] of HELP_KEYS) {
    const lines = wrap(what, width, ' '.repeat(keyWidth + 2));
    out.push([{ text: `  ${padTo(k, keyWidth)}`, bold: true }, { text: (lines[0] ?? '').slice(keyWidth + 2) }]);
    for (const l of lines.slice(1)) out.push(plain(l));
  }
  out.push(plain(' '), plain('? or Esc: back', { tone: 'dim' }));
  return fit(out.slice(0, Math.max(1, height)), width);
}

/** The message (where the checklist went), wrapped rather than cut: a long path must stay readable. */
function messageLines(state: UiState, width: number): Line[] {
  if (state.confirm) return wrap(`${state.confirm.path} exists. Overwrite it? y/N`, width, '', '  ').slice(0, 3).map((l) => plain(l, { tone: 'warning', bold: true }));
  if (!state.message) return [];
  const tone = state.message.tone === 'ok' ? 'ok' : 'error';
  return wrap(state.message.text, width, '', '  ').slice(0, 3).map((l) => plain(l, { tone }));
}

function captureSummary(pane: CapturePane, width: number): Line {
  const servers = pane.servers ?? [];
  if (servers.length > 1 || pane.otherExchanges) {
    // Several servers: no one sparkline can stand for them all (the live pane drew one each).
    return plain(`capture: ${pane.total} exchange${pane.total === 1 ? '' : 's'}, ${pane.replies} repl${pane.replies === 1 ? 'y' : 'ies'}, ${servers.length}${pane.otherExchanges ? '+' : ''} servers${keSummary(pane)}`, { tone: 'dim' });
  }
  const withOffset = pane.offsets.filter((v): v is number => v !== undefined);
  const last = withOffset[withOffset.length - 1];
  const tail = last !== undefined ? `  last offset ${formatSeconds(last)}` : '';
  const head = `capture: ${pane.total} exchange${pane.total === 1 ? '' : 's'}, ${pane.replies} repl${pane.replies === 1 ? 'y' : 'ies'}${keSummary(pane)}  `;
  const room = Math.max(0, width - head.length - tail.length);
  return [{ text: head, tone: 'dim' }, { text: sparkline(pane.offsets, Math.min(room, pane.offsets.length)), tone: 'accent' }, { text: tail, tone: 'dim' }];
}

/** The findings list: a summary line, two lines per finding (windowed around the selection), message, keys. */
export function listLines(state: UiState, width: number, height: number): ResultsLayout {
  const report = state.report;
  if (!report) return { lines: [], detailMax: 0, page: 1 };
  const top: Line[] = [[{ text: 'ntpdoctor', tone: 'accent', bold: true }, { text: ` · ${summary(report, state.exitStatus ?? 0)}` }]];
  if (state.capture) top.push(captureSummary(state.capture, width));
  const bottom: Line[] = messageLines(state, width);
  bottom.push(plain(report.findings.length ? LIST_KEYS : 'w write checklist · ? keys · q quit', { tone: 'dim' }));
  const room = Math.max(2, height - top.length - bottom.length);
  const body: Line[] = [];
  const findings = report.findings;
  if (findings.length === 0) {
    body.push(plain('No findings: nothing wrong seen on this node.', { tone: 'ok', bold: true }));
    return { lines: fit([...top, ...body, ...bottom], width), detailMax: 0, page: 1 };
  }
  const perPage = Math.max(1, Math.floor(room / 2));
  const start = Math.max(0, Math.min(state.selected - Math.floor(perPage / 2), findings.length - perPage));
  const shown = findings.slice(start, start + perPage);
  shown.forEach((f, k) => {
    const i = start + k;
    const sel = i === state.selected;
    const marker = sel ? '› ' : '  ';
    const num = `${i + 1}.`.padEnd(4);
    body.push([{ text: marker, tone: 'accent', bold: true }, { text: num, bold: sel }, severitySeg(f.severity), { text: ` ${clean(f.title)}`, bold: sel, inverse: sel }]);
    const more = i === start && start > 0 ? `  ↑ ${start} more` : i === start + shown.length - 1 && start + perPage < findings.length ? `  ↓ ${findings.length - start - perPage} more` : '';
    body.push([{ text: `${' '.repeat(12)}${f.rule} · ${clean(f.subject)} · ${Math.round(f.confidence * 100)}%`, tone: 'dim' }, { text: more, tone: 'accent' }]);
  });
  return { lines: fit([...top, ...body, ...bottom], width), detailMax: 0, page: perPage };
}

/** Everything the detail view can show for a finding, wrapped to `width` (scrolled by the view). */
export function detailBody(f: Finding, width: number): Line[] {
  const out: Line[] = [];
  const para = (text: string, first: string, rest: string, tone?: Tone) => {
    for (const l of wrap(text, width, first, rest)) out.push(tone ? plain(l, { tone }) : plain(l));
  };
  for (const l of wrap(f.title, width)) out.push(plain(l, { bold: true }));
  if (f.evidence.length) {
    out.push(plain(' '), plain('Evidence', { tone: 'accent', bold: true }));
    for (const e of f.evidence) {
      const where = [formatFrames(e.frames, e.total, e.unit === 'sample' ? 'sample' : 'frame'), e.file ? `${e.file}${e.line !== undefined ? `:${e.line}` : ''}` : '']
        .filter(Boolean)
        .join('; ');
      para(`${e.text}${where ? ` (${where})` : ''}`, '  • ', '    ');
    }
  }
  if (f.fixes.length) {
    out.push(plain(' '), plain(f.fixes.length > 1 ? 'Fixes (ranked: apply the one for the platform)' : 'Fix', { tone: 'accent', bold: true }));
    for (const fix of f.fixes) {
      para(`${fix.rank}) [${fix.platform}] ${fix.title}`, '  ', '     ');
      for (const cmd of fix.commands) para(cmd, '     $ ', '       ', 'ok');
      for (const step of fix.manual ?? []) para(step, '     - ', '       ');
      if (fix.verify) para(`verify: ${fix.verify}`, '     ', '       ', 'dim');
      if (fix.expect) para(`expect: ${fix.expect}`, '     ', '       ', 'dim');
    }
  }
  if (f.explains?.length) out.push(plain(' '), ...wrap(`Also explains: ${f.explains.join(', ')}`, width).map((l) => plain(l)));
  if (f.why) {
    out.push(plain(' '));
    para(`Why: ${f.why}`, '', '', 'dim');
  }
  if (f.references?.length) para(`See: ${f.references.join('; ')}`, '', '', 'dim');
  return out;
}

/** The detail view: the finding's header, its body from `detailTop`, the position and the keys. */
export function detailLines(state: UiState, width: number, height: number): ResultsLayout {
  const report = state.report;
  const f = report?.findings[state.selected];
  if (!report || !f) return { lines: [], detailMax: 0, page: 1 };
  const head: Line = [
    severitySeg(f.severity),
    { text: ` ${f.rule}`, bold: true },
    { text: ` · ${clean(f.subject)} · ${Math.round(f.confidence * 100)}% · ${state.selected + 1}/${report.findings.length}`, tone: 'dim' },
  ];
  const body = detailBody(f, width);
  const bottom: Line[] = messageLines(state, width);
  const room = Math.max(1, height - 1 - bottom.length - 1);
  const detailMax = Math.max(0, body.length - room);
  const top = Math.min(state.detailTop, detailMax);
  const shown = body.slice(top, top + room);
  const position = body.length > room ? `  lines ${top + 1}-${top + shown.length}/${body.length}` : '';
  bottom.push([{ text: DETAIL_KEYS, tone: 'dim' }, { text: position, tone: 'accent' }]);
  return { lines: fit([head, ...shown, ...bottom], width), detailMax, page: Math.max(1, room - 1) };
}

export function resultsLayout(state: UiState, width: number, height: number): ResultsLayout {
  if (state.help) return { lines: helpLines(width, height), detailMax: 0, page: 1 };
  return state.view === 'detail' ? detailLines(state, width, height) : listLines(state, width, height);
}
