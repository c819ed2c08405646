/**
 * Colour by convention, decided once (src/cli/color.ts) and handed to renderers as data: --color, NO_COLOR,
 * FORCE_COLOR, TERM=dumb, the terminal's own answer. Checked as a table, then end to end on a real report.
 */
import { parseReport } from '../_schema.js';
import { describe, expect, it } from 'vitest';
import { colorWhen, decideColor, type ColorContext, type ColorWhen } from '../../src/cli/color.js';
import { files, read } from '../meta/_files.js';
import { run } from './_run.js';

const tty: Omit<ColorContext, 'env'> = { isTTY: true, hasColors: () => true };
const pipe: Omit<ColorContext, 'env'> = { isTTY: false };

describe('decideColor', () => {
  it.each<[string, ColorWhen, Record<string, string>, Omit<ColorContext, 'env'>, boolean]>([
    ['a colour terminal', 'auto', {}, tty, true],
    ['a pipe', 'auto', {}, pipe, false],
    ['a terminal without colours (hasColors false)', 'auto', {}, { isTTY: true, hasColors: () => false }, false],
    ['NO_COLOR=1 on a terminal', 'auto', { NO_COLOR: '1' }, tty, false],
    ['NO_COLOR empty is not set (no-color.org)', 'auto', { NO_COLOR: '' }, tty, true],
    ['NODE_DISABLE_COLORS', 'auto', { NODE_DISABLE_COLORS: '1' }, tty, false],
    ['TERM=dumb', 'auto', { TERM: 'dumb' }, tty, false],
    ['FORCE_COLOR=1 into a pipe', 'auto', { FORCE_COLOR: '1' }, pipe, true],
    ['FORCE_COLOR empty into a pipe', 'auto', { FORCE_COLOR: '' }, pipe, true],
    ['FORCE_COLOR=3 beats NO_COLOR (as Node decides)', 'auto', { FORCE_COLOR: '3', NO_COLOR: '1' }, tty, true],
    ['FORCE_COLOR=0 on a terminal', 'auto', { FORCE_COLOR: '0' }, tty, false],
    ['FORCE_COLOR=false on a terminal', 'auto', { FORCE_COLOR: 'false' }, tty, false],
    ['FORCE_COLOR=1 beats TERM=dumb', 'auto', { FORCE_COLOR: '1', TERM: 'dumb' }, pipe, true],
    ['--color=always beats NO_COLOR, into a pipe', 'always', { NO_COLOR: '1', TERM: 'dumb' }, pipe, true],
    ['--color=never beats FORCE_COLOR on a terminal', 'never', { FORCE_COLOR: '1' }, tty, false],
  ])('%s', (_what, when, env, ctx, expected) => {
    expect(decideColor(when, { ...ctx, env })).toBe(expected);
  });

  it('--no-color is never, whatever --color said', () => {
    expect(colorWhen('always', true)).toBe('never');
    expect(colorWhen('always', false)).toBe('always');
    expect(colorWhen(undefined, false)).toBe('auto');
  });
});

const FIXTURE = 'fixtures/firewall-reject-hostprohib.pcap';
const SGR = /\x1b\[[0-9;]*m/;

describe('end to end: the text report', () => {
  it.each<[string, string[], Record<string, string>, boolean, boolean]>([
    ['a pipe: plain', [], {}, false, false],
    ['a colour terminal: coloured', [], {}, true, true],
    ['NO_COLOR on a terminal: plain', [], { NO_COLOR: '1' }, true, false],
    ['TERM=dumb on a terminal: plain', [], { TERM: 'dumb' }, true, false],
    ['FORCE_COLOR into a pipe: coloured', [], { FORCE_COLOR: '1' }, false, true],
    ['--color=always into a pipe: coloured', ['--color=always'], {}, false, true],
    ['--color never on a terminal: plain', ['--color', 'never'], {}, true, false],
    ['--no-color with FORCE_COLOR: plain', ['--no-color'], { FORCE_COLOR: '1' }, true, false],
    ['--color=always before the command name', [], {}, false, true],
  ])('%s', async (what, flags, env, isTTY, coloured) => {
    const argv = what.includes('before') ? ['--color=always', 'analyze', FIXTURE] : ['analyze', FIXTURE, ...flags];
    const r = await run(argv, { env, stdoutIsTTY: isTTY, hasColors: () => true });
    expect(r.code).toBe(1);
    expect(SGR.test(r.out)).toBe(coloured);
    // With or without colour, the words are the same.
    expect(r.out.replace(new RegExp(SGR.source, 'g'), '')).toBe((await run(['analyze', FIXTURE])).out);
  });

  it('--json is never coloured', async () => {
    const r = await run(['analyze', FIXTURE, '--json', '--color=always']);
    expect(r.out).not.toMatch(/\x1b/);
    expect(() => parseReport(r.out)).not.toThrow();
  });
});

// The two places that write terminal control: terminal.ts styles escaped text; the TUI's screen.ts switches to
// and from the alternate screen (ENTER_ALT/LEAVE_ALT/CLEAR), which no text passes through.
const ESCAPE_WRITERS = new Set(['src/render/terminal.ts', 'src/ui/screen.ts']);

describe('only src/render/terminal.ts (and the TUI screen switch) writes escape sequences', () => {
  it('no other source file holds an ESC (renderers ask for a style; terminal.ts adds it after escaping)', () => {
    const offenders = [...files('src'), ...files('rules')].filter(
      (f) => !ESCAPE_WRITERS.has(f) && /\\x1b|\\u001b|\\u\{1b\}|\\033|\x1b/i.test(read(f)),
    );
    expect(offenders).toEqual([]);
  });
});
