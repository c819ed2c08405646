/**
 * One NTS-KE session as the live views print it while a capture runs (src/model/nts-wire.ts NtsKeSessionUpdate):
 * 'NTS-KE 198.51.100.130 → 198.51.100.1:4460 refused (RST from server), 3 tries'. Plain text from decoded
 * addresses and numbers; the callers escape it as all outside text (the TUI's reducer, the CLI's notice).
 */
import type { NtsKeSessionUpdate } from '../model/nts-wire.js';

/** What the session's deciding connection came to, in words; `ok` only for a completed key exchange. */
export function keOutcomeText(u: NtsKeSessionUpdate): { text: string; ok: boolean } {
  const by = u.resetBy === 'client' ? 'client' : 'server';
  switch (u.outcome) {
    case 'no-answer':
      // Live, a SYN is pending until something comes back (the final verdict waits for the capture's end).
      return { text: 'no answer so far', ok: false };
    case 'refused':
      return { text: `refused (RST from ${by})`, ok: false };
    case 'icmp':
      return { text: u.icmp ? `ICMP${u.icmp.version === 6 ? 'v6' : ''} ${u.icmp.type}/${u.icmp.code}` : 'ICMP error', ok: false };
    case 'tls-alert':
      return { text: 'TLS alert', ok: false };
    case 'reset':
      return { text: `reset by ${by} after the handshake began`, ok: false };
    case 'completed':
      return { text: 'key exchange completed', ok: true };
    case 'open':
      return { text: 'open', ok: true };
  }
}

/** `server:port`, an IPv6 server in brackets. */
export function keServerText(u: Pick<NtsKeSessionUpdate, 'server' | 'port'>): string {
  return u.server.includes(':') ? `[${u.server}]:${u.port}` : `${u.server}:${u.port}`;
}

/** The one line: client → server:port, outcome, tries. */
export function keSessionLine(u: NtsKeSessionUpdate): string {
  const tries = `${u.connections} ${u.connections === 1 ? 'try' : 'tries'}`;
  return `NTS-KE ${u.client} → ${keServerText(u)} ${keOutcomeText(u).text}, ${tries}`;
}
