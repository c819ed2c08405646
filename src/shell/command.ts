/**
 * Commands built from argv-like parts, the only way a fix becomes shell text (docs/architecture.md, "Hostile input": quoting by construction,
 * as Go's exec.Command or Python's shlex.quote). Each part is quoted once, here; no caller concatenates a value
 * into command text. A command runs exactly one program, optionally appending its output to one file (`>> FILE`,
 * the way a config line is added). A value that no quoting makes safe to paste (see pasteHazard), or an operand
 * that would read as an option, turns the command into a plain-language step: `rendered()` says which.
 */
import type { ConfigEdit } from '../diagnose/types.js';
import { pasteHazard, quote } from './quote.js';

/** An operand (a host, an address, a unit): refused when it begins with `-`, where it would read as an option. */
export interface Operand {
  operand: string;
}
/** A file operand: a relative path beginning with `-` gets `./` (the same file, no longer an option). */
export interface FileOperand {
  file: string;
}
export type Arg = string | Operand | FileOperand;

export interface Command {
  /** The program (argv[0]) and its arguments, unquoted. */
  argv: readonly Arg[];
  /** `>> FILE`: append the program's output to this file. */
  appendTo?: string;
  /** `> FILE`: replace this file with the program's output. */
  writeTo?: string;
  /** What the command does, in words: printed instead of it when a value cannot be pasted safely. */
  says: string;
  /** The config edit it makes, if any (Fix.edits). */
  edit?: Omit<ConfigEdit, 'command'>;
}

export function op(value: string): Operand {
  return { operand: value };
}

export function file(path: string): FileOperand {
  return { file: path };
}

/** `program args…`; `says` defaults to naming the program and its arguments. */
export function cmd(program: string, ...args: Arg[]): Command {
  return { argv: [program, ...args], says: describe([program, ...args]) };
}

/** The same command, described in the given words (for the plain-language step). */
export function saying(c: Command, says: string): Command {
  return { ...c, says };
}

/** A command with only fixed words, written as one literal (`words('chronyc sources -v')`): never a value. */
export function words<S extends string>(literal: string extends S ? never : S): Command {
  const argv = literal.split(' ').filter((w) => w !== '');
  return { argv, says: `run ${literal}` };
}

/** `printf '%s\n' LINE >> FILE` (or `echo 'LINE' >> FILE` when echo cannot misread it): add one line to a file. */
export function appendLine(path: string, line: string): Command {
  // dash's echo expands backslash escapes and every echo takes a leading -n/-e as an option: printf has neither.
  const argv = /\\/.test(line) || line.startsWith('-') ? ['printf', '%s\\n', line] : ['echo', line];
  return { argv, appendTo: resolveFile(path), says: `add the line ${show(line)} at the end of ${show(path)}`, edit: { file: path, action: 'append', text: line } };
}

/** The command with its output replacing FILE (`> FILE`). */
export function writeTo(c: Command, path: string): Command {
  const { appendTo: _, ...rest } = c;
  return { ...rest, writeTo: resolveFile(path), says: `${c.says}, writing its output over ${show(path)}` };
}

export type Rendered = { ok: true; text: string; argv: string[] } | { ok: false; reason: string; step: string };

/** The argv the command runs (operands resolved), as a test would see it arrive. */
export function argvOf(c: Command): string[] {
  return c.argv.map((a) => (typeof a === 'string' ? a : 'operand' in a ? a.operand : resolveFile(a.file)));
}

export function rendered(c: Command): Rendered {
  const argv = argvOf(c);
  const values = [...argv, ...(c.appendTo === undefined ? [] : [c.appendTo]), ...(c.writeTo === undefined ? [] : [c.writeTo])];
  for (const v of values) {
    const hazard = pasteHazard(v);
    if (hazard) return refused(c, `${show(v)} cannot be pasted safely: ${hazard}`);
  }
  for (const a of c.argv) {
    if (typeof a !== 'string' && 'operand' in a && a.operand.startsWith('-')) return refused(c, `${show(a.operand)} begins with '-' and would be read as an option`);
  }
  if (argv[0] === undefined || argv[0] === '') return refused(c, 'no program');
  if (c.appendTo !== undefined && c.writeTo !== undefined) return refused(c, 'two redirections');
  const redirect = c.appendTo !== undefined ? ` >> ${quote(c.appendTo)}` : c.writeTo !== undefined ? ` > ${quote(c.writeTo)}` : '';
  const text = argv.map(quote).join(' ') + redirect;
  return { ok: true, text, argv };
}

function refused(c: Command, reason: string): Rendered {
  return { ok: false, reason, step: `By hand: ${c.says} (no command printed: ${reason})` };
}

function resolveFile(path: string): string {
  return path.startsWith('-') ? `./${path}` : path;
}

/** A value in a plain-language step: JSON string syntax shows every control character escaped. */
export function show(value: string): string {
  return JSON.stringify(value).replace(/[\u007f-\u009f\u2028\u2029\p{Cf}]/gu, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function describe(argv: readonly Arg[]): string {
  return `run ${argv.map((a) => show(typeof a === 'string' ? a : 'operand' in a ? a.operand : a.file)).join(' ')}`;
}
