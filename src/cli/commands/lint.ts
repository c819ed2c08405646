import { rules } from '../../../rules/index.js';
import { exitStatus } from '../../diagnose/report.js';
import { InputError } from '../../errors.js';
import { lintConfig } from '../../run/lint.js';
import { lintSuppressions } from '../../lint/apply.js';
import { renderGcc } from '../../lint/gcc.js';
import { buildSarif } from '../../lint/sarif.js';
import { renderSuppressionText } from '../../lint/text.js';
import { renderText } from '../../render/text.js';
import { list, parseArgs, str } from '../args.js';
import type { CliCommand } from '../io.js';

const USAGE =
  'usage: ntpdoctor lint FILE [--flavor ntpd|chrony] [--local-ip IP]... [--format text|gcc|json|sarif] [--json]   (ntp.conf or chrony.conf)\n' +
  '  --format gcc: FILE:LINE:COL: SEVERITY: MESSAGE [RULE]; json: the report (= --json); sarif: SARIF 2.1.0\n' +
  '  silence a rule with a comment: # ntpdoctor: ignore RULE-ID -- reason   (on the line above a directive, after it\n' +
  '  (ntpd only), or at the top of the file followed by a blank line for the whole file); suppressed findings are listed';

const FORMATS = ['text', 'gcc', 'json', 'sarif'] as const;
type Format = (typeof FORMATS)[number];

/** The config rules alone on one file: exit 0 clean (info at most), 1 findings at warning or worse, 2 unreadable. */
const lint: CliCommand = async (argv, out) => {
  const args = parseArgs(argv, {
    options: { json: 'boolean', flavor: 'string', 'local-ip': 'string[]', 'no-color': 'boolean', format: 'string' },
    alias: { f: 'format' },
    minPositionals: 1,
    maxPositionals: 1,
    usage: USAGE,
  });
  const flavor = str(args.values.flavor);
  if (flavor !== undefined && flavor !== 'ntpd' && flavor !== 'chrony') throw new InputError(`--flavor must be ntpd or chrony, not '${flavor}' (see ntpdoctor lint --help)`);
  const formatText = str(args.values.format);
  if (formatText !== undefined && !(FORMATS as readonly string[]).includes(formatText)) {
    throw new InputError(`--format must be one of ${FORMATS.join(', ')}, not '${formatText}' (see ntpdoctor lint --help)`);
  }
  if (args.values.json && formatText !== undefined && formatText !== 'json') throw new InputError(`--json and --format ${formatText} disagree (see ntpdoctor lint --help)`);
  const format: Format = args.values.json ? 'json' : ((formatText as Format | undefined) ?? 'text');
  const file = args.positionals[0] as string;
  const report = await lintConfig(file, {
    localIps: list(args.values['local-ip']),
    ...(flavor ? { flavor } : {}),
  });
  const result = await lintSuppressions(report, file, new Set(rules.map((r) => r.meta.id)));
  if (format === 'json') out.json(result.report);
  else if (format === 'sarif') out.json(buildSarif(result, file, rules.map((r) => r.meta)));
  else if (format === 'gcc') out.text(renderGcc(result, file));
  else out.text(renderText(result.report, { color: out.isTTY && !args.values['no-color'] }), renderSuppressionText(result));
  return exitStatus(result.report);
};

export default lint;
