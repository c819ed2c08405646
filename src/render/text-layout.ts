/**
 * Lines that fit the terminal, measured in cells with string-width (the measure Ink uses): ❌ and CJK take two
 * cells, combining marks none, an emoji with a skin-tone modifier two. Text is escaped (escapeControls) before it
 * is measured, so the width computed is the width the terminal paints: an ESC byte shows as four cells (backslash, x, 1, b).
 */
import stringWidth from 'string-width';
import { escapeControls } from './terminal.js';

// The width settings live apart (./text-columns.ts) so that choosing a width does not load string-width.
export { DEFAULT_COLUMNS, MAX_COLUMNS, MIN_COLUMNS, textColumns } from './text-columns.js';

/** Cells `s` takes once escaped. */
export function cells(s: string): number {
  return stringWidth(escapeControls(s));
}

/** `s` escaped and padded with spaces to `n` cells (right-aligned with `left`); longer text is left as is. */
export function padCells(s: string, n: number, left = false): string {
  const e = escapeControls(s);
  const gap = Math.max(0, n - stringWidth(e));
  return left ? ' '.repeat(gap) + e : e + ' '.repeat(gap);
}

/**
 * Splits a word longer than `width` cells between characters (grapheme by grapheme: a flag or ❌ stays whole).
 * The TUI's wrap (src/ui/text.ts) splits with it too.
 */
export function hardSplit(word: string, width: number): string[] {
  const out: string[] = [];
  let cur = '';
  let w = 0;
  for (const { segment } of graphemes(word)) {
    const cw = stringWidth(segment);
    if (w + cw > width && cur) {
      out.push(cur);
      cur = '';
      w = 0;
    }
    cur += segment;
    w += cw;
  }
  if (cur || out.length === 0) out.push(cur);
  return out;
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
function graphemes(s: string): Iterable<{ segment: string }> {
  return segmenter.segment(s);
}

/**
 * Word-wraps `text` (escaped first) to `width` cells: the first line begins with `first`, the next ones with
 * `rest` (a hanging indent). Nothing is dropped. A word longer than the room (a path, a URL, an address) stays
 * whole on a line of its own, wider than `width`: split, it could no longer be copied or searched for; with
 * `split`, it is split between graphemes instead.
 */
export function wrapText(text: string, width: number, first = '', rest = first, split = false): string[] {
  const lines: string[] = [];
  let prefix = first;
  let cur = '';
  let curWidth = 0;
  const room = () => Math.max(8, width - stringWidth(prefix));
  const flush = () => {
    lines.push(prefix + cur);
    prefix = rest;
    cur = '';
    curWidth = 0;
  };
  for (const word of escapeControls(text).split(' ')) {
    if (word === '') continue;
    const w = stringWidth(word);
    if (cur && curWidth + 1 + w <= room()) {
      cur += ` ${word}`;
      curWidth += 1 + w;
      continue;
    }
    if (cur) flush();
    if (w <= room() || !split) {
      cur = word;
      curWidth = w;
      continue;
    }
    const pieces = hardSplit(word, room());
    pieces.forEach((piece, i) => {
      cur = piece;
      curWidth = stringWidth(piece);
      if (i < pieces.length - 1) flush();
    });
  }
  if (cur || lines.length === 0) flush();
  return lines;
}

/** At most `width` cells: cut with '…' (for a cell in a table whose full value the JSON report keeps). */
export function truncateCells(s: string, width: number): string {
  return cutCells(escapeControls(s), width);
}

/** `s` (already escaped) in at most `width` cells, cut between graphemes with '…'; the TUI's truncate is this. */
export function cutCells(s: string, width: number): string {
  if (width <= 0) return '';
  if (stringWidth(s) <= width) return s;
  let out = '';
  let w = 0;
  for (const { segment } of graphemes(s)) {
    const cw = stringWidth(segment);
    if (w + cw > width - 1) break;
    out += segment;
    w += cw;
  }
  return `${out}…`;
}
