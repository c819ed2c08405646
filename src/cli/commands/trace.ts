import { exitStatus } from '../../diagnose/report.js';
import { DEFAULT_TRACE_DEADLINE, defaultHopBudget } from '../../probe/trace-budget.js';
import { traceExitsNonZero } from '../../probe/trace.js';
import { renderTrace, renderTraceVerdict } from '../../render/trace.js';
import { collectTrace } from '../../run/trace.js';
import { toTerminal } from '../../render/terminal.js';
import { renderText } from '../../render/text.js';
import { findingFilters } from '../../render/text-options.js';
import { family, num } from '../args.js';
import type { CliCommand } from '../io.js';

/**
 * trace HOST[:PORT] (definition.ts). The parser keeps --deadline in (0, 600] and --hop-timeout in [0.2, 600]:
 * below 0.2 s not even one short time sample fits, and ten minutes is far past what 32 hops need.
 */
const trace: CliCommand = async ({ args, opts }, out) => {
  const deadline = num(opts.deadline) ?? DEFAULT_TRACE_DEADLINE;
  const fam = family(opts);
  const t = await collectTrace(args[0] as string, {
    maxHops: num(opts['max-hops']) ?? 8,
    deadline,
    hopBudget: num(opts['hop-timeout']) ?? defaultHopBudget(deadline),
    noControl: opts['no-mode6'] === true,
    ...(fam !== undefined ? { family: fam } : {}),
  });
  if (opts.json) out.json(t.run.report);
  else {
    const filters = findingFilters(opts);
    // -q keeps the verdict line (why a cut trace exits 1) and drops the hop lines.
    const chain = filters.quiet ? renderTraceVerdict(t) : renderTrace(t);
    out.text(chain, toTerminal(['']), renderText(t.run.report, { color: out.color, ...filters }));
  }
  return traceExitsNonZero(t) ? Math.max(1, exitStatus(t.run.report)) : exitStatus(t.run.report);
};

export default trace;
