import { defineRule } from '../src/diagnose/define.js';
import type { Evidence, Hit } from '../src/diagnose/types.js';
import { note } from './_lib/evidence.js';
import type { Command } from '../src/shell/command.js';
import { appendToLine } from '../src/shell/sed.js';
import { appendLine, draft, ranked, words } from './_lib/fixes.js';
import { lineEvidence, platformOf, restartOf } from './_lib/node.js';

/**
 * ntpd answers mode 6 (ntpq) and, classic ntpd, mode 7 (ntpdc, monlist) queries from anywhere: the default
 * restrict entry lacks `noquery` (or there is none). With the monitor on (no `disable monitor`), monlist is the
 * CVE-2013-5211 amplifier. The seed's final config has both guards; its first one had neither.
 */
export default defineRule({
  meta: {
    id: 'noquery-missing',
    summary: 'ntpd answers ntpq/ntpdc queries (mode 6/7) from anywhere: no `noquery` on `restrict default`',
    severity: 'warning',
    confidence: 0.8,
    priority: 62,
    why:
      'Without `noquery` on the default restrict entry ntpd answers control (mode 6, ntpq) and, in classic ntpd, ' +
      'private (mode 7, ntpdc) queries from any address. Mode 7 `monlist` returns up to 600 addresses for one small ' +
      'request: the reflection/amplification attack of CVE-2013-5211, unless the monitor is off (`disable monitor`). ' +
      'NTPsec has no mode 7, but mode 6 still reveals the configuration and peers.',
    references: ['ntp_acc(5) (restrict ... noquery)', 'ntp_misc(5) (disable monitor)', 'CVE-2013-5211', 'RFC 9327 (mode 6)', 'RFC 8633 §4.6'],
  },
  match(ctx) {
    const hits: Hit[] = [];
    for (const o of ctx.of('ntpd-config')) {
      const open = o.defaultAccess.filter((a) => !a.flags.includes('noquery') && !a.flags.includes('ignore'));
      if (open.length === 0) continue;
      const monitorOff = o.config.disabled.find((d) => d.flag === 'monitor');
      const classic = o.variant !== 'ntpsec';
      const evidence: Evidence[] = open.map((a) =>
        a.by ? lineEvidence(a.by, `\`${a.by.text}\`: the IPv${a.family} default has no noquery`) : note(`No \`restrict${a.family === 6 ? ' -6' : ''} default\` line: IPv${a.family} queries are unrestricted`),
      );
      if (classic) evidence.push(monitorOff ? lineEvidence(monitorOff, '`disable monitor`: monlist has nothing to amplify') : note('No `disable monitor`: classic ntpd answers mode 7 monlist (CVE-2013-5211 amplification)'));
      const commands: Command[] = [];
      const edited = new Set<string>();
      for (const a of open) {
        if (a.by) {
          // One `restrict default` line can stand for both families: edit it once.
          if (!edited.has(`${a.by.file}:${a.by.line}`)) commands.push(appendToLine(a.by.file, a.by.line, 'noquery'));
          edited.add(`${a.by.file}:${a.by.line}`);
        } else {
          commands.push(appendLine(o.config.file, `restrict${a.family === 6 ? ' -6' : ' -4'} default kod nomodify notrap nopeer noquery`));
        }
      }
      // The new defaults close queries to localhost too: reopen it, unless a loopback restrict line is there already.
      if (open.some((a) => !a.by)) {
        for (const lo of ['127.0.0.1', '::1']) if (!o.config.restricts.some((r) => r.address === lo && !r.mask)) commands.push(appendLine(o.config.file, `restrict ${lo}`));
      }
      if (classic && !monitorOff) commands.push(appendLine(o.config.file, 'disable monitor'));
      commands.push(restartOf(o));
      const hit: Hit = {
        subject: o.config.file,
        title: `${o.config.file}: ntpd answers ntpq${classic ? '/ntpdc (monlist)' : ''} queries from any address`,
        evidence,
        fixes: ranked([draft(platformOf(o), `Close queries to the outside (localhost keeps ntpq)${classic && !monitorOff ? ', and switch the monitor off' : ''}`, commands, words('ntpq -pn 127.0.0.1'), 'still works locally; from outside, ntpdoctor probe shows no mode 6 answer')]),
      };
      if (!classic || monitorOff) {
        hit.severity = 'info';
        hit.confidence = 0.6;
      }
      hits.push(hit);
    }
    return hits;
  },
});
