/** Keys → commands, as data (ni-style one-liners): the App only dispatches what this returns. */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/diagnose/types.js';
import { keyCommand, type KeyInfo } from '../../src/ui/keys.js';
import { initialState, reduce, type UiState } from '../../src/ui/state.js';
import { MANY, reportOf } from './_reports.js';

let list: UiState;
let detail: UiState;
const ctx = { detailMax: 12, page: 5 };
const press = (s: UiState, input: string, key: KeyInfo = {}) => keyCommand(input, key, s, ctx);

beforeAll(async () => {
  const report: Report = await reportOf(...MANY);
  list = reduce(initialState, { type: 'report', report });
  detail = reduce(list, { type: 'open' });
});

describe('keys', () => {
  it('while diagnosing: only q does something (quit)', () => {
    expect(press(initialState, 'q')).toEqual({ kind: 'quit' });
    for (const k of ['j', 'k', 'w', '\r']) expect(press(initialState, k)).toBeUndefined();
    expect(press(initialState, '', { downArrow: true })).toBeUndefined();
  });

  it('list: ↑/↓ and k/j select, PgUp/PgDn/space by a page, g/G ends, Enter opens', () => {
    expect(press(list, 'j')).toEqual({ kind: 'action', action: { type: 'select', delta: 1 } });
    expect(press(list, '', { downArrow: true })).toEqual({ kind: 'action', action: { type: 'select', delta: 1 } });
    expect(press(list, 'k')).toEqual({ kind: 'action', action: { type: 'select', delta: -1 } });
    expect(press(list, '', { upArrow: true })).toEqual({ kind: 'action', action: { type: 'select', delta: -1 } });
    expect(press(list, '', { pageDown: true })).toEqual({ kind: 'action', action: { type: 'select', delta: 5 } });
    expect(press(list, ' ')).toEqual({ kind: 'action', action: { type: 'select', delta: 5 } });
    expect(press(list, 'G')).toEqual({ kind: 'action', action: { type: 'select-at', index: list.report!.findings.length - 1 } });
    expect(press(list, '\r', { return: true })).toEqual({ kind: 'action', action: { type: 'open' } });
  });

  it('detail: the arrows scroll within detailMax, Esc / Backspace / ← go back', () => {
    expect(press(detail, 'j')).toEqual({ kind: 'action', action: { type: 'scroll', delta: 1, max: 12 } });
    expect(press(detail, '', { upArrow: true })).toEqual({ kind: 'action', action: { type: 'scroll', delta: -1, max: 12 } });
    expect(press(detail, '', { pageDown: true })).toEqual({ kind: 'action', action: { type: 'scroll', delta: 5, max: 12 } });
    for (const key of [{ escape: true }, { backspace: true }, { delete: true }, { leftArrow: true }]) {
      expect(press(detail, '', key)).toEqual({ kind: 'action', action: { type: 'back' } });
    }
  });

  it('w writes the checklist and q quits, in either view; Ctrl-q/Ctrl-w are not taken', () => {
    for (const s of [list, detail]) {
      expect(press(s, 'w')).toEqual({ kind: 'write', overwrite: false });
      expect(press(s, 'q')).toEqual({ kind: 'quit' });
      expect(press(s, 'w', { ctrl: true })).toBeUndefined();
    }
  });
});
