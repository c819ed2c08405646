/** The trace's own lines (`trace HOST`), before the report: one per hop, then the verdict. */
import { traceFailed, type TraceChain } from '../probe/trace.js';
import { toTerminal, type TerminalString } from './terminal.js';

/** Refids and mode 6 values are the servers' bytes: the lines go through the terminal sanitizer. */
export function renderTrace(t: Pick<TraceChain, 'host' | 'hops' | 'end' | 'summary' | 'complete'>): TerminalString {
  const lines = [`trace ${t.host}: ${t.hops.length} hop${t.hops.length === 1 ? '' : 's'}`];
  t.hops.forEach((h, i) => {
    const st = h.stratum !== undefined ? `stratum ${h.stratum}` : 'no answer';
    const leap = h.leap !== undefined ? `, leap ${h.leap.toString(2).padStart(2, '0')}` : '';
    const ref = h.refidText !== undefined ? `, refid ${h.refidText || '-'}` : '';
    const how = h.via === 'mode6' ? (h.upstream === h.control?.systemPeer ? 'mode 6 system peer' : 'mode 6 source') : 'from refid';
    const up = h.upstream ? ` → ${h.upstream} (${how})` : '';
    const c = h.control;
    const m6 = h.mode6
      ? `; mode 6: stratum ${c?.stratum ?? '?'}, refid ${c?.refid ?? '?'}` +
        (c?.systemPeer ? `, system peer ${c.systemPeer}` : '') +
        (h.peers?.length ? `, sources ${h.peers.join(', ')}` : '')
      : '';
    lines.push(`  ${i + 1}. ${h.address}:${h.port}  ${st}${leap}${ref}${up}${m6}`);
    if (h.partial) lines.push(`     partial: ${h.partial}`);
  });
  lines.push(verdictLine(t));
  return toTerminal(lines);
}

/** The verdict alone (`trace -q`): ok, FAIL or INCOMPLETE and the summary. */
export function renderTraceVerdict(t: Pick<TraceChain, 'end' | 'summary' | 'complete'>): TerminalString {
  return toTerminal([verdictLine(t)]);
}

function verdictLine(t: Pick<TraceChain, 'end' | 'summary' | 'complete'>): string {
  const verdict = !t.complete ? 'INCOMPLETE' : traceFailed(t.end) ? 'FAIL' : 'ok';
  return `${verdict}: ${t.summary}`;
}
