/**
 * The text report's command-line options, shared by the commands that print a report: `--min-severity
 * info|warning|error`, `-q`/`--quiet` (the findings alone), and the width to lay out for. Kept in today's
 * parser style (src/cli/args.ts); the commander port reads the same names.
 */
import type { Severity } from '../diagnose/types.js';
import { InputError } from '../errors.js';
import { textColumns } from './text-columns.js';
import type { TextOptions } from './text.js';

/** Merge into a command's ArgSpec `options` / `alias`. */
export const TEXT_OPTIONS = { 'min-severity': 'string', quiet: 'boolean' } as const;
export const TEXT_ALIASES = { q: 'quiet' } as const;

const SEVERITIES: readonly Severity[] = ['info', 'warning', 'error'];

export function parseSeverity(value: unknown): Severity | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value)) return value as Severity;
  throw new InputError(`option --min-severity: info, warning or error, not ${String(value)}`);
}

/**
 * `--min-severity` and `-q` alone, for commands that keep their own layout (lint, probe, trace): the same
 * semantics as analyze's, the width left as those commands had it.
 */
export function findingFilters(values: Readonly<Record<string, unknown>>): Pick<TextOptions, 'minSeverity' | 'quiet'> {
  const out: Pick<TextOptions, 'minSeverity' | 'quiet'> = {};
  const min = parseSeverity(values['min-severity']);
  if (min !== undefined) out.minSeverity = min;
  if (values.quiet === true) out.quiet = true;
  return out;
}

/**
 * TextOptions from parsed values: colour as the command decided it, width from the terminal (or COLUMNS, or 80
 * when stdout is not a terminal).
 */
export function textOptions(
  values: Readonly<Record<string, unknown>>,
  tty: { isTTY: boolean; columns?: number | undefined },
  color: boolean,
  env: Readonly<Record<string, string | undefined>> = process.env,
): TextOptions {
  // A terminal's width (CommandOut does not carry it yet: the CLI port may pass it in `tty.columns`).
  const columns = 'columns' in tty ? tty.columns : process.stdout.columns;
  return { color, width: textColumns(tty.isTTY, columns, env), ...findingFilters(values) };
}
