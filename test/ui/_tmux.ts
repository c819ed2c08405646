/**
 * A tmux session on a private socket (`tmux -L`), so the test never touches anyone else's tmux server:
 * start a command in an 80×24 window, send keys, read the screen (and its scrollback), bounded polls.
 */
import { spawnSync } from 'node:child_process';

export class Tmux {
  readonly socket: string;
  readonly session = 'ndtui';

  constructor(tag: string) {
    this.socket = `ndtui-${tag}-${process.pid}`;
  }

  private tmux(args: string[]): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8', timeout: 10_000 });
    return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }

  /** Runs `command` (a shell line) in a detached width×height window, in `cwd`. */
  start(command: string, cwd: string, width = 80, height = 24): void {
    const r = this.tmux(['new-session', '-d', '-s', this.session, '-x', String(width), '-y', String(height), '-c', cwd, command]);
    if (r.status !== 0) throw new Error(`tmux new-session: ${r.stderr.trim()}`);
    // The window keeps its size whatever clients attach (none do).
    this.tmux(['set-option', '-t', this.session, 'window-size', 'manual']);
  }

  keys(...keys: string[]): void {
    const r = this.tmux(['send-keys', '-t', this.session, ...keys]);
    if (r.status !== 0) throw new Error(`tmux send-keys: ${r.stderr.trim()}`);
  }

  /** The visible screen, or with `history` lines of scrollback above it. */
  screen(history = 0): string {
    return this.tmux(['capture-pane', '-p', '-t', this.session, ...(history ? ['-S', String(-history)] : [])]).stdout;
  }

  /** Resizes the window (the program in it gets SIGWINCH). */
  resize(width: number, height: number): void {
    const r = this.tmux(['resize-window', '-t', this.session, '-x', String(width), '-y', String(height)]);
    if (r.status !== 0) throw new Error(`tmux resize-window: ${r.stderr.trim()}`);
  }

  size(): string {
    return this.tmux(['display-message', '-p', '-t', this.session, '#{window_width}x#{window_height}']).stdout.trim();
  }

  /** Polls the screen every 100 ms until `test` holds; throws with the last screen after `seconds`. */
  async until(seconds: number, what: string, test: (screen: string) => boolean): Promise<string> {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
      const s = this.screen();
      if (test(s)) return s;
      if (Date.now() > deadline) throw new Error(`timed out after ${seconds} s waiting for ${what}; screen:\n${s}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Ends our tmux server (only ours: its private socket), and with it the session's processes' terminal. */
  kill(): void {
    this.tmux(['kill-server']);
  }
}
