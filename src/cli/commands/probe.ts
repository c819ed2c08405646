import { exitStatus } from '../../diagnose/report.js';
import { collectProbe, droppedReason, PROBE_DEFAULTS } from '../../run/probe.js';
import { renderTranscript } from '../../render/transcript.js';
import { toTerminal } from '../../render/terminal.js';
import { renderText } from '../../render/text.js';
import { findingFilters } from '../../render/text-options.js';
import { family, num } from '../args.js';
import type { CliCommand } from '../io.js';

/** probe HOST[:PORT] (definition.ts): counts, timeouts and the version are range-checked by the parser. */
const probe: CliCommand = async ({ args, opts }, out) => {
  const fam = family(opts);
  const run = await collectProbe(args[0] as string, {
    samples: num(opts.count) ?? PROBE_DEFAULTS.samples,
    timeout: num(opts.timeout) ?? PROBE_DEFAULTS.timeout,
    interval: num(opts.interval) ?? PROBE_DEFAULTS.interval,
    version: num(opts['ntp-version']) ?? 4,
    ...(fam !== undefined ? { family: fam } : {}),
  });
  if (opts.json) {
    out.json(run.report);
  } else {
    const filters = findingFilters(opts);
    // -q: the findings alone, as analyze -q (the transcript is the probe's "inputs").
    for (const p of filters.quiet ? [] : run.probes) {
      const dropped = droppedReason(run.report.findings, p.address);
      out.text(renderTranscript(p, { host: run.host, ...(dropped ? { dropped } : {}) }), toTerminal(['']));
    }
    out.text(renderText(run.report, { color: out.color, ...filters }));
  }
  return exitStatus(run.report);
};

export default probe;
