/**
 * nts-ke-failure's wire evidence: what the capture's TCP 4460 connections (`nts-ke-session` observations,
 * src/observe/nts-ke.ts) say about key establishment with one server. Sentences cite frames, ports, who reset and
 * counts; the cause is said only as far as the packets show it (TLS 1.3 encrypts the certificate and every alert
 * after the ServerHello).
 */
import type { Evidence } from '../../src/diagnose/types.js';
import type { NtsKeConnection } from '../../src/model/nts-wire.js';
import type { NtsKeSessionObservation } from '../../src/model/observation.js';
import { fact, note, plural } from './evidence.js';

/** The causes the packets can tell (a subset of nts-ke-failure's). */
export type WireCause = 'blocked' | 'timeout' | 'untrusted' | 'expired' | 'name' | 'not-nts-ke' | 'server-error' | 'no-ntp-after-ke';

export interface WireVerdict {
  failing: boolean;
  cause?: WireCause;
  evidence: Evidence[];
  weight: number;
}

/** RFC 8446 §6 AlertDescription names for the ones a failed NTS-KE shows. */
const ALERTS: Readonly<Record<number, string>> = {
  0: 'close_notify', 10: 'unexpected_message', 40: 'handshake_failure', 42: 'bad_certificate', 43: 'unsupported_certificate',
  44: 'certificate_revoked', 45: 'certificate_expired', 46: 'certificate_unknown', 48: 'unknown_ca', 50: 'decode_error',
  51: 'decrypt_error', 70: 'protocol_version', 80: 'internal_error', 112: 'unrecognized_name', 116: 'certificate_required',
  120: 'no_application_protocol',
};

function alertCause(description: number): WireCause {
  if (description === 45) return 'expired';
  if (description === 112) return 'name';
  if ([42, 43, 44, 46, 48, 116].includes(description)) return 'untrusted';
  return 'not-nts-ke';
}

/** The client ports of up to eight connections, then how many more. */
function ports(cs: readonly NtsKeConnection[]): string {
  const shown = cs.slice(0, 8).map((c) => c.clientPort).join(', ');
  return `client port${cs.length > 1 ? 's' : ''} ${shown}${cs.length > 8 ? ` and ${cs.length - 8} more` : ''}`;
}

/** The frames a sentence is about (the renderer prints them; texts carry none, rules/_lib/evidence.ts). */
function on(text: string, frames: number[]): Evidence {
  const sorted = [...new Set(frames)].sort((a, b) => a - b);
  return fact('capture', text, { count: sorted.length, frames: sorted.slice(0, 16) });
}

/** First and last frame of each connection. */
function ends(cs: readonly NtsKeConnection[]): number[] {
  return cs.flatMap((c) => [c.firstFrame, c.lastFrame]);
}

/** One client's session with the server, as sentences and a cause. */
function sessionVerdict(o: NtsKeSessionObservation): WireVerdict | undefined {
  const d = o.decisive;
  if (d === undefined || o.outcome === 'open') return undefined;
  const same = o.connections.filter((c) => c.outcome === d.outcome);
  const head = `TCP ${o.port} in the capture, ${o.client} → ${o.server}: ${plural(o.connections.length, 'connection')}`;
  const ev: Evidence[] = [];
  let cause: WireCause | undefined;
  switch (o.outcome) {
    case 'ok':
      return { failing: false, evidence: [on(`${head}; key establishment completed (${ports([d])}, ${d.bytesToClient} octets from the server), then ${plural(o.ntpRequests, 'NTP request')} to ${o.server}`, ends([d]))], weight: 0.9 };
    case 'refused':
      cause = 'blocked';
      ev.push(on(`${head}; ${plural(same.length, 'connection')} (${ports(same)}) answered by RST from ${o.server} straight after the SYN: nothing listens on TCP ${o.port} there, or a firewall rejects it with a TCP reset`, same.flatMap((c) => [c.firstFrame, c.reset?.frame ?? c.lastFrame])));
      break;
    case 'no-answer':
      cause = 'timeout';
      ev.push(on(`${head}; ${plural(same.reduce((n, c) => n + c.syns, 0), 'SYN')} (${ports(same)}) with no answer at all (no SYN-ACK, RST or ICMP error in the capture): a firewall on the path drops TCP ${o.port}, or the host is down`, ends(same)));
      break;
    case 'icmp': {
      cause = 'blocked';
      const i = d.icmp;
      const what = i ? `ICMP${i.version === 6 ? 'v6' : ''} type ${i.type} code ${i.code} from ${i.reporter}` : 'an ICMP error';
      ev.push(on(`${head}; ${same.length > 1 ? `${same.length} connections (${ports(same)}) each` : `the connection (${ports(same)})`} answered by ${what}: a firewall rejects TCP ${o.port}, or there is no route`, same.flatMap((c) => [c.firstFrame, ...(c.icmp ? [c.icmp.frame] : [])])));
      break;
    }
    case 'tls-alert': {
      const fromServer = d.tlsToClient.firstAlert !== undefined;
      const a = d.tlsToClient.firstAlert ?? d.tlsToServer.firstAlert;
      cause = a ? alertCause(a.description) : 'not-nts-ke';
      if (a) ev.push(on(`${head}; a TLS alert in clear from the ${fromServer ? 'server' : 'client'}: ${a.level === 2 ? 'fatal' : 'warning'} ${ALERTS[a.description] ?? 'alert'} (${a.description}), ${ports([d])}`, [a.frame]));
      break;
    }
    case 'reset-after-handshake': {
      const by = o.resetBy ?? 'client';
      const flight = `${d.tlsToClient.handshake} handshake and ${d.tlsToClient.applicationData} encrypted record(s), ${d.bytesToClient} octets`;
      const clientDone = d.tlsToServer.applicationData > 0;
      if (by === 'client') {
        cause = clientDone ? 'server-error' : 'untrusted';
        ev.push(
          on(
            `${head}; TCP handshake completed, the server sent its TLS flight (${flight}), then the CLIENT reset the connection (${ports([d])})` +
              (clientDone
                ? ' after finishing its handshake: it gave up on the NTS-KE exchange itself (the records are encrypted)'
                : ' without sending an encrypted record of its own, so it never finished the TLS handshake. With TLS 1.3 the certificate and any alert are encrypted; a client that aborts right after the server\'s flight most likely could not verify the certificate (chronyd logs "Error in the certificate verification")'),
            [d.firstFrame, d.reset?.frame ?? d.lastFrame],
          ),
        );
      } else if (d.tlsToClient.handshake === 0) {
        // No ServerHello: the server refused the TLS handshake itself.
        cause = 'not-nts-ke';
        const alert = d.tlsToServer.firstAlert;
        ev.push(
          on(
            `${head}; the SERVER ${d.finServer ? 'closed (FIN)' : 'reset'} the connection right after the client's ClientHello, without a ServerHello (${ports([d])}): it refused the TLS handshake itself — TLS below 1.3 (RFC 8915 §3 requires 1.3), no common cipher suite, or no NTS-KE service behind the port` +
              (alert ? `; the client's ${ALERTS[alert.description] ?? 'alert'} (${alert.description}) alert after that answers the close` : ''),
            [d.firstFrame, d.serverClosedFrame ?? d.lastFrame],
          ),
        );
      } else {
        cause = 'server-error';
        const how = d.finServer
          ? `closed the connection (FIN) once the TLS handshake was done${clientDone ? ' (the client had sent its Finished)' : ''}, and reset it when the client sent more`
          : 'reset the connection after the TLS handshake began';
        ev.push(on(`${head}; the SERVER ${how} (${ports([d])}; ${flight} from it): it refused the client before any NTS-KE answer — an ALPN other than ntske/1, or its own NTS-KE error (chronyd 4.3 logs nothing about it by default)`, [d.firstFrame, d.reset?.frame ?? d.lastFrame]));
      }
      break;
    }
    case 'closed-without-ntp':
      cause = 'no-ntp-after-ke';
      ev.push(on(`${head}; key establishment ran to the end and both sides closed it (${ports([d])}, ${d.bytesToServer} octets to the server, ${d.bytesToClient} back), but ${o.ntpRequests ? `no NTP request to ${o.server} came after it (the last one before it)` : `no NTP request to ${o.server} follows in the capture`}: the server's NTS-KE answer was an error or had no cookies (encrypted: not visible), or the capture ended first`, ends([d])));
      break;
  }
  const others = o.connections.filter((c) => c.outcome !== d.outcome);
  if (others.length) ev.push(on(`Other connections of ${o.client} to ${o.server}:${o.port}: ${others.slice(0, 8).map((c) => `port ${c.clientPort} ${c.outcome}`).join(', ')}${others.length > 8 ? ` and ${others.length - 8} more` : ''}`, ends(others)));
  return { failing: true, ...(cause ? { cause } : {}), evidence: ev, weight: o.outcome === 'closed-without-ntp' ? 0.6 : 0.9 };
}

/**
 * Every client's session with `address`:`port`, merged: failing when some client fails and none succeeds; a capture
 * at a server where some clients succeed and one fails still says so, at less weight.
 */
export function wireVerdict(sessions: readonly NtsKeSessionObservation[], address: string, port: number): WireVerdict | undefined {
  const verdicts = sessions.filter((o) => o.server === address && o.port === port).map(sessionVerdict).filter((v): v is WireVerdict => v !== undefined);
  if (verdicts.length === 0) return undefined;
  const failing = verdicts.filter((v) => v.failing);
  // A capture at a busy server: the first clients' sessions in full, the rest counted (failing ones first).
  const shown = [...failing, ...verdicts.filter((v) => !v.failing)].slice(0, SHOWN_CLIENTS);
  const evidence = shown.flatMap((v) => v.evidence);
  if (verdicts.length > shown.length) evidence.push(note(`${plural(verdicts.length - shown.length, 'more client')} of ${address}:${port} in the capture, ${failing.length} of ${verdicts.length} failing in all`));
  const untracked = sessions.find((o) => o.untracked)?.untracked;
  if (untracked) evidence.push(note(`${plural(untracked.connections, 'more TCP 4460 connection')} (${plural(untracked.frames, 'frame')}) were not followed: ntpdoctor tracks at most 1024 per capture`));
  if (failing.length === 0) return { failing: false, evidence, weight: 0.9 };
  const cause = failing.find((v) => v.cause)?.cause;
  const weight = failing.length < verdicts.length ? 0.6 : Math.max(...failing.map((v) => v.weight));
  return { failing: true, ...(cause ? { cause } : {}), evidence, weight };
}

/** Clients whose sessions with one server are told in full. */
const SHOWN_CLIENTS = 5;

/** The servers the capture saw NTS-KE with, once each. */
export function wireServers(sessions: readonly NtsKeSessionObservation[]): Array<{ address: string; port: number }> {
  const out: Array<{ address: string; port: number }> = [];
  for (const o of sessions) if (!out.some((s) => s.address === o.server && s.port === o.port)) out.push({ address: o.server, port: o.port });
  return out;
}
