import { exitStatus } from '../../diagnose/report.js';
import { lintConfig } from '../../inspect/diagnose.js';
import { renderText } from '../../render/text.js';
import { list, str } from '../args.js';
import type { Command } from '../io.js';

/** The config rules alone on one file: exit 0 clean (info at most), 1 findings at warning or worse, 2 unreadable. */
const lint: Command = async ({ args, opts }, out) => {
  // The parser allows ntpd or chrony only (definition.ts).
  const flavor = str(opts.flavor) as 'ntpd' | 'chrony' | undefined;
  const report = await lintConfig(args[0] as string, {
    localIps: list(opts['local-ip']),
    ...(flavor ? { flavor } : {}),
  });
  if (opts.json) out.json(report);
  else out.text(renderText(report, { color: out.color }));
  return exitStatus(report);
};

export default lint;
