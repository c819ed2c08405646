/** Output helpers for commands: the only place commands write to the terminal. */
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

/** A command: parses its argv, runs the core, renders; returns the exit status (0, 1 or 2 per DESIGN.md). */
export type Command = (argv: string[], io: CommandIo) => Promise<number>;
