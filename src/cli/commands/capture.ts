import { captureLive } from '../../run/live-capture.js';
import type { BackendChoice } from '../../capture/live/open.js';
import { exitStatus } from '../../diagnose/report.js';
import { InputError } from '../../errors.js';
import { renderText } from '../../render/text.js';
import { TEXT_ALIASES, TEXT_OPTIONS, textOptions } from '../../render/text-options.js';
import { list, num, parseArgs, str } from '../args.js';
import type { CliCommand } from '../io.js';

const USAGE =
  'usage: ntpdoctor capture [-i IF] [--duration S] [--filter-host ADDR] [--write FILE] [--backend auto|cap|tcpdump] [--local-ip IP]... [--json]';

const BACKENDS: readonly BackendChoice[] = ['auto', 'cap', 'tcpdump'];

const capture: CliCommand = async (argv, out) => {
  const args = parseArgs(argv, {
    options: {
      interface: 'string',
      duration: 'number',
      'filter-host': 'string',
      write: 'string',
      backend: 'string',
      'local-ip': 'string[]',
      json: 'boolean',
      'no-color': 'boolean',
      ...TEXT_OPTIONS,
    },
    alias: { i: 'interface', w: 'write', ...TEXT_ALIASES },
    maxPositionals: 0,
    usage: USAGE,
  });
  const backend = (str(args.values.backend) ?? process.env.NTPDOCTOR_CAPTURE_BACKEND ?? 'auto') as BackendChoice;
  if (!BACKENDS.includes(backend)) throw new InputError(`--backend: one of ${BACKENDS.join(', ')}, not ${backend}`);
  const localIps = list(args.values['local-ip']);
  const duration = num(args.values.duration);
  const device = str(args.values.interface);
  const filterHost = str(args.values['filter-host']);
  const writePath = str(args.values.write);

  // Ctrl-C (and a plain kill) ends the capture, and the packets seen so far are still judged and reported.
  // Once only: a second Ctrl-C gets Node's default and ends the process at once.
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const { report } = await captureLive({
      backend,
      signal: stop.signal,
      notice: (line) => out.notice(line),
      ...(device !== undefined ? { device } : {}),
      ...(duration !== undefined ? { durationSeconds: duration } : {}),
      ...(filterHost !== undefined ? { filterHost } : {}),
      ...(writePath !== undefined ? { writePath } : {}),
      ...(localIps.length ? { localIps } : {}),
    });
    if (args.values.json) out.json(report);
    else out.text(renderText(report, textOptions(args.values, { isTTY: out.isTTY }, out.isTTY && !args.values['no-color'])));
    return exitStatus(report);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
};

export default capture;
