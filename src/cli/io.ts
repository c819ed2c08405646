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
}

export const processIo: CommandIo = {
  stdout: (text) => {
    process.stdout.write(text);
  },
  stderr: (text) => {
    process.stderr.write(text);
  },
  isTTY: Boolean(process.stdout.isTTY && process.stdin.isTTY),
};

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
}

export function commandOut(io: CommandIo): CommandOut {
  return {
    text: (...parts) => {
      for (const p of parts) io.stdout(p);
    },
    json: (value) => io.stdout(`${toJson(value)}\n`),
    notice: (message) => io.stderr(`ntpdoctor: ${oneLine(message)}\n`),
    line: (text) => io.stderr(`${oneLine(text)}\n`),
    isTTY: io.isTTY,
  };
}

/** A command: parses its argv, runs the core, renders; returns the exit status (0, 1 or 2: docs/architecture.md, "Report and exit status"). */
export type CliCommand = (argv: string[], out: CommandOut) => Promise<number>;
