import { exitStatus } from '../../diagnose/report.js';
import { InputError } from '../../errors.js';
import { DEFAULT_TRACE_DEADLINE, defaultHopBudget } from '../../probe/trace-budget.js';
import { traceExitsNonZero } from '../../probe/trace.js';
import { renderTrace } from '../../render/trace.js';
import { collectTrace } from '../../run/trace.js';
import { toTerminal } from '../../render/terminal.js';
import { renderText } from '../../render/text.js';
import { num, parseArgs } from '../args.js';
import type { CliCommand } from '../io.js';

const USAGE = 'usage: ntpdoctor trace HOST[:PORT] [--max-hops N] [--deadline S] [--hop-timeout S] [--no-mode6] [--json]';

/** Seconds in (0, 600]: a trace is interactive; ten minutes is already far past what a chain of 32 hops needs. */
function seconds(value: Parameters<typeof num>[0], flag: string): number | undefined {
  const n = num(value);
  if (n === undefined) return undefined;
  if (!(n > 0 && n <= 600)) throw new InputError(`${flag}: seconds in (0, 600], not ${String(n)}`);
  return n;
}

const trace: CliCommand = async (argv, out) => {
  const args = parseArgs(argv, {
    options: {
      'max-hops': 'number',
      deadline: 'number',
      'hop-timeout': 'number',
      'no-mode6': 'boolean',
      json: 'boolean',
      'no-color': 'boolean',
    },
    minPositionals: 1,
    maxPositionals: 1,
    usage: USAGE,
  });
  const maxHops = num(args.values['max-hops']) ?? 8;
  if (!Number.isInteger(maxHops) || maxHops < 1 || maxHops > 32) throw new InputError('--max-hops must be 1..32');
  const deadline = seconds(args.values.deadline, '--deadline') ?? DEFAULT_TRACE_DEADLINE;
  const hopBudget = seconds(args.values['hop-timeout'], '--hop-timeout') ?? defaultHopBudget(deadline);
  if (hopBudget < 0.2) throw new InputError('--hop-timeout: at least 0.2 s (one short time sample)');
  const t = await collectTrace(args.positionals[0] as string, {
    maxHops,
    deadline,
    hopBudget,
    noControl: args.values['no-mode6'] === true,
  });
  if (args.values.json) out.json(t.run.report);
  else out.text(renderTrace(t), toTerminal(['']), renderText(t.run.report, { color: out.isTTY && !args.values['no-color'] }));
  return traceExitsNonZero(t) ? Math.max(1, exitStatus(t.run.report)) : exitStatus(t.run.report);
};

export default trace;
