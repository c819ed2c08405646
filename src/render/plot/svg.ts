/**
 * A self-contained SVG of offset and delay over time, one colour per client → server path, with the requests that
 * got no usable time marked underneath: rejected replies, Kiss-o'-Death, ICMP errors and silence. Pure: series
 * in (src/render/plot/collect.ts), one SVG document out; no scripts, no external references, so a browser, an
 * image viewer or a ticket system shows it as it is.
 *
 * Every label that came from the input (addresses, file names) is escaped twice: controls made visible
 * (escapeControls, as on a terminal) and XML-escaped, so a hostile name can neither break the markup nor hide.
 */
import { escapeControls } from '../terminal.js';
import { MARKS, type Bin, type Mark, type Series } from './collect.js';
import { niceTicks, secondsUnit, tickLabel, timeUnit, type Ticks } from './scale.js';

export interface PlotInput {
  series: readonly Series[];
  /** Paths and exchanges not drawn (past MAX_SERIES). */
  others?: { paths: number; exchanges: number };
  /** What was analysed (file names), for the title. */
  sources: readonly string[];
}

const WIDTH = 1000;
const LEFT = 90;
const RIGHT = 20;
const PLOT_W = WIDTH - LEFT - RIGHT;
const PANEL_H = 220;
const LANE_H = 16;

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#ff7f0e', '#7f7f7f', '#393b79', '#637939'];

const MARK_STYLE: Record<Mark, { label: string; color: string }> = {
  rejected: { label: 'rejected reply (failed RFC 5905 §8 tests, or unsynchronised)', color: '#ff7f0e' },
  kod: { label: "Kiss-o'-Death", color: '#9467bd' },
  icmp: { label: 'ICMP error', color: '#d62728' },
  none: { label: 'no reply', color: '#7f7f7f' },
};

/** Text for XML: controls shown escaped (escapeControls), then the five XML specials; U+FFFE/U+FFFF are not XML. */
export function xmlText(s: string): string {
  return escapeControls(s)
    .replace(/[\ufffe\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const f1 = (v: number) => (Math.round(v * 10) / 10).toString();
const endpoint = (ip: string, port: number) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);
const mid = (b: Bin) => (b.t0 + b.t1) / 2;

function seriesLabel(s: Series): string {
  const marks = MARKS.map((m) => [m, s.bins.reduce((n, b) => n + b.marks[m], 0)] as const)
    .filter(([, n]) => n > 0)
    .map(([m, n]) => `${n} ${m === 'kod' ? 'KoD' : m === 'icmp' ? 'ICMP' : m === 'none' ? 'unanswered' : 'rejected'}`);
  return `${s.client} → ${endpoint(s.server, s.port)}: ${s.exchanges} exchange${s.exchanges === 1 ? '' : 's'}${marks.length ? ` (${marks.join(', ')})` : ''}`;
}

interface Panel {
  id: 'offset' | 'delay';
  title: string;
  top: number;
  /** The axis includes zero (offsets: which side of the client's clock the server is). */
  zero: boolean;
  value: (b: Bin) => { n: number; min: number; max: number };
}

/** The plot as one SVG document. */
export function plotSvg(input: PlotInput): string {
  const series = input.series.filter((s) => s.bins.length > 0);
  const all = series.flatMap((s) => s.bins);
  const t0 = all.length ? Math.min(...all.map((b) => b.t0)) : 0;
  const t1 = all.length ? Math.max(...all.map((b) => b.t1)) : 1;
  const tu = timeUnit(t1 - t0);
  const xt = niceTicks(0, Math.max((t1 - t0) * tu.scale, 1e-3), 8);
  const x = (t: number) => LEFT + (((t - t0) * tu.scale - xt.min) / (xt.max - xt.min)) * PLOT_W;

  const legendTop = 60;
  const legendRows = series.length + (input.others?.paths ? 1 : 0) + 1;
  const offsetTop = legendTop + legendRows * 18 + 20;
  const panels: Panel[] = [
    { id: 'offset', title: 'offset (server − client)', top: offsetTop, zero: true, value: (b) => ({ n: b.offsets, min: b.offsetMin, max: b.offsetMax }) },
    { id: 'delay', title: 'round-trip delay', top: offsetTop + PANEL_H + 50, zero: false, value: (b) => ({ n: b.delays, min: b.delayMin, max: b.delayMax }) },
  ];
  const lanesTop = offsetTop + 2 * (PANEL_H + 50);
  const height = lanesTop + Math.max(1, series.length) * LANE_H + 60;

  const out: string[] = [];
  out.push(`<?xml version="1.0" encoding="UTF-8"?>`);
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect x="0" y="0" width="${WIDTH}" height="${height}" fill="#ffffff"/>`);
  const total = series.reduce((n, s) => n + s.exchanges, 0) + (input.others?.exchanges ?? 0);
  out.push(`<text class="title" x="${LEFT}" y="24" font-size="16" font-weight="bold">${xmlText(`NTP offset and delay: ${sourcesTitle(input.sources)}`)}</text>`);
  const start = all.length ? isoSeconds(t0) : 'no exchanges';
  out.push(`<text class="subtitle" x="${LEFT}" y="44">${xmlText(`${total} exchange${total === 1 ? '' : 's'} on ${series.length + (input.others?.paths ?? 0)} path${series.length === 1 ? '' : 's'}; time from ${start}`)}</text>`);

  // Legend: a swatch and a line per series, then the marks.
  out.push(`<g class="legend">`);
  series.forEach((s, i) => {
    const y = legendTop + i * 18;
    out.push(`<rect class="swatch" x="${LEFT}" y="${y - 9}" width="12" height="10" fill="${PALETTE[i % PALETTE.length]}"/>`);
    out.push(`<text class="legend-entry" x="${LEFT + 18}" y="${y}">${xmlText(seriesLabel(s))}</text>`);
  });
  let row = series.length;
  if (input.others?.paths) {
    out.push(`<text class="legend-entry" x="${LEFT + 18}" y="${legendTop + row * 18}">${xmlText(`${input.others.paths} more paths (${input.others.exchanges} exchanges) not drawn`)}</text>`);
    row++;
  }
  let lx = LEFT;
  for (const m of MARKS) {
    out.push(markShape(m, lx + 6, legendTop + row * 18 - 4, 'legend-mark'));
    const label = MARK_STYLE[m].label;
    out.push(`<text x="${lx + 14}" y="${legendTop + row * 18}">${xmlText(label)}</text>`);
    lx += 24 + label.length * 6.2;
  }
  out.push(`</g>`);

  for (const p of panels) out.push(...panel(p, series, x, xt));
  out.push(...lanes(series, x, lanesTop));
  // The shared time axis, under the lanes.
  const axisY = lanesTop + Math.max(1, series.length) * LANE_H + 8;
  out.push(`<g class="x-axis">`);
  out.push(`<line x1="${LEFT}" y1="${axisY}" x2="${LEFT + PLOT_W}" y2="${axisY}" stroke="#000"/>`);
  for (const v of xt.values) {
    const px = f1(LEFT + ((v - xt.min) / (xt.max - xt.min)) * PLOT_W);
    out.push(`<line class="tick" x1="${px}" y1="${axisY}" x2="${px}" y2="${axisY + 5}" stroke="#000"/>`);
    out.push(`<text class="tick-label" x="${px}" y="${axisY + 18}" text-anchor="middle">${xmlText(tickLabel(v, xt.step, 1))}</text>`);
  }
  out.push(`<text class="axis-title" x="${LEFT + PLOT_W / 2}" y="${axisY + 36}" text-anchor="middle">${xmlText(`time since ${start} (${tu.name})`)}</text>`);
  out.push(`</g>`);
  out.push(`</svg>`);
  return `${out.join('\n')}\n`;
}

function panel(p: Panel, series: readonly Series[], x: (t: number) => number, xt: Ticks): string[] {
  const values = series.flatMap((s) => s.bins.map(p.value).filter((v) => v.n > 0));
  const lo = values.length ? Math.min(...values.map((v) => v.min)) : 0;
  const hi = values.length ? Math.max(...values.map((v) => v.max)) : 0;
  const yt = niceTicks(p.zero ? Math.min(lo, 0) : lo, p.zero ? Math.max(hi, 0) : hi, 5);
  const unit = secondsUnit(Math.max(Math.abs(yt.min), Math.abs(yt.max)));
  const y = (v: number) => p.top + PANEL_H - ((v - yt.min) / (yt.max - yt.min)) * PANEL_H;
  const out: string[] = [`<g class="panel" data-panel="${p.id}">`];
  out.push(`<text class="panel-title" x="${LEFT}" y="${p.top - 8}" font-weight="bold">${xmlText(`${p.title} (${unit.name})`)}</text>`);
  out.push(`<rect x="${LEFT}" y="${p.top}" width="${PLOT_W}" height="${PANEL_H}" fill="none" stroke="#000"/>`);
  for (const v of yt.values) {
    const py = f1(y(v));
    out.push(`<line class="grid" x1="${LEFT}" y1="${py}" x2="${LEFT + PLOT_W}" y2="${py}" stroke="${v === 0 ? '#888' : '#e5e5e5'}"/>`);
    out.push(`<text class="tick-label y" x="${LEFT - 6}" y="${f1(y(v) + 4)}" text-anchor="end">${xmlText(tickLabel(v, yt.step, unit.scale))}</text>`);
  }
  for (const v of xt.values) {
    const px = f1(LEFT + ((v - xt.min) / (xt.max - xt.min)) * PLOT_W);
    out.push(`<line class="grid" x1="${px}" y1="${p.top}" x2="${px}" y2="${p.top + PANEL_H}" stroke="#f0f0f0"/>`);
  }
  series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length]!;
    out.push(`<g class="series" data-series="${i}" fill="${color}" stroke="${color}">`);
    out.push(`<title>${xmlText(seriesLabel(s))}</title>`);
    const pts = s.bins.map((b) => ({ b, v: p.value(b) })).filter((e) => e.v.n > 0);
    if (pts.length > 1) out.push(`<polyline fill="none" stroke-opacity="0.35" points="${pts.map((e) => `${f1(x(mid(e.b)))},${f1(y((e.v.min + e.v.max) / 2))}`).join(' ')}"/>`);
    for (const { b, v } of pts) {
      // One exchange: a dot. A merged bin: its envelope (min to max) as a bar, with the count.
      if (v.n === 1) out.push(`<circle class="pt" data-n="1" cx="${f1(x(mid(b)))}" cy="${f1(y(v.min))}" r="2.5"/>`);
      else out.push(`<line class="pt env" data-n="${v.n}" x1="${f1(x(mid(b)))}" y1="${f1(y(v.min))}" x2="${f1(x(mid(b)))}" y2="${f1(y(v.max)) === f1(y(v.min)) ? f1(y(v.min) - 1) : f1(y(v.max))}" stroke-width="2"/>`);
    }
    out.push(`</g>`);
  });
  out.push(`</g>`);
  return out;
}

/** One lane per series: where requests got no usable time, by kind. */
function lanes(series: readonly Series[], x: (t: number) => number, top: number): string[] {
  const out: string[] = [`<g class="marks">`];
  out.push(`<text class="panel-title" x="${LEFT}" y="${top - 8}" font-weight="bold">requests without usable time, per path</text>`);
  series.forEach((s, i) => {
    const cy = top + i * LANE_H + LANE_H / 2;
    out.push(`<rect class="lane-key" x="${LEFT - 16}" y="${cy - 5}" width="10" height="10" fill="${PALETTE[i % PALETTE.length]}"/>`);
    out.push(`<line x1="${LEFT}" y1="${cy}" x2="${LEFT + PLOT_W}" y2="${cy}" stroke="#eee"/>`);
    for (const b of s.bins) {
      for (const m of MARKS) {
        const n = b.marks[m];
        if (n > 0) out.push(markShape(m, x(mid(b)), cy, `mark ${m}`, n));
      }
    }
  });
  out.push(`</g>`);
  return out;
}

/** The glyph of a mark: a triangle (rejected), a diamond (KoD), a cross (ICMP), a bar (no reply). */
function markShape(m: Mark, cx: number, cy: number, cls: string, n?: number): string {
  const c = MARK_STYLE[m].color;
  const data = n !== undefined ? ` data-n="${n}"` : '';
  const at = (dx: number, dy: number) => `${f1(cx + dx)},${f1(cy + dy)}`;
  switch (m) {
    case 'rejected':
      return `<polygon class="${cls}"${data} points="${at(0, -5)} ${at(5, 4)} ${at(-5, 4)}" fill="${c}"/>`;
    case 'kod':
      return `<polygon class="${cls}"${data} points="${at(0, -5)} ${at(5, 0)} ${at(0, 5)} ${at(-5, 0)}" fill="${c}"/>`;
    case 'icmp':
      return `<path class="${cls}"${data} d="M${at(-4, -4)}L${at(4, 4)}M${at(-4, 4)}L${at(4, -4)}" stroke="${c}" stroke-width="2"/>`;
    case 'none':
      return `<line class="${cls}"${data} x1="${f1(cx)}" y1="${f1(cy - 5)}" x2="${f1(cx)}" y2="${f1(cy + 5)}" stroke="${c}" stroke-width="2"/>`;
  }
}

/** The inputs for the title, cut to what one line of the plot holds (about 95 characters at 16 px). */
export function sourcesTitle(sources: readonly string[], max = 95): string {
  const all = sources.join(', ');
  if (all.length <= max) return all;
  const more = ` (${sources.length} inputs)`;
  return `${all.slice(0, Math.max(10, max - more.length - 1))}…${sources.length > 1 ? more : ''}`;
}

function isoSeconds(t: number): string {
  const ms = Math.floor(t * 1000);
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return `${t} s after the epoch`;
  return new Date(ms).toISOString();
}
