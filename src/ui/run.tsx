/**
 * Entry point of the TUI, loaded by the diagnose command only on a terminal (`await import('../../ui/run.js')`):
 * renders the App with Ink and resolves with what the user left with (exit status, failure).
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { render } from 'ink';
import type { Report } from '../diagnose/types.js';
import { App, type DiagnoseHooks, type ExitOutcome } from './App.js';

export type { DiagnoseHooks, ExitOutcome } from './App.js';

export interface TuiOptions {
  host: string;
  diagnose: (hooks: DiagnoseHooks) => Promise<Report>;
  /** Where `w` writes the checklist; default ./ntpdoctor-checklist.md. */
  checklistPath?: string;
}

export const DEFAULT_CHECKLIST = 'ntpdoctor-checklist.md';

export async function runTui(options: TuiOptions): Promise<ExitOutcome> {
  // Ctrl-C ends Ink without a choice made: the same status an interrupted command gets.
  let outcome: ExitOutcome = { status: 130, finished: false };
  const instance = render(
    <App
      host={options.host}
      diagnose={options.diagnose}
      checklistPath={resolve(options.checklistPath ?? DEFAULT_CHECKLIST)}
      writeChecklist={(path, markdown) => writeFile(path, markdown)}
      onExit={(o) => {
        outcome = o;
      }}
    />,
    { exitOnCtrlC: true },
  );
  await instance.waitUntilExit();
  return outcome;
}
