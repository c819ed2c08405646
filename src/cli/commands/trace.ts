import { exitStatus } from '../../diagnose/report.js';
import { InputError } from '../../errors.js';
import { collectTrace, renderTrace, traceFailed } from '../../probe/trace.js';
import { toTerminal } from '../../render/terminal.js';
import { renderText } from '../../render/text.js';
import { num, parseArgs } from '../args.js';
import type { Command } from '../io.js';

const USAGE = 'usage: ntpdoctor trace HOST[:PORT] [--max-hops N] [--no-mode6] [--json]';

const trace: Command = async (argv, out) => {
  const args = parseArgs(argv, {
    options: { 'max-hops': 'number', 'no-mode6': 'boolean', json: 'boolean', 'no-color': 'boolean' },
    minPositionals: 1,
    maxPositionals: 1,
    usage: USAGE,
  });
  const maxHops = num(args.values['max-hops']) ?? 8;
  if (!Number.isInteger(maxHops) || maxHops < 1 || maxHops > 32) throw new InputError('--max-hops must be 1..32');
  const t = await collectTrace(args.positionals[0] as string, { maxHops, noControl: args.values['no-mode6'] === true });
  if (args.values.json) out.json(t.run.report);
  else out.text(renderTrace(t), toTerminal(['']), renderText(t.run.report, { color: out.isTTY && !args.values['no-color'] }));
  return traceFailed(t.end) ? Math.max(1, exitStatus(t.run.report)) : exitStatus(t.run.report);
};

export default trace;
