/**
 * The width text is laid out for. Apart from ./text-layout.ts on purpose: string-width builds an Intl.Segmenter
 * and Unicode-property regexps when it loads (~35 ms of CPU), which `analyze --json` and every option check would
 * pay for nothing; the text renderer loads it only when text is rendered.
 */

/** Columns assumed when stdout is not a terminal and COLUMNS does not say (a pipe, a file, CI logs). */
export const DEFAULT_COLUMNS = 80;
/** Narrower than this, wrapping makes a column per word: lay out for this many and let the terminal fold. */
export const MIN_COLUMNS = 40;
/** Wider than this, prose is hard to read; tables never need more. */
export const MAX_COLUMNS = 160;

/**
 * The width to lay text out for: a terminal's own width; otherwise COLUMNS when it is a sane number (the shell
 * exports it, `COLUMNS=120 ntpdoctor … | less`), else 80. Clamped to [MIN_COLUMNS, MAX_COLUMNS].
 */
export function textColumns(isTTY: boolean, ttyColumns: number | undefined, env: Readonly<Record<string, string | undefined>>): number {
  const fromEnv = env.COLUMNS !== undefined && /^\d{1,4}$/.test(env.COLUMNS.trim()) ? Number(env.COLUMNS.trim()) : undefined;
  const raw = isTTY && ttyColumns !== undefined && ttyColumns > 0 ? ttyColumns : (fromEnv ?? DEFAULT_COLUMNS);
  return Math.max(MIN_COLUMNS, Math.min(MAX_COLUMNS, raw || DEFAULT_COLUMNS));
}
