/**
 * Lines for a fixed-size terminal: every view is built as lines of styled segments that already fit the width,
 * so the screen's height is known before Ink draws it (an 80×24 terminal never scrolls under the live area).
 * Pure: no Ink, no React.
 */

import { escapeControls } from '../render/terminal.js';

export type Tone = 'error' | 'warning' | 'info' | 'ok' | 'dim' | 'accent' | 'failed' | 'running';

export interface Seg {
  text: string;
  tone?: Tone;
  bold?: boolean;
  inverse?: boolean;
}

export type Line = Seg[];

/** Terminal cells a code point takes: 0 for combining marks and controls, 2 for East Asian wide and emoji. */
export function charWidth(cp: number): number {
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) || cp === 0xfe0f) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

/**
 * Control characters (escapes from a config file, a server's refid, a tool's output) would move the cursor or
 * talk to the terminal: shown escaped, the same way as in the text report (src/render/terminal.ts), so the
 * widths computed here are the widths painted.
 */
export function clean(s: string): string {
  return escapeControls(s);
}

export function textWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += charWidth(ch.codePointAt(0) ?? 0);
  return w;
}

/** At most `width` cells; '…' marks a cut. */
export function truncate(s: string, width: number): string {
  if (width <= 0) return '';
  if (textWidth(s) <= width) return s;
  let out = '';
  let w = 0;
  for (const ch of s) {
    const cw = charWidth(ch.codePointAt(0) ?? 0);
    if (w + cw > width - 1) break;
    out += ch;
    w += cw;
  }
  return `${out}…`;
}

/** Splits `s` into pieces of at most `width` cells, between characters (for words longer than a line). */
function hardSplit(s: string, width: number): string[] {
  const out: string[] = [];
  let cur = '';
  let w = 0;
  for (const ch of s) {
    const cw = charWidth(ch.codePointAt(0) ?? 0);
    if (w + cw > width && cur) {
      out.push(cur);
      cur = '';
      w = 0;
    }
    cur += ch;
    w += cw;
  }
  if (cur || out.length === 0) out.push(cur);
  return out;
}

/**
 * Word-wraps `s` to `width` cells: the first line after `first`, the next ones after `rest` (a hanging indent).
 * Nothing is dropped: a word longer than a line (a long command, a path) is split across lines.
 */
export function wrap(s: string, width: number, first = '', rest = first): string[] {
  const lines: string[] = [];
  let prefix = first;
  let cur = '';
  const room = () => Math.max(1, width - textWidth(prefix));
  const flush = () => {
    lines.push(prefix + cur);
    prefix = rest;
    cur = '';
  };
  for (const word of clean(s).split(/ +/)) {
    if (word === '') continue;
    const joined = cur ? `${cur} ${word}` : word;
    if (textWidth(joined) <= room()) {
      cur = joined;
      continue;
    }
    if (cur) flush();
    const pieces = hardSplit(word, room());
    for (const [i, piece] of pieces.entries()) {
      cur = piece;
      if (i < pieces.length - 1) flush();
    }
  }
  if (cur || lines.length === 0) flush();
  return lines;
}

export function lineWidth(line: Line): number {
  return line.reduce((w, s) => w + textWidth(s.text), 0);
}

/** Cuts a line of segments to `width` cells, the last kept segment ending in '…' when something was cut. */
export function fitLine(line: Line, width: number): Line {
  if (lineWidth(line) <= width) return line;
  const out: Line = [];
  let left = width;
  for (const seg of line) {
    const w = textWidth(seg.text);
    if (w < left) {
      out.push(seg);
      left -= w;
      continue;
    }
    out.push({ ...seg, text: truncate(seg.text, left) });
    break;
  }
  return out;
}

/** A plain line of one segment. */
export function plain(text: string, style: Omit<Seg, 'text'> = {}): Line {
  return [{ text, ...style }];
}

/** The text of a line, without its styles (tests, the tmux end-to-end). */
export function lineText(line: Line): string {
  return line.map((s) => s.text).join('');
}
