import { hostname } from 'node:os';
import { exitStatus } from '../../diagnose/report.js';
import { keNotices } from '../../run/ke-notices.js';
import { diagnoseNode, type DiagnoseOptions, type NodeCapture } from '../../run/node.js';
import { renderPrometheus } from '../../render/prometheus.js';
import { renderText } from '../../render/text.js';
import { textOptions } from '../../render/text-options.js';
import { family, list, num, str } from '../args.js';
import type { CliCommand } from '../io.js';

/**
 * The live capture beside the diagnosis (src/run/live-capture.ts), loaded only when --capture asks for it. It is
 * ready once the capture is open (its onReady), so the probes go out while it listens.
 */
export function liveCapture(seconds: number, notice: (line: string) => void): NodeCapture {
  return {
    label: `Capture ${seconds} s on any interface`,
    run: async ({ ready, exchange, keSession, signal }) => {
      const { captureLive } = await import('../../run/live-capture.js');
      const { analysis, input } = await captureLive({
        durationSeconds: seconds,
        signal,
        notice,
        onReady: ready,
        // Each exchange reaches the live pane as it completes (reply, ICMP error or timeout), each NTS-KE session as
        // it gains a try or changes outcome.
        onExchange: exchange,
        onKeSession: keSession,
      });
      return { observations: analysis.observations, exchanges: analysis.exchanges, input };
    },
  };
}

/**
 * This node: its configs (where the daemons keep them, or --config), firewall, running daemons and what they
 * report, plus a probe of every configured server (and --server ones) → one ranked report. On a terminal
 * (and without --json / --plain) the guided TUI shows it; it is loaded only then.
 */
const diagnose: CliCommand = async ({ opts }, out) => {
  // --capture is kept in (0, 3600] seconds by the parser (definition.ts).
  const capture = num(opts.capture);
  const fam = family(opts);
  // --json is --format json; prometheus is node_exporter's textfile collector format (issue 16).
  const format = opts.json ? 'json' : str(opts.format);
  const text = textOptions(opts, { isTTY: out.isTTY, columns: out.columns }, out.color && !opts.plain);
  const base: DiagnoseOptions = {
    servers: list(opts.server),
    configs: list(opts.config),
    noProbe: opts['no-probe'] === true,
    ...(fam !== undefined ? { family: fam } : {}),
  };

  if (out.isTTY && format === undefined && !opts.plain) {
    // Ink draws only the last frame when it believes it runs in CI (is-in-ci reads CI, CONTINUOUS_INTEGRATION,
    // CI_*). A terminal is on both ends here, so the user wants the live screen: hide those before Ink loads.
    for (const key of Object.keys(process.env)) {
      if (key === 'CI' || key === 'CONTINUOUS_INTEGRATION' || key.startsWith('CI_')) delete process.env[key];
    }
    const { runTui } = await import('../../ui/run.js');
    const stop = new AbortController();
    const outcome = await runTui({
      host: hostname(),
      color: out.color,
      diagnose: ({ onStep, onExchange, onKeSession }) =>
        diagnoseNode({
          ...base,
          onStep,
          signal: stop.signal,
          // Notices would scribble over the screen: the capture step says how it went.
          ...(capture !== undefined ? { capture: { ...liveCapture(capture, () => {}), onExchange, onKeSession } } : {}),
        }),
    });
    if (outcome.error) throw outcome.error;
    if (!outcome.finished) {
      // Quit before the end: stop the capture, and do not wait for the probes still out (a few seconds at most).
      stop.abort();
      setTimeout(() => process.exit(outcome.status), 200).unref();
    }
    return outcome.status;
  }

  const report = await diagnoseNode({
    ...base,
    onStep: (step) => {
      if (step.id === 'capture' && step.status === 'failed') out.notice(`capture: ${step.detail ?? 'failed'}`);
    },
    ...(capture !== undefined ? { capture: { ...liveCapture(capture, (line) => out.notice(line)), onKeSession: keNotices((line) => out.notice(line)) } } : {}),
  });
  if (format === 'json') out.json(report);
  else if (format === 'prometheus') out.text(renderPrometheus(report));
  else out.text(renderText(report, text));
  return exitStatus(report);
};

export default diagnose;
