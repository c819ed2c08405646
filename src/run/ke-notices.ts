/**
 * `capture`'s (and `diagnose --capture`'s) status lines for NTS-KE while the capture runs: one line per session
 * update (a new try, a changed outcome: src/correlate/nts-ke-live.ts sends nothing else), at most MAX_KE_NOTICES in
 * all — a busy NTS server's capture would otherwise print one per client — then one line saying the report has the
 * rest. The final verdict per session is the report's (nts-ke-failure, the nts-ke-session observations).
 */
import type { NtsKeSessionUpdate } from '../model/nts-wire.js';
import { keSessionLine } from '../render/nts-ke-live.js';

export const MAX_KE_NOTICES = 20;

export function keNotices(notice: (line: string) => void, max = MAX_KE_NOTICES): (u: NtsKeSessionUpdate) => void {
  let printed = 0;
  let last = '';
  return (u) => {
    const line = keSessionLine(u);
    if (line === last) return;
    last = line;
    if (printed < max) notice(line);
    else if (printed === max) notice('more NTS-KE sessions and tries than shown here: the report lists every session');
    printed++;
  };
}
