/**
 * Keys → what they do, as data: ↑/↓ or k/j select (list) or scroll (detail), Enter opens a finding, Esc /
 * Backspace / ← back, PgUp/PgDn/space page, g/G first/last, w writes the checklist, q quits. Pure; the App
 * dispatches the actions and runs the two side effects.
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

export type KeyCommand = { kind: 'action'; action: Action } | { kind: 'write' } | { kind: 'quit' };

export interface KeyContext {
  /** Detail view: the largest first line (body lines − visible lines). */
  detailMax: number;
  /** Lines (detail) or findings (list) in one page. */
  page: number;
}

const act = (action: Action): KeyCommand => ({ kind: 'action', action });

export function keyCommand(input: string, key: KeyInfo, state: UiState, ctx: KeyContext): KeyCommand | undefined {
  if (input === 'q' && !key.ctrl) return { kind: 'quit' };
  if (!state.report) return undefined;
  if (input === 'w' && !key.ctrl) return { kind: 'write' };
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
