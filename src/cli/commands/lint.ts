import { rules } from '../../../rules/index.js';
import { exitStatus } from '../../diagnose/report.js';
import { InputError } from '../../errors.js';
import { lintSuppressions } from '../../lint/apply.js';
import { renderGcc } from '../../lint/gcc.js';
import { buildSarif } from '../../lint/sarif.js';
import { renderSuppressionText } from '../../lint/text.js';
import { renderText } from '../../render/text.js';
import { findingFilters } from '../../render/text-options.js';
import { lintConfig } from '../../run/lint.js';
import { list, str } from '../args.js';
import type { CliCommand } from '../io.js';

type Format = 'text' | 'gcc' | 'json' | 'sarif';

/**
 * The config rules alone on one file: exit 0 clean (info at most), 1 findings at warning or worse, 2 unreadable.
 * `# ntpdoctor: ignore RULE -- reason` comments silence findings, which are listed as suppressed (src/lint/).
 */
const lint: CliCommand = async ({ args, opts }, out) => {
  // The parser allows ntpd or chrony only, and text|gcc|json|sarif for --format (definition.ts).
  const flavor = str(opts.flavor) as 'ntpd' | 'chrony' | undefined;
  const formatText = str(opts.format) as Format | undefined;
  if (opts.json && formatText !== undefined && formatText !== 'json') throw new InputError(`--json and --format ${formatText} disagree (see ntpdoctor lint --help)`);
  const format: Format = opts.json ? 'json' : (formatText ?? 'text');
  const file = args[0] as string;
  const report = await lintConfig(file, {
    localIps: list(opts['local-ip']),
    ...(flavor ? { flavor } : {}),
  });
  const result = await lintSuppressions(report, file, new Set(rules.map((r) => r.meta.id)));
  if (format === 'json') out.json(result.report);
  else if (format === 'sarif') out.json(buildSarif(result, file, rules.map((r) => r.meta)));
  else if (format === 'gcc') out.text(renderGcc(result, file));
  else out.text(renderText(result.report, { color: out.color, ...findingFilters(opts) }), renderSuppressionText(result));
  return exitStatus(result.report);
};

export default lint;
