/**
 * man/ntpdoctor.1 is generated from the one definition (`npm run docs:man`), checked in, and kept current by
 * this test; groff renders it without a single warning (-ww), and `man -l` shows every command and option.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS, COMMON_OPTIONS } from '../../src/cli/definition.js';
import { manPage, roffCode, roffText } from '../../src/cli/man.js';
import { run } from './_run.js';

const ROOT = join(__dirname, '..', '..');
const PAGE = join(ROOT, 'man', 'ntpdoctor.1');
const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

describe('man/ntpdoctor.1', () => {
  it('is up to date with the definition (run `npm run docs:man` after changing src/cli/definition.ts)', () => {
    expect(readFileSync(PAGE, 'utf8')).toBe(manPage());
  });

  it('is what the hidden `ntpdoctor man` prints (what docs:man writes)', async () => {
    const r = await run(['man']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(manPage());
  });

  it('escapes roff: a line starting with . or \' is text, a backslash is \\e, code dashes are \\-', () => {
    expect(roffText('.TH x\n\'br y')).toBe("\\&.TH x\n\\&'br y");
    expect(roffText('a\\b')).toBe('a\\eb');
    expect(roffCode('--count')).toBe('\\-\\-count');
  });

  it.skipIf(!has('groff'))('renders with groff -ww without a warning', () => {
    const r = spawnSync('groff', ['-man', '-ww', '-z', PAGE], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const text = spawnSync('groff', ['-man', '-ww', '-Tutf8', PAGE], { encoding: 'utf8', timeout: 60_000 });
    expect(text.stderr).toBe('');
  });

  it.skipIf(!has('man'))('man -l shows every command, option and the exit status', () => {
    const r = spawnSync('man', ['-l', PAGE], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, MANWIDTH: '100', MANPAGER: 'cat', PAGER: 'cat' } });
    expect(r.status).toBe(0);
    const shown = r.stdout.replace(/.\x08/g, '');
    for (const c of COMMANDS.filter((x) => !x.hidden)) {
      expect(shown).toContain(`ntpdoctor ${c.name}`);
      for (const o of c.options) expect(shown).toContain(`--${o.long}`);
    }
    for (const o of COMMON_OPTIONS) expect(shown).toContain(`--${o.long}`);
    expect(shown).toMatch(/EXIT STATUS/);
    expect(shown).not.toContain('ntpdoctor man');
  });
});
