import { CommanderError } from 'commander';
import { InputError } from '../errors.js';
import { oneLine, toTerminal } from '../render/terminal.js';
import { colorWhen, decideColor } from './color.js';
import { COMMANDS } from './definition.js';
import { commandOut, processIo, type CommandIo } from './io.js';
import { buildProgram } from './program.js';

/** Options that precede a command name and belong to every command (`ntpdoctor --no-color analyze x`). */
function leadingCommon(argv: readonly string[]): number {
  let i = 0;
  while (i < argv.length) {
    const a = argv[i] as string;
    if (a === '--no-color' || a.startsWith('--color=')) i += 1;
    else if (a === '--color') i += 2;
    else break;
  }
  return i;
}

/**
 * No command (or options only): the guided diagnosis of this node. Options common to all commands may come
 * before the command name; they are moved after it, where commander looks for them.
 */
export function withCommand(argv: readonly string[]): string[] {
  const lead = leadingCommon(argv);
  const first = argv[lead];
  if (first === undefined) return ['diagnose', ...argv];
  if (lead === 0 && (first === '-h' || first === '--help' || first === '-V' || first === '--version')) return [...argv];
  if (first.startsWith('-') && first !== '-') return ['diagnose', ...argv];
  // `help analze`: commander would print the global help as an error; name the topic as a command instead, so
  // the unknown name gets the same one-line error, with its suggestion, as `ntpdoctor analze`.
  const topic = argv[lead + 1];
  if (lead === 0 && first === 'help' && topic !== undefined && !topic.startsWith('-') && !COMMANDS.some((c) => c.name === topic)) {
    return [topic];
  }
  return [first, ...argv.slice(0, lead), ...argv.slice(lead + 1)];
}

/** Commander's message (`error: unknown option '--jsn'\n(Did you mean --json?)`) as one line, with where to look. */
export function usageLine(err: CommanderError, command: string | undefined): string {
  const text = err.message
    .replace(/^error: /, '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => l.replace(/^\((Did you mean .*)\)$/, (_m, s: string) => `(${s.charAt(0).toLowerCase()}${s.slice(1)})`))
    .join(' ');
  const help = command ? `ntpdoctor ${command} --help` : 'ntpdoctor --help';
  return `${text} (see ${help})`;
}

export async function main(argv: string[], io: CommandIo = processIo): Promise<number> {
  let printed = '';
  const args = withCommand(argv);
  const named = COMMANDS.some((c) => c.name === args[0]) ? args[0] : undefined;
  const { program, invoked } = buildProgram({ out: (t) => void (printed += t), width: Math.max(40, Math.min(io.columns ?? 80, 120)) }, named);
  try {
    program.parse(args, { from: 'user' });
  } catch (err) {
    const plain = commandOut(io);
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) {
        plain.text(toTerminal(printed.replace(/\n+$/, '').split('\n')));
        return 0;
      }
      const name = COMMANDS.some((c) => c.name === args[0]) ? args[0] : undefined;
      io.stderr(`ntpdoctor: ${oneLine(usageLine(err, name))}\n`);
      return 2;
    }
    return reportError(err, io);
  }
  const run = invoked();
  // Unreachable with a command always named (withCommand), but never a silent 0.
  if (!run) return reportError(new InputError('no command (see ntpdoctor --help)'), io);
  const when = colorWhen(run.opts.color, run.opts['no-color']);
  const color = decideColor(when, {
    env: io.env ?? {},
    isTTY: io.stdoutIsTTY ?? false,
    ...(io.hasColors ? { hasColors: io.hasColors } : {}),
  });
  const out = commandOut(io, color);
  try {
    const command = (await run.spec.load()).default;
    return await command({ args: run.args, opts: run.opts }, out);
  } catch (err) {
    return reportError(err, io);
  }
}

/**
 * One clear line on stderr, never a stack trace; InputError → 2, anything else is a bug → 2 as well, said so.
 * Exactly one line whatever the message holds: a file name or a server's bytes in it are escaped
 * (src/render/terminal.ts `oneLine`), a newline included, and a huge message is cut.
 */
export function reportError(err: unknown, io: CommandIo): number {
  if (err instanceof InputError) {
    io.stderr(`ntpdoctor: ${oneLine(err.message)}\n`);
    return 2;
  }
  const e = err as NodeJS.ErrnoException | null | undefined;
  const msg = e && typeof e.message === 'string' ? e.message.split('\n')[0] ?? '' : safeString(err);
  io.stderr(`ntpdoctor: internal error: ${oneLine(msg)} (please report it; NTPDOCTOR_DEBUG=1 shows the stack)\n`);
  // The stack is for a developer who asked for it; still escaped line by line.
  if (process.env.NTPDOCTOR_DEBUG) io.stderr(toTerminal(String(e?.stack ?? '').split('\n')));
  return 2;
}

function safeString(v: unknown): string {
  try {
    return String(v);
  } catch {
    return 'unprintable error';
  }
}
