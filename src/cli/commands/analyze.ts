import { writeFile } from 'node:fs/promises';
import { analyzeCaptures } from '../../analyze.js';
import { exitStatus } from '../../diagnose/report.js';
import { PlotCollector } from '../../render/plot/collect.js';
import { plotSvg } from '../../render/plot/svg.js';
import { TEXT_ALIASES, TEXT_OPTIONS, textOptions } from '../../render/text-options.js';
import { InputError } from '../../errors.js';
import { list, num, parseArgs, str } from '../args.js';
import type { Command } from '../io.js';

const USAGE =
  'usage: ntpdoctor analyze FILE... [--json] [--local-ip IP]... [--threads N] [--min-severity info|warning|error] [-q|--quiet] [--plot FILE.svg]   (FILE may be - for stdin)';

const analyze: Command = async (argv, out) => {
  const args = parseArgs(argv, {
    options: { json: 'boolean', 'local-ip': 'string[]', 'no-color': 'boolean', threads: 'number', plot: 'string', ...TEXT_OPTIONS },
    alias: { ...TEXT_ALIASES },
    minPositionals: 1,
    usage: USAGE,
  });
  const text = textOptions(args.values, { isTTY: out.isTTY }, out.isTTY && !args.values['no-color']);
  const threads = num(args.values.threads);
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1 || threads > 64)) {
    throw new InputError(`option --threads: a whole number from 1 to 64, not ${threads}`);
  }
  const plotFile = str(args.values.plot);
  // The plot needs every exchange, not the report's sample: they stream to it (analysis then on one thread).
  const plot = plotFile !== undefined ? new PlotCollector() : undefined;
  const report = await analyzeCaptures(args.positionals, {
    localIps: list(args.values['local-ip']),
    ...(threads !== undefined ? { threads } : {}),
    ...(plot ? { onExchange: (x) => plot.add(x) } : {}),
  });
  if (plot && plotFile !== undefined) {
    const svg = plotSvg({ series: plot.series(), others: plot.others, sources: args.positionals.map((f) => (f === '-' ? 'stdin' : f)) });
    await writeFile(plotFile, svg).catch((err: NodeJS.ErrnoException) => {
      throw new InputError(`--plot: cannot write ${plotFile}: ${err.code ?? err.message}`);
    });
  }
  if (args.values.json) out.json(report);
  else {
    // Loaded only for text: its width measure (string-width) costs ~35 ms of CPU to load, for nothing under --json.
    const { renderText } = await import('../../render/text.js');
    out.text(renderText(report, text));
  }
  for (const input of report.inputs) {
    const stop = input.stop as { kind: string; offset: number; frame: number; reason: string } | undefined;
    if (stop) out.notice(`${input.name}: ${stop.kind} at byte ${stop.offset} (frame ${stop.frame}): ${stop.reason}; analysed the ${Number(input.frames)} frames before it`);
  }
  return exitStatus(report);
};

export default analyze;
