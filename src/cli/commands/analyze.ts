import { analyzeCaptures } from '../../run/capture-file.js';
import { exitStatus } from '../../diagnose/report.js';
import { renderText } from '../../render/text.js';
import { InputError } from '../../errors.js';
import { list, num, parseArgs } from '../args.js';
import type { CliCommand } from '../io.js';

const USAGE = 'usage: ntpdoctor analyze FILE... [--json] [--local-ip IP]... [--threads N]   (FILE may be - for stdin)';

const analyze: CliCommand = async (argv, out) => {
  const args = parseArgs(argv, {
    options: { json: 'boolean', 'local-ip': 'string[]', 'no-color': 'boolean', threads: 'number' },
    minPositionals: 1,
    usage: USAGE,
  });
  const threads = num(args.values.threads);
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1 || threads > 64)) {
    throw new InputError(`option --threads: a whole number from 1 to 64, not ${threads}`);
  }
  const report = await analyzeCaptures(args.positionals, {
    localIps: list(args.values['local-ip']),
    ...(threads !== undefined ? { threads } : {}),
  });
  if (args.values.json) out.json(report);
  else out.text(renderText(report, { color: out.isTTY && !args.values['no-color'] }));
  for (const input of report.inputs) {
    const stop = 'stop' in input ? input.stop : undefined;
    if (stop && 'frames' in input) out.notice(`${input.name}: ${stop.kind} at byte ${stop.offset} (frame ${stop.frame}): ${stop.reason}; analysed the ${input.frames} frames before it`);
  }
  return exitStatus(report);
};

export default analyze;
