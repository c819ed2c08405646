/** Runs the CLI in-process with buffered output, and parses argv without running anything. */
import { CommanderError } from 'commander';
import type { CommandIo } from '../../src/cli/io.js';
import { main, withCommand } from '../../src/cli/main.js';
import { buildProgram, type Invocation } from '../../src/cli/program.js';

export interface Run {
  code: number;
  out: string;
  err: string;
}

export async function run(argv: string[], extra: Partial<CommandIo> = {}): Promise<Run> {
  let out = '';
  let err = '';
  const code = await main(argv, {
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    isTTY: false,
    ...extra,
  });
  return { code, out, err };
}

/** What the parser makes of argv (nothing runs: safe for diagnose, probe, serve). */
export function parse(argv: string[]): Invocation | CommanderError {
  const { program, invoked } = buildProgram({ out: () => {}, width: 80 });
  try {
    program.parse(withCommand(argv), { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err;
    throw err;
  }
  const i = invoked();
  if (!i) throw new Error(`no command for ${JSON.stringify(argv)}`);
  return i;
}

export function parsed(argv: string[]): Invocation {
  const r = parse(argv);
  if (r instanceof CommanderError) throw new Error(`${JSON.stringify(argv)}: ${r.message}`);
  return r;
}
