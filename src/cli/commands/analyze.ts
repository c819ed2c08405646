import { analyzeCaptures } from '../../analyze.js';
import { exitStatus } from '../../diagnose/report.js';
import { renderText } from '../../render/text.js';
import { list, num } from '../args.js';
import type { Command } from '../io.js';

/** analyze FILE... (definition.ts): the options' kinds and ranges are checked by the parser. */
const analyze: Command = async ({ args, opts }, out) => {
  const threads = num(opts.threads);
  const report = await analyzeCaptures([...args], {
    localIps: list(opts['local-ip']),
    ...(threads !== undefined ? { threads } : {}),
  });
  if (opts.json) out.json(report);
  else out.text(renderText(report, { color: out.color }));
  for (const input of report.inputs) {
    const stop = input.stop as { kind: string; offset: number; frame: number; reason: string } | undefined;
    if (stop) out.notice(`${input.name}: ${stop.kind} at byte ${stop.offset} (frame ${stop.frame}): ${stop.reason}; analysed the ${Number(input.frames)} frames before it`);
  }
  return exitStatus(report);
};

export default analyze;
