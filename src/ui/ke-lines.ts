/**
 * The NTS-KE part of the live capture pane and of the capture's summary line (pure; tested as data in
 * test/ui/ke-pane.test.ts): a capture of an NTS client that never got its cookies has no NTP exchange at all, so
 * the pane must show the key exchanges, and never read as if nothing was seen.
 */
import type { CapturePane } from './state.js';
import { plain, textWidth, truncate, type Line } from './text.js';

/** Sessions seen: the rows kept and those only counted. */
export function keSessions(pane: CapturePane): number {
  return (pane.ke?.length ?? 0) + (pane.otherKe?.length ?? 0);
}

/** ' · 2 NTS-KE sessions' for the pane's title ('' when none). */
export function keTitle(pane: CapturePane): string {
  const n = keSessions(pane);
  return n ? ` · ${n} NTS-KE session${n === 1 ? '' : 's'}` : '';
}

/**
 * ', NTS-KE 198.51.100.1:4460 refused (RST from server), 3 tries' for the summary line above the findings when
 * there is one session; ', 3 NTS-KE sessions (2 failing)' for several; '' for none.
 */
export function keSummary(pane: CapturePane): string {
  const n = keSessions(pane);
  const rows = pane.ke ?? [];
  const only = rows[0];
  if (n === 1 && only) return `, NTS-KE ${only.server} ${only.outcome}, ${only.tries} ${only.tries === 1 ? 'try' : 'tries'}`;
  if (n === 0) return '';
  const failing = rows.filter((r) => !r.ok).length;
  return `, ${n} NTS-KE sessions${failing ? ` (${failing}${pane.otherKe?.length ? '+' : ''} failing)` : ''}`;
}

/** One line per kept session, at most `max` lines (the last one says how many more when they do not fit). */
export function keLines(pane: CapturePane, width: number, max: number): Line[] {
  const rows = pane.ke ?? [];
  const n = keSessions(pane);
  if (max <= 0 || n === 0) return [];
  const shown = n > max ? Math.max(0, max - 1) : n;
  const out: Line[] = rows.slice(0, shown).map((r) => {
    // The outcome and the tries whole; the addresses take what is left (cut with '…' on a narrow terminal).
    const tail = `${r.outcome}, ${r.tries} ${r.tries === 1 ? 'try' : 'tries'}`;
    const room = width - 8 - textWidth(tail);
    const both = `${r.client} → ${r.server}`;
    const head = `NTS-KE ${textWidth(both) <= room ? both : truncate(r.server, Math.max(4, room))} `;
    return [
      { text: head, tone: 'dim' },
      { text: r.outcome, tone: r.ok ? 'ok' : 'error' },
      { text: `, ${r.tries} ${r.tries === 1 ? 'try' : 'tries'}` },
    ];
  });
  if (shown < n) out.push(plain(`  … ${n - shown} more NTS-KE session${n - shown === 1 ? '' : 's'}`, { tone: 'dim' }));
  return out;
}

/** The offset line when no exchange has come yet: with key exchanges seen, it says NTP has not followed (yet). */
export function noExchangeText(pane: CapturePane): string {
  return keSessions(pane) ? '  no NTP exchange yet (NTS-KE only so far)' : '  no exchange yet';
}
