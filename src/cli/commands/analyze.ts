import { analyzeCaptures } from '../../analyze.js';
import { exitStatus } from '../../diagnose/report.js';
import { renderJson } from '../../render/json.js';
import { renderText } from '../../render/text.js';
import { list, parseArgs } from '../args.js';
import type { Command } from '../io.js';

const USAGE = 'usage: ntpdoctor analyze FILE... [--json] [--local-ip IP]...   (FILE may be - for stdin)';

const analyze: Command = async (argv, io) => {
  const args = parseArgs(argv, {
    options: { json: 'boolean', 'local-ip': 'string[]', 'no-color': 'boolean' },
    minPositionals: 1,
    usage: USAGE,
  });
  const report = await analyzeCaptures(args.positionals, { localIps: list(args.values['local-ip']) });
  io.stdout(args.values.json ? renderJson(report) : renderText(report, { color: io.isTTY && !args.values['no-color'] }));
  for (const input of report.inputs) {
    const stop = input.stop as { kind: string; offset: number; frame: number; reason: string } | undefined;
    if (stop) io.stderr(`ntpdoctor: ${input.name}: ${stop.kind} at byte ${stop.offset} (frame ${stop.frame}): ${stop.reason}; analysed the ${Number(input.frames)} frames before it\n`);
  }
  return exitStatus(report);
};

export default analyze;
