/**
 * The guided diagnosis: each stage of `diagnoseNode` as it runs (finished ones printed once through <Static>,
 * only the running ones and the live capture pane re-render), then the findings ranked; Enter shows a finding's
 * evidence and fixes, `w` writes the checklist, `q` quits with the CLI's exit status.
 */
import { Box, Static, useApp, useInput } from 'ink';
import { useEffect, useReducer, useRef, useState } from 'react';
import type { NtpExchange } from '../model/exchange.js';
import type { NtsKeSessionUpdate } from '../model/nts-wire.js';
import type { Report } from '../diagnose/types.js';
import type { OnStep } from '../run/progress.js';
import { renderChecklist } from '../render/checklist.js';
import { LinesView } from './components/Lines.js';
import { useTerminalSize, useTicker } from './components/hooks.js';
import { keyCommand } from './keys.js';
import { initialState, quitStatus, reduce, type StepState } from './state.js';
import { diagnosingLines, finishedStepLines, resultsLayout, SPINNER, titleLine } from './views.js';

export interface DiagnoseHooks {
  onStep: OnStep;
  onExchange: (x: NtpExchange) => void;
  onKeSession: (s: NtsKeSessionUpdate) => void;
}

export interface ExitOutcome {
  status: number;
  /** The diagnosis failed: the CLI reports it as one line (exit 2). */
  error?: unknown;
  /** The diagnosis had finished when the user quit. */
  finished: boolean;
}

export interface AppProps {
  /** This node's name, in the title. */
  host: string;
  /** Runs the diagnosis, reporting stages and capture exchanges through the hooks. */
  diagnose: (hooks: DiagnoseHooks) => Promise<Report>;
  /** Where `w` writes the checklist (shown on screen). */
  checklistPath: string;
  /**
   * Writes the checklist. Without `overwrite` it must not replace a file that is there: it rejects with code
   * EEXIST (open with 'wx'), and the App asks the user first.
   */
  writeChecklist: (path: string, markdown: string, overwrite: boolean) => Promise<void>;
  /** Paint colours (false under NO_COLOR, TERM=dumb, --color=never); default true. */
  color?: boolean;
  onExit: (outcome: ExitOutcome) => void;
  /** Fixed size (tests); default the terminal's. */
  columns?: number;
  rows?: number;
  now?: () => number;
  /** Spinner period, ms. */
  tickMs?: number;
}

type StaticItem = { key: string; title: true } | { key: string; step: StepState };

export function App(props: AppProps) {
  const { exit } = useApp();
  const [state, dispatch] = useReducer(reduce, initialState);
  const { columns, rows } = useTerminalSize(props.columns, props.rows);
  const now = props.now ?? Date.now;
  const done = state.report !== undefined || state.error !== undefined;
  const tick = useTicker(props.tickMs ?? 100, !done);
  const stateRef = useRef(state);
  stateRef.current = state;
  const exited = useRef(false);
  // After a resize the terminal reflows what Ink printed; the runner clears the screen (run.tsx), and from then on
  // the live area also draws what <Static> had printed, which the clear took away.
  const [resized, setResized] = useState(false);
  const firstSize = useRef({ columns, rows });
  useEffect(() => {
    if (firstSize.current.columns !== columns || firstSize.current.rows !== rows) setResized(true);
  }, [columns, rows]);
  const staticCount = useRef<number | undefined>(undefined);

  const leave = (outcome: ExitOutcome) => {
    if (exited.current) return;
    exited.current = true;
    props.onExit(outcome);
    exit();
  };

  useEffect(() => {
    let live = true;
    props
      .diagnose({
        onStep: (step) => live && dispatch({ type: 'step', step, at: now() }),
        onExchange: (exchange) => live && dispatch({ type: 'exchange', exchange }),
        onKeSession: (session) => live && dispatch({ type: 'ke-session', session }),
      })
      .then(
        (report) => live && dispatch({ type: 'report', report }),
        (error: unknown) => {
          if (!live) return;
          dispatch({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
          leave({ status: 2, error, finished: true });
        },
      );
    return () => {
      live = false;
    };
    // The diagnosis runs once, when the app mounts.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // The live area stays below the terminal's height: Ink redraws the whole screen otherwise.
  const height = Math.max(4, rows - 1);
  const layout = state.report ? resultsLayout(state, columns, height) : undefined;

  useInput((input, key) => {
    // Keys typed faster than a frame (or sent at once by tmux) arrive as one string: one command per character,
    // each judged on the state the previous one left.
    const chars = input.length > 1 && !key.ctrl && !key.meta ? [...input] : [input];
    let s = stateRef.current;
    for (const ch of chars) {
      const at = s === state ? layout : s.report ? resultsLayout(s, columns, height) : undefined;
      const command = keyCommand(ch, key, s, { detailMax: at?.detailMax ?? 0, page: at?.page ?? 1 });
      if (!command) continue;
      if (command.kind === 'quit') {
        leave({ status: quitStatus(s), finished: s.report !== undefined });
        return;
      }
      if (command.kind === 'write') {
        writeChecklist(s, command.overwrite);
        continue;
      }
      s = reduce(s, command.action);
      dispatch(command.action);
    }
    stateRef.current = s;
  });

  const writeChecklist = (s: typeof state, overwrite: boolean) => {
    const report = s.report;
    if (!report) return;
    if (s.confirm) dispatch({ type: 'confirm', path: undefined });
    props.writeChecklist(props.checklistPath, renderChecklist(report), overwrite).then(
      () => dispatch({ type: 'message', text: `Checklist written to ${props.checklistPath}`, tone: 'ok' }),
      (err: NodeJS.ErrnoException) => {
        // The file is there: ask (y/N) rather than replace a checklist someone may have ticked off.
        if (err.code === 'EEXIST' && !overwrite) dispatch({ type: 'confirm', path: props.checklistPath });
        else dispatch({ type: 'message', text: `Cannot write ${props.checklistPath}: ${err.code ?? err.message}`, tone: 'error' });
      },
    );
  };

  const items: StaticItem[] = [{ key: 'title', title: true }];
  for (const id of state.finished) {
    const step = state.steps.find((s) => s.id === id);
    if (step) items.push({ key: `step:${id}`, step });
  }
  let live = layout ? layout.lines : diagnosingLines(state, columns, height, SPINNER[tick % SPINNER.length] ?? '*', now());
  if (resized) {
    staticCount.current ??= items.length;
    if (!layout && !state.help) {
      // The latest of the title and finished steps that fit above the running ones.
      const above = [titleLine(props.host, columns), ...items.slice(1).flatMap((i) => ('step' in i ? finishedStepLines(i.step, columns) : []))];
      const room = Math.max(0, height - live.length);
      live = [...(room > 0 ? above.slice(-room) : []), ...live];
    }
  }
  const color = props.color ?? true;

  return (
    <Box flexDirection="column">
      <Static items={staticCount.current === undefined ? items : items.slice(0, staticCount.current)}>
        {(item) => (
          <LinesView key={item.key} color={color} lines={'title' in item ? [titleLine(props.host, columns)] : finishedStepLines(item.step, columns)} />
        )}
      </Static>
      {state.error === undefined && <LinesView lines={live} color={color} />}
    </Box>
  );
}
