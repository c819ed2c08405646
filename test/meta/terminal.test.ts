/**
 * House rules that keep every output terminal-safe by construction (issue 11 item 2, src/render/terminal.ts):
 * a new renderer, command or screen that would bypass the sanitizer fails here, not in a user's terminal.
 */
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { commandOut } from '../../src/cli/io.js';
import { ALL, expectOneLine, expectSafeJson } from '../hostile.js';
import { files, read } from './_files.js';




describe('terminal safety by construction', () => {
  it('only src/cli/io.ts writes to the process streams (everything else goes through CommandOut)', () => {
    // And the launcher (src/cli/launch.ts), whose one line comes before the command and its io exist (escaped there).
    const own = [join('src', 'cli', 'io.ts'), join('src', 'cli', 'launch.ts')];
    const offenders = files('src').filter((f) => !own.includes(f) && /process\.(stdout|stderr)\.write|console\.(log|error|warn|info|debug)\(/.test(read(f)));
    expect(offenders).toEqual([]);
  });

  it('only src/render/terminal.ts makes a TerminalString (no cast elsewhere)', () => {
    const offenders = files('src').filter((f) => f !== join('src', 'render', 'terminal.ts') && /as\s+TerminalString|terminalBrand/.test(read(f)));
    expect(offenders).toEqual([]);
  });

  it('commands see CommandOut only: no raw sink, no process streams', () => {
    const offenders = files(join('src', 'cli', 'commands')).filter((f) => /\bprocessIo\b|\bCommandIo\b|process\.(stdout|stderr)\b/.test(read(f)));
    expect(offenders).toEqual([]);
  });

  /** render* functions that make data, not output (their text reaches people only inside a report). */
  const NOT_OUTPUT: Record<string, string> = {
    'src/inspect/firewall/nftables-render.ts:renderRule': 'nft rule text from `nft -j` expressions: evidence data, printed by renderText',
  };

  it('every exported render* function returns TerminalString (renderJson: JSON, made by toJson)', () => {
    const found: string[] = [];
    const wrong: string[] = [];
    for (const f of files('src')) {
      const sf = ts.createSourceFile(f, read(f), ts.ScriptTarget.Latest, true, f.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
      for (const st of sf.statements) {
        if (!ts.isFunctionDeclaration(st) || !st.name || !/^render[A-Z]/.test(st.name.text)) continue;
        if (!st.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
        if (NOT_OUTPUT[`${f}:${st.name.text}`]) continue;
        found.push(st.name.text);
        const type = st.type?.getText(sf);
        if (st.name.text === 'renderJson') {
          if (!/\btoJson\(/.test(st.body?.getText(sf) ?? '')) wrong.push(`${f}: renderJson must serialize with toJson`);
        } else if (type !== 'TerminalString') {
          wrong.push(`${f}: ${st.name.text} returns ${type ?? '(inferred)'}`);
        }
      }
    }
    // The renderers this was written against are all seen (the scan itself works).
    expect(found).toEqual(expect.arrayContaining(['renderText', 'renderChecklist', 'renderJson', 'renderTranscript', 'renderTrace']));
    expect(wrong).toEqual([]);
  });

  it('the TUI paints text in one place only, and that place escapes it', () => {
    const painters = files(join('src', 'ui')).filter((f) => /<Text\b/.test(read(f)));
    expect(painters).toEqual([join('src', 'ui', 'components', 'Lines.tsx')]);
    expect(read(join('src', 'ui', 'components', 'Lines.tsx'))).toMatch(/\{escapeControls\(s\.text\)\}/);
    // Data enters the TUI's state through the reducer, which escapes it.
    expect(read(join('src', 'ui', 'state.ts'))).toMatch(/report: escapeDeep\(action\.report\)/);
  });

  it('the boundary itself: notices are one line, JSON is inert, text takes only TerminalStrings', () => {
    let out = '';
    let err = '';
    const o = commandOut({ stdout: (t) => void (out += t), stderr: (t) => void (err += t), isTTY: false });
    o.notice(ALL);
    expectOneLine(err);
    err = '';
    o.line(`ntpdoctor serve: ${ALL}`);
    expectOneLine(err);
    o.json({ v: ALL });
    expect((expectSafeJson(out) as { v: string }).v).toBe(ALL);
    // @ts-expect-error a plain string is not rendered text: the compiler refuses it.
    o.text('raw');
  });
});
