import { exitStatus } from '../../diagnose/report.js';
import { InputError } from '../../errors.js';
import { collectProbe, droppedReason, PROBE_DEFAULTS } from '../../run/probe.js';
import { renderTranscript } from '../../render/transcript.js';
import { toTerminal } from '../../render/terminal.js';
import { renderText } from '../../render/text.js';
import { num, parseArgs } from '../args.js';
import type { CliCommand } from '../io.js';

const USAGE =
  'usage: ntpdoctor probe HOST[:PORT] [--samples N] [--timeout S] [--interval S] [--ntp-version 3|4] [--json]';

const probe: CliCommand = async (argv, out) => {
  const args = parseArgs(argv, {
    options: { samples: 'number', timeout: 'number', interval: 'number', 'ntp-version': 'number', json: 'boolean', 'no-color': 'boolean' },
    alias: { n: 'samples', t: 'timeout' },
    minPositionals: 1,
    maxPositionals: 1,
    usage: USAGE,
  });
  const samples = num(args.values.samples) ?? PROBE_DEFAULTS.samples;
  const timeout = num(args.values.timeout) ?? PROBE_DEFAULTS.timeout;
  const interval = num(args.values.interval) ?? PROBE_DEFAULTS.interval;
  const version = num(args.values['ntp-version']) ?? 4;
  if (!Number.isInteger(samples) || samples < 1 || samples > 64) throw new InputError('--samples must be 1..64');
  if (!(timeout > 0 && timeout <= 60)) throw new InputError('--timeout must be in (0, 60] seconds');
  if (!(interval >= 0 && interval <= 1024)) throw new InputError('--interval must be in [0, 1024] seconds');
  if (version !== 3 && version !== 4) throw new InputError('--ntp-version must be 3 or 4');
  const run = await collectProbe(args.positionals[0] as string, { samples, timeout, interval, version });
  if (args.values.json) {
    out.json(run.report);
  } else {
    for (const p of run.probes) {
      const dropped = droppedReason(run.report.findings, p.address);
      out.text(renderTranscript(p, { host: run.host, ...(dropped ? { dropped } : {}) }), toTerminal(['']));
    }
    out.text(renderText(run.report, { color: out.isTTY && !args.values['no-color'] }));
  }
  return exitStatus(run.report);
};

export default probe;
