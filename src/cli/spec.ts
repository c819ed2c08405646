/**
 * The shape of the one declarative CLI definition (src/cli/definition.ts). Everything a user sees about the
 * command line is derived from it: commander's parser and `--help` (src/cli/program.ts), the man page
 * (src/cli/man.ts) and the bash/zsh completion (src/cli/completion.ts). Data only: no parsing here.
 */
import type { CliCommand } from './io.js';

/** What a value completes to in the shell (and how the man page names it). */
export type Completes = 'file' | 'host' | 'interface' | 'none';

export interface ValueSpec {
  /** The placeholder in help: `N`, `FILE`, `HOST[:PORT]`. */
  name: string;
  /** `number` / `integer` values are checked here, with the range, before the command runs. */
  kind?: 'string' | 'number' | 'integer';
  /** Inclusive bounds; `above` makes the lower bound exclusive (a timeout of 0 is no timeout). */
  min?: number;
  max?: number;
  above?: number;
  choices?: readonly string[];
  complete?: Completes;
}

export interface OptionSpec {
  /** Long name without dashes: `count`, `no-probe` (a `no-` flag is a plain boolean here). */
  long: string;
  /** One character: `c`, `4`. */
  short?: string;
  /** Absent: a flag (boolean). */
  value?: ValueSpec;
  /** May be given more than once; the command gets a list. */
  repeat?: boolean;
  /** The default the command applies, as data (shown in help, the man page, and used). */
  default?: string | number;
  /** How help shows a default that is not one value ("where the daemons keep them"). */
  defaultText?: string;
  help: string;
  /** Old long names still accepted, hidden from help (`samples` for `count`). */
  aliases?: readonly string[];
  /** Long names this option cannot be given with. */
  conflicts?: readonly string[];
  hidden?: boolean;
}

export interface ArgSpec {
  name: string;
  required: boolean;
  variadic?: boolean;
  complete?: Completes;
  choices?: readonly string[];
}

export interface CommandSpec {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Paragraphs for `--help` and the man page (plain text, no markup). */
  description?: readonly string[];
  args: readonly ArgSpec[];
  options: readonly OptionSpec[];
  /** Loaded only when the command runs: `probe` never pays for Ink, `analyze` never for sockets. */
  load: () => Promise<{ default: CliCommand }>;
  examples?: readonly string[];
  hidden?: boolean;
}

/** `(default: 4)`, or the default's words; empty when there is none. */
export function defaultNote(o: OptionSpec): string {
  const text = o.defaultText ?? (o.default !== undefined ? String(o.default) : undefined);
  return text === undefined ? '' : ` (default: ${text})`;
}

/** `1..64`, `(0, 60]`, `>= 0`: the range as help shows it. */
export function rangeNote(v: ValueSpec): string {
  const lo = v.above !== undefined ? `(${v.above}` : v.min !== undefined ? `[${v.min}` : undefined;
  if (lo === undefined && v.max === undefined) return '';
  if (v.kind === 'integer' && v.min !== undefined && v.max !== undefined) return ` ${v.min}..${v.max}`;
  if (lo !== undefined && v.max !== undefined) return ` in ${lo}, ${v.max}]`;
  return lo !== undefined ? ` ${v.above !== undefined ? '>' : '>='} ${v.above ?? v.min}` : ` <= ${v.max}`;
}

/** The whole description line of an option: its help, range, choices and default. */
export function optionText(o: OptionSpec): string {
  const choices = o.value?.choices ? ` (${o.value.choices.join(', ')})` : '';
  const range = o.value ? rangeNote(o.value) : '';
  const more = o.repeat ? '; repeatable' : '';
  return `${o.help}${range ? `:${range}` : ''}${choices}${more}${defaultNote(o)}`;
}

/** `-c, --count N` as help, the man page and error messages spell it. */
export function optionFlags(o: OptionSpec): string {
  const long = `--${o.long}`;
  const head = o.short ? `-${o.short}, ${long}` : long;
  return o.value ? `${head} ${o.value.name}` : head;
}

/** `FILE...`, `[FILE...]`, `HOST[:PORT]`. */
export function argText(a: ArgSpec): string {
  const core = `${a.name}${a.variadic ? '...' : ''}`;
  return a.required ? core : `[${core}]`;
}
