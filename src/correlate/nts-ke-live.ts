/**
 * NTS-KE sessions for a live view (the TUI's capture pane, `capture`'s status lines): the tracker (./nts-ke.ts)
 * reports each connection it changed; this groups them by client ↔ server:port as src/observe/nts-ke.ts does at
 * the end, and sends an update only when a session gains a connection or its outcome changes — a TLS record or an
 * ACK that changes nothing sends nothing. Bounded by the tracker's MAX_KE_CONNECTIONS: it never sees more.
 * Only a live run sets it (`AnalyzeOptions.onKeSession`); a capture file's analysis never pays for it.
 */
import type { NtsKeConnection, NtsKeConnectionOutcome, NtsKeSessionUpdate } from '../model/nts-wire.js';
import { connectionOutcome } from './nts-ke.js';

interface Session {
  /** The update last sent, as text: a change that leaves the summary as it was (a retry's outcome repeating the
   * last one's) sends nothing. */
  sent: string;
  /** Its connections in the order they began, with the outcome last reported for each. */
  conns: NtsKeConnection[];
  outcomes: NtsKeConnectionOutcome[];
}

export class NtsKeLive {
  private readonly sessions = new Map<string, Session>();
  /** Each connection's session and index in it. */
  private readonly where = new Map<NtsKeConnection, { s: Session; i: number }>();

  constructor(private readonly emit: (s: NtsKeSessionUpdate) => void) {}

  /** A connection the tracker just changed (a segment or an ICMP error of it). */
  changed(c: NtsKeConnection): void {
    const outcome = connectionOutcome(c);
    let at = this.where.get(c);
    if (at === undefined) {
      const key = `${c.client} ${c.server} ${c.serverPort}`;
      let s = this.sessions.get(key);
      if (s === undefined) {
        s = { sent: '', conns: [], outcomes: [] };
        this.sessions.set(key, s);
      }
      s.conns.push(c);
      s.outcomes.push(outcome);
      at = { s, i: s.conns.length - 1 };
      this.where.set(c, at);
    } else if (at.s.outcomes[at.i] === outcome) {
      return;
    } else {
      at.s.outcomes[at.i] = outcome;
    }
    const u = this.summary(at.s);
    const text = `${u.connections} ${u.outcome} ${u.resetBy ?? ''} ${u.icmp ? `${u.icmp.type}/${u.icmp.code}` : ''}`;
    if (text === at.s.sent) return;
    at.s.sent = text;
    this.emit(u);
  }

  /**
   * The session as src/observe/nts-ke.ts would judge it now: its last connection that came to something. While the
   * capture runs, a SYN with nothing back is pending, not yet 'no-answer' (the next frame may be the RST): a retry's
   * fresh SYN does not hide the refusal before it.
   */
  private summary(s: Session): NtsKeSessionUpdate {
    let i = s.conns.length - 1;
    while (i >= 0 && (s.outcomes[i] === 'open' || s.outcomes[i] === 'no-answer')) i--;
    if (i < 0) i = s.conns.length - 1;
    const c = s.conns[i] as NtsKeConnection;
    const u: NtsKeSessionUpdate = { client: c.client, server: c.server, port: c.serverPort, connections: s.conns.length, outcome: s.outcomes[i] as NtsKeConnectionOutcome };
    if (c.reset !== undefined && (u.outcome === 'refused' || u.outcome === 'reset')) u.resetBy = c.reset.by;
    if (c.icmp !== undefined && u.outcome === 'icmp') u.icmp = { version: c.icmp.version, type: c.icmp.type, code: c.icmp.code };
    return u;
  }
}
