import { InputError } from '../errors.js';

/** Declarative option spec: `{ json: 'boolean', server: 'string[]', samples: 'number' }`; `-x` aliases via `alias`. */
export type OptionKind = 'boolean' | 'string' | 'string[]' | 'number';

export interface ArgSpec {
  options: Record<string, OptionKind>;
  alias?: Record<string, string>;
  /** Minimum / maximum positional arguments. */
  minPositionals?: number;
  maxPositionals?: number;
  usage: string;
}

export interface ParsedArgs {
  positionals: string[];
  values: Record<string, boolean | string | string[] | number | undefined>;
}

/**
 * Parses argv strictly: unknown options, missing values and bad numbers are usage errors (exit 2). A lone '-'
 * is a positional (stdin). `--` ends options.
 */
export function parseArgs(argv: readonly string[], spec: ArgSpec): ParsedArgs {
  const usageError = (message: string) => new InputError(`${message} (see ${helpCommand(spec.usage)} --help)`);
  const values: ParsedArgs['values'] = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    if (arg === '--help' || arg === '-h') throw new HelpRequested(spec.usage);
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      if (eq >= 0) inline = arg.slice(eq + 1);
    } else {
      const short = arg.slice(1);
      const long = spec.alias?.[short];
      if (!long) throw usageError(`unknown option ${arg}`);
      name = long;
    }
    const kind = spec.options[name];
    if (!kind) throw usageError(`unknown option --${name}`);
    if (kind === 'boolean') {
      if (inline !== undefined) throw usageError(`option --${name} takes no value`);
      values[name] = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw usageError(`option --${name} needs a value`);
    if (kind === 'number') {
      const n = Number(value);
      if (value.trim() === '' || !Number.isFinite(n)) throw usageError(`option --${name}: not a number: ${value}`);
      values[name] = n;
    } else if (kind === 'string[]') {
      const list = (values[name] as string[] | undefined) ?? [];
      list.push(value);
      values[name] = list;
    } else {
      values[name] = value;
    }
  }
  if (spec.minPositionals !== undefined && positionals.length < spec.minPositionals) {
    throw usageError('missing argument');
  }
  if (spec.maxPositionals !== undefined && positionals.length > spec.maxPositionals) {
    throw usageError(`too many arguments: ${positionals.slice(spec.maxPositionals).join(' ')}`);
  }
  return { positionals, values };
}

/** `--help` / `-h` anywhere before `--`: the CLI prints the command's usage on stdout and exits 0. */
export class HelpRequested extends Error {
  override readonly name = 'HelpRequested';
  constructor(readonly usage: string) {
    super('help requested');
  }
}

/** 'ntpdoctor lint' from 'usage: ntpdoctor lint FILE …': where the one-line usage error points the user. */
export function helpCommand(usage: string): string {
  return /^usage: (ntpdoctor(?: [a-z]+)?)/.exec(usage)?.[1] ?? 'ntpdoctor';
}

export function str(v: ParsedArgs['values'][string]): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
export function num(v: ParsedArgs['values'][string]): number | undefined {
  return typeof v === 'number' ? v : undefined;
}
export function list(v: ParsedArgs['values'][string]): string[] {
  return Array.isArray(v) ? v : [];
}
