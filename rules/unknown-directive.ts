import { defineRule } from '../src/diagnose/define.js';
import type { Hit } from '../src/diagnose/types.js';
import { note } from './_lib/evidence.js';
import { cmd, draft, ranked, type Draft } from './_lib/fixes.js';
import { file, type Command } from '../src/shell/command.js';
import { commentOut, configs, daemonName, lineEvidence, platformOf, replaceDirective, restartOf, type ConfigObservation } from './_lib/node.js';

/** One finding per unknown line up to this many per config; the rest are counted in one more finding. */
const MAX_LISTED = 20;

/**
 * A directive the daemon does not know: a typo (`sever 10.0.0.1 iburst`) that the daemon handles worse than it
 * looks. chronyd refuses to start ("Invalid directive", conf.c CNF_ParseLine → LOG_FATAL); ntpd logs a syntax error
 * and runs without the line, so a misspelled server is simply not there. The known lists are complete per daemon
 * (src/inspect/config/directives.ts): a real config gives no finding.
 */
export default defineRule({
  meta: {
    id: 'unknown-directive',
    summary: 'A config line the daemon does not know (a typo): chronyd refuses to start, ntpd silently drops the line',
    severity: 'warning',
    confidence: 0.9,
    // Ahead of the findings a dropped line causes (local-clock-missing 18, single-upstream): the typo is the cause.
    priority: 13,
    why:
      'Each daemon accepts a fixed set of directives. chronyd stops at the first one it does not know ("Fatal error: ' +
      'Invalid directive ... at line N", chrony conf.c), so the service does not come up after the next restart. ' +
      'ntpd logs "syntax error in ntp.conf line N" and carries on without that line: a misspelled `server` is no ' +
      'server at all, and the findings that follow from a missing upstream are really this typo.',
    references: ['chrony.conf(5) (directives)', 'ntp.conf(5)', 'ntp_misc(5)', 'NTPsec ntp.conf(5)'],
  },
  match(ctx) {
    const hits: Hit[] = [];
    for (const o of configs(ctx)) {
      const unknown = o.unknownDirectives;
      const fatal = o.kind === 'chrony-config';
      for (const u of unknown.slice(0, MAX_LISTED)) {
        const d = { ...u.at, keyword: u.keyword };
        const guess = u.suggestion ? `: did you mean \`${u.suggestion}\`?` : '';
        const hit: Hit = {
          subject: `${d.file}:${d.line}`,
          title: `\`${d.keyword}\` (${d.file}:${d.line}) is not a directive ${daemonName(o)} knows${guess}`,
          evidence: [
            lineEvidence(d, `\`${d.text}\`: ${daemonName(o)} does not know \`${d.keyword}\`${guess}`),
            note(
              fatal
                ? `chronyd refuses to start with this line ("Fatal error : Invalid directive at line ${d.line} in file ${d.file}")`
                : `${daemonName(o)} logs a syntax error for line ${d.line} and runs without it`,
            ),
          ],
          fixes: ranked(fixesFor(o, d, u.suggestion)),
        };
        if (fatal) hit.severity = 'error';
        hits.push(hit);
      }
      if (unknown.length > MAX_LISTED) {
        const rest = unknown.slice(MAX_LISTED);
        const first = rest[0]!.at;
        hits.push({
          subject: o.config.file,
          title: `${rest.length} more lines in ${o.config.file} that ${daemonName(o)} does not know`,
          evidence: [lineEvidence(first, `\`${first.text}\` and ${rest.length - 1} more after it`)],
          fixes: ranked([draft(platformOf(o), 'Check the config as the daemon reads it and correct each line it rejects', [verifyOf(o)], verifyOf(o))]),
          ...(fatal ? { severity: 'error' as const } : {}),
        });
      }
    }
    return hits;
  },
});

function fixesFor(o: ConfigObservation, d: { file: string; line: number; text: string; keyword: string }, suggestion: string | undefined): Draft[] {
  const at = { file: d.file, line: d.line, text: d.text };
  const out: Draft[] = [];
  const verify = verifyOf(o);
  if (suggestion) {
    // Only the keyword changes; the arguments stay as written.
    const fixed = d.text.replace(/^\S+/, suggestion);
    out.push(draft(platformOf(o), `Correct the keyword: \`${fixed}\``, [replaceDirective(at, fixed), restartOf(o)], verify));
  }
  out.push(draft(platformOf(o), `Comment out line ${d.line} (the daemon ${o.kind === 'chrony-config' ? 'cannot start with it' : 'ignores it anyway'})`, [commentOut(at), restartOf(o)], verify));
  return out;
}

/** Read the config the way the daemon will: chronyd -p parses and prints it without running; ntpdoctor lint for ntpd. */
function verifyOf(o: ConfigObservation): Command {
  return o.kind === 'chrony-config' ? cmd('chronyd', '-p', '-f', file(o.config.file)) : cmd('ntpdoctor', 'lint', file(o.config.file));
}
