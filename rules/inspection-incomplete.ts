import { defineRule } from '../src/diagnose/define.js';
import type { Hit } from '../src/diagnose/types.js';
import { note } from './_lib/evidence.js';
import { draft, ranked, words } from './_lib/fixes.js';

/**
 * What the node inspection could not see, and why (not root, a tool missing, a daemon not answering), so a
 * short report is not mistaken for a clean one.
 */
export default defineRule({
  meta: {
    id: 'inspection-incomplete',
    summary: 'Part of this node could not be inspected (not root, tool missing, no answer): the report may miss a cause',
    severity: 'info',
    confidence: 1,
    priority: 99,
    why:
      'Reading the firewall (nft, iptables-save) needs CAP_NET_ADMIN, other users\' config files and processes may be ' +
      'hidden, and a daemon may refuse queries (restrict noquery, chronyc without access). What was not seen cannot be ' +
      'judged: each gap is listed with its reason.',
    references: ['nft(8)', 'iptables-save(8)', 'proc(5) (hidepid)', 'chronyc(1) (-h, cmdallow)', 'ntp_acc(5) (noquery)'],
  },
  match(ctx) {
    const gaps = ctx.of('inspection-gap');
    if (gaps.length === 0) return [];
    const needRoot = gaps.some((g) => /root|privilege|permission/i.test(g.why));
    const hit: Hit = {
      subject: 'this node',
      title: `Not everything could be inspected: ${[...new Set(gaps.map((g) => g.area))].join(', ')}`,
      evidence: gaps.map((g) => note(`${g.area}: ${g.what}: ${g.why}`)),
      fixes: needRoot ? ranked([draft('generic', 'Run the diagnosis as root to see the firewall, every config file and every process', [words('sudo ntpdoctor diagnose')], words('sudo ntpdoctor diagnose'), 'this finding gone or shorter')]) : [],
    };
    return [hit];
  },
});
