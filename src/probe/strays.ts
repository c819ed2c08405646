/**
 * Transcript lines for the datagrams a request drew that the client threw away (src/probe/client.ts `strays`):
 * a bogus-origin datagram before the answer, a flood after it, junk that is no NTP packet at all. ntpdate -d
 * prints nothing for these; chronyd logs them only at debug level. Pure: data in, text out; the caller escapes
 * for the terminal like every other transcript line.
 */
import type { AddressProbe, ProbeSample, StrayRecord } from './client.js';

/** Same-reason strays after the answer are folded into one line past this many. */
const LISTED = 3;

function describe(s: StrayRecord): string {
  const what = s.mode === 4 && s.stratum !== undefined ? `mode 4, stratum ${s.stratum}` : s.mode !== undefined ? `mode ${s.mode}` : 'empty';
  return `${s.length} octets, ${what}: ${s.failed.join(', ') || 'not taken'}`;
}

export function strayLines(p: AddressProbe, s: ProbeSample): string[] {
  const who = p.address;
  const strays = s.strays ?? [];
  const lines: string[] = [];
  for (const x of strays.filter((d) => d.when === 'before')) {
    lines.push(`discard(${who})   sample ${s.index}: ${describe(x)} (RFC 5905 §8; waited on for the real answer)`);
  }
  const after = strays.filter((d) => d.when === 'after');
  after.slice(0, LISTED).forEach((x) => lines.push(`discard(${who})   sample ${s.index}: after the answer: ${describe(x)}`));
  const more = after.length - Math.min(after.length, LISTED) + (s.straysDropped ?? 0);
  if (more > 0) lines.push(`discard(${who})   sample ${s.index}: ${more} more datagram${more === 1 ? '' : 's'} thrown away, not kept`);
  if (s.rejected?.length) lines.push(`  no sample from this answer: ${s.rejected.join(', ')} (RFC 5905 §8 tests 6, 7, A–D)`);
  return lines;
}
