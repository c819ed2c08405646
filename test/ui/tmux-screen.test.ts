/**
 * The real binary in a real terminal (tmux, 80×24), without a network: `diagnose --no-probe --config FILE`
 * inspects the node only (read-only commands) and probes nothing. Checks what only a terminal shows: the TUI
 * runs on the alternate screen (the shell's lines are hidden while it runs and back after q), a resize leaves no
 * stale line behind, `?` shows the keys, `w` asks before replacing the checklist, and NO_COLOR paints no colour.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tmux } from './_tmux.js';
import { ROOT } from './_reports.js';

/** A private build (tsup → node_modules/.cache, where ink and react resolve): a concurrent tsup cannot pull it away. */
const OUT = join(ROOT, `node_modules/.cache/ndtui-screen-${process.pid}`);
const CLI = join(OUT, 'cli.js');

const why = spawnSync('sh', ['-c', 'command -v tmux']).status !== 0 ? 'missing tool: tmux' : undefined;
if (why) process.stderr.write(`SKIPPED: TUI screen in tmux (${why})\n`);

describe.skipIf(why !== undefined)('the TUI screen in tmux (diagnose --no-probe)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ndtui-screen-'));
  const conf = join(dir, 'chrony.conf');
  const tmux = new Tmux('screen');

  beforeAll(() => {
    execFileSync('npx', ['tsup', '--out-dir', OUT], { cwd: ROOT, stdio: 'ignore', timeout: 180_000 });
    // A config of its own (the host's /etc is not read); 198.51.100.1 is never contacted: --no-probe.
    writeFileSync(conf, ['server 198.51.100.1 iburst', `driftfile ${dir}/drift`].join('\n') + '\n');
  }, 200_000);

  afterAll(() => {
    tmux.kill();
    rmSync(dir, { recursive: true, force: true });
    rmSync(OUT, { recursive: true, force: true });
  });

  it('alternate screen, ? help, a resize without stale lines, w asks before overwriting, the shell back after q', async () => {
    writeFileSync(join(dir, 'ntpdoctor-checklist.md'), 'ticked off by hand\n');
    tmux.start(`echo SHELL-LINE-BEFORE; node ${CLI} diagnose --no-probe --config ${conf}; echo "EXIT=$?"; sleep 120`, dir);
    let screen = await tmux.until(60, 'the findings', (s) => s.includes('? keys · q quit') && /finding|no findings/.test(s));
    // On the alternate screen: the shell's line is not there while the TUI runs.
    expect(screen).not.toContain('SHELL-LINE-BEFORE');

    tmux.keys('?');
    screen = await tmux.until(10, 'the key help', (s) => s.includes('ntpdoctor · keys'));
    expect(screen).toContain('write the checklist (asks before replacing the file)');
    tmux.keys('Escape');
    await tmux.until(10, 'the list again', (s) => s.includes('? keys · q quit'));

    // Narrower: the terminal reflows what was printed; the screen is cleared and drawn again at 60 columns.
    tmux.resize(60, 20);
    screen = await tmux.until(10, 'the list at 60 columns', (s) => s.includes('? keys') && s.split('\n').every((l) => [...l].length <= 60));
    await new Promise((r) => setTimeout(r, 500));
    screen = tmux.screen();
    const summaries = screen.split('\n').filter((l) => /^ntpdoctor · \d+ findings?|^ntpdoctor · no findings/.test(l));
    expect(summaries, screen).toHaveLength(1);
    expect(screen.split('\n').filter((l) => l.includes('? keys')), screen).toHaveLength(1);
    // The detail view after the resize: the list's header is gone from the screen (issue 15: it stayed above).
    if (!/no findings/.test(screen)) {
      tmux.keys('Enter');
      screen = await tmux.until(10, 'the detail view', (s) => s.includes('Esc back'));
      await new Promise((r) => setTimeout(r, 500));
      screen = tmux.screen();
      expect(screen, screen).not.toMatch(/^ntpdoctor · \d+ findings?/m);
      expect(screen.split('\n').filter((l) => l.includes('Esc back')), screen).toHaveLength(1);
      tmux.keys('Escape');
      await tmux.until(10, 'the list again', (s) => s.includes('Enter details'));
    }

    // The checklist file is there: w asks, n keeps it, w then y replaces it.
    tmux.keys('w');
    screen = await tmux.until(10, 'the question', (s) => s.replace(/\n/g, '').includes('Overwrite it? y/N'));
    tmux.keys('n');
    await tmux.until(10, 'kept', (s) => s.includes('Not written'));
    expect(readFileSync(join(dir, 'ntpdoctor-checklist.md'), 'utf8')).toBe('ticked off by hand\n');
    tmux.keys('w');
    await tmux.until(10, 'the question again', (s) => s.replace(/\n/g, '').includes('Overwrite it? y/N'));
    tmux.keys('y');
    await tmux.until(10, 'written', (s) => s.includes('Checklist written to'));
    expect(readFileSync(join(dir, 'ntpdoctor-checklist.md'), 'utf8')).toMatch(/^# NTP remediation checklist/);

    tmux.keys('q');
    screen = await tmux.until(15, 'the exit status', (s) => /EXIT=\d+/.test(s));
    // Back on the normal screen: the shell's line is there again and nothing of the TUI is left on it.
    expect(screen).toContain('SHELL-LINE-BEFORE');
    expect(screen).not.toContain('? keys');
    expect(screen).not.toContain('ntpdoctor · ');
  }, 150_000);
});
