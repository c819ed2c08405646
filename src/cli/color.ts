/**
 * Whether text output is coloured: decided once per run, here, and handed to renderers as data (`out.color`,
 * then `toTerminal(lines, { color })`, which alone adds the styles). The TUI reads the same decision.
 *
 * The order is the conventional one, as Node's own `tty.WriteStream.getColorDepth()` does it, with the
 * command line first (no-color.org: "user-level configuration … should override NO_COLOR"):
 *   1. --color=always / --color=never (--no-color is never)
 *   2. FORCE_COLOR: '' 1 2 3 true → colour, anything else (0, false) → none, even when stdout is a pipe
 *   3. NO_COLOR set and not empty (no-color.org), or NODE_DISABLE_COLORS set → none
 *   4. TERM=dumb → none
 *   5. stdout not a terminal → none
 *   6. the terminal's own answer (`hasColors()`: TERM, COLORTERM, the CI variables) — true when unknown
 */
export type ColorWhen = 'auto' | 'always' | 'never';

export interface ColorContext {
  env: Readonly<Record<string, string | undefined>>;
  /** stdout is a terminal. */
  isTTY: boolean;
  /** The terminal's own answer (Node's `process.stdout.hasColors`), when stdout is one. */
  hasColors?: () => boolean;
}

const FORCE_ON = new Set(['', '1', '2', '3', 'true']);

export function decideColor(when: ColorWhen, ctx: ColorContext): boolean {
  if (when === 'always') return true;
  if (when === 'never') return false;
  const { env } = ctx;
  if (env.FORCE_COLOR !== undefined) return FORCE_ON.has(env.FORCE_COLOR);
  if ((env.NO_COLOR !== undefined && env.NO_COLOR !== '') || env.NODE_DISABLE_COLORS !== undefined) return false;
  if (env.TERM === 'dumb') return false;
  if (!ctx.isTTY) return false;
  return ctx.hasColors ? ctx.hasColors() : true;
}

/** `--color` and `--no-color` as parsed (definition.ts) → the choice. */
export function colorWhen(color: unknown, noColor: unknown): ColorWhen {
  if (noColor === true) return 'never';
  return color === 'always' || color === 'never' ? color : 'auto';
}
