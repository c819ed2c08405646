/**
 * Keys → what they do, as data: ↑/↓ or k/j select (list) or scroll (detail), Enter opens a finding, Esc /
 * Backspace / ← back, PgUp/PgDn/space page, g/G first/last, w writes the checklist (y/N before overwriting), ?
 * shows the keys, q quits. Pure; the App dispatches the actions and runs the two side effects.
 */
import type { Action, UiState } from './state.js';

/** The subset of Ink's Key this needs (kept here so the mapping is testable without Ink). */
export interface KeyInfo {
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  return?: boolean;
  escape?: boolean;
  backspace?: boolean;
  delete?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  ctrl?: boolean;
}

/** `overwrite`: the user said yes to replacing the file that is there. */
export type KeyCommand = { kind: 'action'; action: Action } | { kind: 'write'; overwrite: boolean } | { kind: 'quit' };

export interface KeyContext {
  /** Detail view: the largest first line (body lines − visible lines). */
  detailMax: number;
  /** Lines (detail) or findings (list) in one page. */
  page: number;
}

const act = (action: Action): KeyCommand => ({ kind: 'action', action });

export function keyCommand(input: string, key: KeyInfo, state: UiState, ctx: KeyContext): KeyCommand | undefined {
  // A pending "overwrite?" takes the next key: y (or Y) says yes; anything else, q included, keeps the file.
  if (state.confirm) return input === 'y' || input === 'Y' ? { kind: 'write', overwrite: true } : act({ type: 'confirm', path: undefined, refused: true });
  if (input === 'q' && !key.ctrl) return { kind: 'quit' };
  if (state.help) return input === '?' || key.escape || key.return || input === 'h' || key.backspace || key.leftArrow ? act({ type: 'help', show: false }) : undefined;
  if (input === '?') return act({ type: 'help', show: true });
  if (!state.report) return undefined;
  if (input === 'w' && !key.ctrl) return { kind: 'write', overwrite: false };
  const up = key.upArrow || input === 'k';
  const down = key.downArrow || input === 'j';
  const page = Math.max(1, ctx.page);
  if (state.view === 'list') {
    if (up) return act({ type: 'select', delta: -1 });
    if (down) return act({ type: 'select', delta: 1 });
    if (key.pageUp) return act({ type: 'select', delta: -page });
    if (key.pageDown || input === ' ') return act({ type: 'select', delta: page });
    if (input === 'g') return act({ type: 'select-at', index: 0 });
    if (input === 'G') return act({ type: 'select-at', index: state.report.findings.length - 1 });
    if (key.return || input === 'l' || input === 'o') return act({ type: 'open' });
    return undefined;
  }
  if (key.escape || key.backspace || key.delete || key.leftArrow || input === 'h') return act({ type: 'back' });
  if (up) return act({ type: 'scroll', delta: -1, max: ctx.detailMax });
  if (down) return act({ type: 'scroll', delta: 1, max: ctx.detailMax });
  if (key.pageUp) return act({ type: 'scroll', delta: -page, max: ctx.detailMax });
  if (key.pageDown || input === ' ') return act({ type: 'scroll', delta: page, max: ctx.detailMax });
  if (input === 'g') return act({ type: 'scroll', delta: -Infinity, max: ctx.detailMax });
  if (input === 'G') return act({ type: 'scroll', delta: Infinity, max: ctx.detailMax });
  return undefined;
}
