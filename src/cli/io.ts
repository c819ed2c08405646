/**
 * The output boundary. `CommandIo` is the raw sink (the process, or a test's buffers); commands never see it.
 * They get a `CommandOut`, which writes only what is terminal-safe by construction: text that went through
 * `toTerminal` (src/render/terminal.ts), JSON from `toJson` (inert in a terminal), and stderr lines that are
 * always exactly one line with every control character escaped. test/meta/terminal.test.ts keeps it so.
 */
import { toJson } from '../render/json.js';
import { oneLine, type TerminalString } from '../render/terminal.js';

export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** True when stdout is a terminal (the TUI may run). */
  isTTY: boolean;
  /** What colour is decided from (src/cli/color.ts); absent: an empty environment and no terminal. */
  env?: Readonly<Record<string, string | undefined>>;
  /** stdout alone is a terminal (colour), and what it says of its colours. */
  stdoutIsTTY?: boolean;
  hasColors?: () => boolean;
  /** Terminal width for help text; absent: 80. */
  columns?: number;
}

export const processIo: CommandIo = {
  stdout: (text) => {
    process.stdout.write(text);
  },
  stderr: (text) => {
    process.stderr.write(text);
  },
  isTTY: Boolean(process.stdout.isTTY && process.stdin.isTTY),
  env: process.env,
  stdoutIsTTY: Boolean(process.stdout.isTTY),
  hasColors: () => (process.stdout.isTTY ? process.stdout.hasColors() : false),
  ...(process.stdout.isTTY && process.stdout.columns ? { columns: process.stdout.columns } : {}),
};

/**
 * Ends the process with `code` once everything written to stdout and stderr is out (the callbacks of an empty write
 * come after every write before it), rather than when the event loop empties: a command is done when main()
 * settles, each one awaiting its own sockets, children and workers. Leaving by the event loop, Node first tears down
 * V8's heap page by page: on a capture of 100 k paths (~300 MB of heap) that was 150–180 ms of munmap after the
 * report was out (strace -tt, last write to exit_group; 5 ms this way). process.exit still runs the 'exit'
 * listeners (the TUI's screen restore, the build's code cache).
 */
export function exitWhenWritten(code: number): void {
  process.exitCode = code;
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

/** What a command may write. */
export interface CommandOut {
  /** Rendered text (renderers return `TerminalString`s; a plain string does not type-check here). */
  text: (...parts: TerminalString[]) => void;
  /** One JSON document on stdout, then a newline. */
  json: (value: unknown) => void;
  /** `ntpdoctor: MESSAGE` on stderr, one line whatever MESSAGE holds. */
  notice: (message: string) => void;
  /** A whole stderr line with its own prefix (serve's `ntpdoctor serve: …`), one line as well. */
  line: (text: string) => void;
  isTTY: boolean;
  /**
   * Colour the text (decided once from --color, NO_COLOR, FORCE_COLOR, TERM and the terminal: src/cli/color.ts).
   * Renderers get it as data (`toTerminal(lines, { color })`); the TUI reads it too.
   */
  color: boolean;
  /** The terminal's width when stdout is one (text lays out for it; else COLUMNS or 80: render/text-layout.ts). */
  columns?: number;
}

export function commandOut(io: CommandIo, color = false): CommandOut {
  return {
    text: (...parts) => {
      for (const p of parts) io.stdout(p);
    },
    json: (value) => io.stdout(`${toJson(value)}\n`),
    notice: (message) => io.stderr(`ntpdoctor: ${oneLine(message)}\n`),
    line: (text) => io.stderr(`${oneLine(text)}\n`),
    isTTY: io.isTTY,
    color,
    ...(io.columns !== undefined ? { columns: io.columns } : {}),
  };
}

/** What the parser (src/cli/program.ts, from src/cli/definition.ts) hands a command. */
export interface CommandInput {
  /** Positional arguments, as given. */
  args: readonly string[];
  /** Options by long name (`opts['max-hops']`), defaults applied, numbers and ranges already checked. */
  opts: Readonly<Record<string, string | number | boolean | readonly (string | number)[] | undefined>>;
}

/** A command: runs the core on parsed input, renders; returns the exit status (0, 1 or 2 per DESIGN.md). */
export type CliCommand = (input: CommandInput, out: CommandOut) => Promise<number>;
