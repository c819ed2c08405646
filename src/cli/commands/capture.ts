import { captureLive } from '../../run/live-capture.js';
import { keNotices } from '../../run/ke-notices.js';
import type { BackendChoice } from '../../capture/live/open.js';
import { exitStatus } from '../../diagnose/report.js';
import { InputError } from '../../errors.js';
import { renderText } from '../../render/text.js';
import { textOptions } from '../../render/text-options.js';
import { list, num, str } from '../args.js';
import type { CliCommand } from '../io.js';

const BACKENDS: readonly BackendChoice[] = ['auto', 'cap', 'tcpdump'];

const capture: CliCommand = async ({ opts }, out) => {
  // The environment's backend is checked here: the parser checked --backend's choices already.
  const backend = (str(opts.backend) ?? process.env.NTPDOCTOR_CAPTURE_BACKEND ?? 'auto') as BackendChoice;
  if (!BACKENDS.includes(backend)) throw new InputError(`--backend: one of ${BACKENDS.join(', ')}, not ${backend}`);
  const localIps = list(opts['local-ip']);
  const duration = num(opts.duration);
  const device = str(opts.interface);
  const filterHost = str(opts['filter-host']);
  const writePath = str(opts.write);

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
      // Key exchanges as they go (NTS-KE on TCP 4460): a capture of a failing NTS client shows them before the report.
      onKeSession: keNotices((line) => out.notice(line)),
      ...(device !== undefined ? { device } : {}),
      ...(duration !== undefined ? { durationSeconds: duration } : {}),
      ...(filterHost !== undefined ? { filterHost } : {}),
      ...(writePath !== undefined ? { writePath } : {}),
      ...(localIps.length ? { localIps } : {}),
    });
    if (opts.json) out.json(report);
    else out.text(renderText(report, textOptions(opts, { isTTY: out.isTTY, columns: out.columns }, out.color)));
    return exitStatus(report);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
};

export default capture;
