/**
 * Entry point of the TUI, loaded by the diagnose command only on a terminal (`await import('../../ui/run.js')`):
 * renders the App with Ink and resolves with what the user left with (exit status, failure).
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { render } from 'ink';
import type { Report } from '../diagnose/types.js';
import { App, type DiagnoseHooks, type ExitOutcome } from './App.js';
import { colorFromEnv, enterAlternateScreen } from './screen.js';

export type { DiagnoseHooks, ExitOutcome } from './App.js';

export interface TuiOptions {
  host: string;
  diagnose: (hooks: DiagnoseHooks) => Promise<Report>;
  /** Where `w` writes the checklist; default ./ntpdoctor-checklist.md. */
  checklistPath?: string;
  /** Colour (the CLI's --color decision); default from NO_COLOR / FORCE_COLOR / TERM. */
  color?: boolean;
}

export const DEFAULT_CHECKLIST = 'ntpdoctor-checklist.md';

export async function runTui(options: TuiOptions): Promise<ExitOutcome> {
  // Ctrl-C ends Ink without a choice made: the same status an interrupted command gets.
  let outcome: ExitOutcome = { status: 130, finished: false };
  // Before render(): the resize clear must run before Ink's own resize redraw (listeners run in order).
  const screen = enterAlternateScreen(process.stdout);
  const instance = render(
    <App
      host={options.host}
      diagnose={options.diagnose}
      checklistPath={resolve(options.checklistPath ?? DEFAULT_CHECKLIST)}
      // 'wx' fails with EEXIST when the file is there: the App asks before it overwrites.
      writeChecklist={(path, markdown, overwrite) => writeFile(path, markdown, { flag: overwrite ? 'w' : 'wx' })}
      color={options.color ?? colorFromEnv(process.env)}
      onExit={(o) => {
        outcome = o;
      }}
    />,
    { exitOnCtrlC: true },
  );
  try {
    await instance.waitUntilExit();
  } finally {
    instance.cleanup();
    screen.leave();
  }
  return outcome;
}
