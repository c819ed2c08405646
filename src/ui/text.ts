/**
 * Lines for a fixed-size terminal: every view is built as lines of styled segments that already fit the width,
 * so the screen's height is known before Ink draws it (an 80×24 terminal never scrolls under the live area).
 * Pure: no Ink, no React.
 */

import stringWidth from 'string-width';
import { escapeControls } from '../render/terminal.js';
import { cutCells, hardSplit } from '../render/text-layout.js';

export type Tone = 'error' | 'warning' | 'info' | 'ok' | 'dim' | 'accent' | 'failed' | 'running';

export interface Seg {
  text: string;
  tone?: Tone;
  bold?: boolean;
  inverse?: boolean;
}

export type Line = Seg[];

/**
 * Terminal cells a string takes, measured with string-width — the measure Ink itself lays out with — so a line
 * computed to fit is a line Ink paints in that width: ❌ is two cells, an emoji with a skin-tone modifier two,
 * a combining mark none. (A hand-made table counted ❌ as one and 👍🏽 as four.)
 */
export function textWidth(s: string): number {
  return stringWidth(s);
}

/**
 * Control characters (escapes from a config file, a server's refid, a tool's output) would move the cursor or
 * talk to the terminal: shown escaped, the same way as in the text report (src/render/terminal.ts), so the
 * widths computed here are the widths painted.
 */
export function clean(s: string): string {
  return escapeControls(s);
}

/** At most `width` cells; '…' marks a cut (between graphemes: a flag or an emoji with its modifier stays whole). */
export function truncate(s: string, width: number): string {
  return cutCells(s, width);
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
