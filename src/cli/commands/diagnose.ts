import { hostname } from 'node:os';
import { exitStatus } from '../../diagnose/report.js';
import { InputError } from '../../errors.js';
import { diagnoseNode, type DiagnoseOptions, type NodeCapture } from '../../run/node.js';
import { renderText } from '../../render/text.js';
import { renderPrometheus } from '../../render/prometheus.js';
import { TEXT_ALIASES, TEXT_OPTIONS, textOptions } from '../../render/text-options.js';
import { list, num, parseArgs, str } from '../args.js';
import type { CliCommand } from '../io.js';

const USAGE =
  'usage: ntpdoctor diagnose [--server H[:PORT]]... [--config FILE]... [--capture S] [--no-probe] [--json] [--plain] [--format text|json|prometheus] [--min-severity info|warning|error] [-q|--quiet]';

/**
 * The live capture beside the diagnosis (src/run/live-capture.ts), loaded only when --capture asks for it. It is
 * ready once the capture is open (its onReady), so the probes go out while it listens.
 */
export function liveCapture(seconds: number, notice: (line: string) => void): NodeCapture {
  return {
    label: `Capture ${seconds} s on any interface`,
    run: async ({ ready, exchange, signal }) => {
      const { captureLive } = await import('../../run/live-capture.js');
      const { analysis, input } = await captureLive({
        durationSeconds: seconds,
        signal,
        notice,
        onReady: ready,
        // Each exchange reaches the live pane as it completes (reply, ICMP error or timeout).
        onExchange: exchange,
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
const diagnose: CliCommand = async (argv, out) => {
  const args = parseArgs(argv, {
    options: {
      server: 'string[]',
      config: 'string[]',
      capture: 'number',
      json: 'boolean',
      plain: 'boolean',
      format: 'string',
      'no-probe': 'boolean',
      'no-color': 'boolean',
      ...TEXT_OPTIONS,
    },
    alias: { s: 'server', c: 'config', ...TEXT_ALIASES },
    maxPositionals: 0,
    usage: USAGE,
  });
  const format = args.values.json ? 'json' : str(args.values.format);
  if (format !== undefined && !['text', 'json', 'prometheus'].includes(format)) throw new InputError(`--format: text, json or prometheus, not ${format}`);
  const text = textOptions(args.values, { isTTY: out.isTTY }, out.isTTY && !args.values['no-color'] && !args.values.plain);
  const capture = num(args.values.capture);
  if (capture !== undefined && !(capture > 0 && capture <= 3600)) throw new InputError(`--capture: seconds between 0 and 3600, not ${capture}`);
  const base: DiagnoseOptions = {
    servers: list(args.values.server),
    configs: list(args.values.config),
    noProbe: Boolean(args.values['no-probe']),
  };

  if (out.isTTY && format === undefined && !args.values.plain) {
    // Ink draws only the last frame when it believes it runs in CI (is-in-ci reads CI, CONTINUOUS_INTEGRATION,
    // CI_*). A terminal is on both ends here, so the user wants the live screen: hide those before Ink loads.
    for (const key of Object.keys(process.env)) {
      if (key === 'CI' || key === 'CONTINUOUS_INTEGRATION' || key.startsWith('CI_')) delete process.env[key];
    }
    const { runTui } = await import('../../ui/run.js');
    const stop = new AbortController();
    const outcome = await runTui({
      host: hostname(),
      diagnose: ({ onStep, onExchange }) =>
        diagnoseNode({
          ...base,
          onStep,
          signal: stop.signal,
          // Notices would scribble over the screen: the capture step says how it went.
          ...(capture !== undefined ? { capture: { ...liveCapture(capture, () => {}), onExchange } } : {}),
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
    ...(capture !== undefined ? { capture: liveCapture(capture, (line) => out.notice(line)) } : {}),
  });
  if (format === 'json') out.json(report);
  // node_exporter's textfile collector (issue 16): findings and sources as metrics.
  else if (format === 'prometheus') out.text(renderPrometheus(report));
  else out.text(renderText(report, text));
  return exitStatus(report);
};

export default diagnose;
