import { writeFile } from 'node:fs/promises';
import { exitStatus } from '../../diagnose/report.js';
import { InputError } from '../../errors.js';
import type { PlotCollector } from '../../render/plot/collect.js';
import { textOptions } from '../../render/text-options.js';
import { analyzeCaptures } from '../../run/capture-file.js';
import { list, num, str } from '../args.js';
import type { CliCommand } from '../io.js';

/** analyze FILE... (definition.ts): the options' kinds and ranges are checked by the parser. */
const analyze: CliCommand = async ({ args, opts }, out) => {
  const threads = num(opts.threads);
  const text = textOptions(opts, { isTTY: out.isTTY, columns: out.columns }, out.color);
  const plotFile = str(opts.plot);
  // The plot needs every exchange, not the report's sample: they stream to it (analysis then on one thread).
  // Loaded only with --plot, like the text renderer below.
  const plot: PlotCollector | undefined = plotFile !== undefined ? new (await import('../../render/plot/collect.js')).PlotCollector() : undefined;
  const report = await analyzeCaptures([...args], {
    localIps: list(opts['local-ip']),
    ...(threads !== undefined ? { threads } : {}),
    ...(plot ? { onExchange: (x) => plot.add(x) } : {}),
  });
  if (plot && plotFile !== undefined) {
    const { plotSvg } = await import('../../render/plot/svg.js');
    const svg = plotSvg({ series: plot.series(), others: plot.others, sources: args.map((f) => (f === '-' ? 'stdin' : f)) });
    await writeFile(plotFile, svg).catch((err: NodeJS.ErrnoException) => {
      throw new InputError(`--plot: cannot write ${plotFile}: ${err.code ?? err.message}`);
    });
  }
  if (opts.json) out.json(report);
  else {
    // Loaded only for text: its width measure (string-width) costs ~35 ms of CPU to load, for nothing under --json.
    const { renderText } = await import('../../render/text.js');
    out.text(renderText(report, text));
  }
  for (const input of report.inputs) {
    const stop = 'stop' in input ? input.stop : undefined;
    if (stop && 'frames' in input) out.notice(`${input.name}: ${stop.kind} at byte ${stop.offset} (frame ${stop.frame}): ${stop.reason}; analysed the ${input.frames} frames before it`);
  }
  return exitStatus(report);
};

export default analyze;
