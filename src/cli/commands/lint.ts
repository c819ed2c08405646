import { exitStatus } from '../../diagnose/report.js';
import { InputError } from '../../errors.js';
import { lintConfig } from '../../run/lint.js';
import { renderText } from '../../render/text.js';
import { list, parseArgs, str } from '../args.js';
import type { CliCommand } from '../io.js';

const USAGE = 'usage: ntpdoctor lint FILE [--flavor ntpd|chrony] [--local-ip IP]... [--json]   (ntp.conf or chrony.conf)';

/** The config rules alone on one file: exit 0 clean (info at most), 1 findings at warning or worse, 2 unreadable. */
const lint: CliCommand = async (argv, out) => {
  const args = parseArgs(argv, {
    options: { json: 'boolean', flavor: 'string', 'local-ip': 'string[]', 'no-color': 'boolean' },
    minPositionals: 1,
    maxPositionals: 1,
    usage: USAGE,
  });
  const flavor = str(args.values.flavor);
  if (flavor !== undefined && flavor !== 'ntpd' && flavor !== 'chrony') throw new InputError(`--flavor must be ntpd or chrony, not '${flavor}' (see ntpdoctor lint --help)`);
  const report = await lintConfig(args.positionals[0] as string, {
    localIps: list(args.values['local-ip']),
    ...(flavor ? { flavor } : {}),
  });
  if (args.values.json) out.json(report);
  else out.text(renderText(report, { color: out.isTTY && !args.values['no-color'] }));
  return exitStatus(report);
};

export default lint;
