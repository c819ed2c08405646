/**
 * ntpdoctor's own NTS-KE probe (RFC 8915 §4): a plain TCP connect to port 4460 (refused / timed out / unreachable
 * are told apart here), then on the same connection a TLS 1.3 handshake with ALPN `ntske/1` through Node's tls
 * module, the certificate judged the way the daemon judges it (its CA files, the configured name, this node's
 * clock), then the client request records and the server's answer. One deadline bounds the whole exchange, and the
 * response is read to at most MAX_RESPONSE bytes. Never sends anything but a KE request; keys are never exported.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { checkServerIdentity, connect as tlsConnect, rootCertificates, type DetailedPeerCertificate, type TLSSocket } from 'node:tls';
import type { NtsKeObservation } from '../model/daemon.js';
import { encodeKeRequest, parseKeResponse, responseProblem, splitRecords } from './nts-ke-records.js';

/** RFC 8915 §4: the NTS-KE port and ALPN id. */
export const NTS_KE_PORT = 4460;
export const NTS_KE_ALPN = 'ntske/1';
/** chrony sends 8 cookies of ~100 bytes: 64 KiB is far more than any honest answer. */
export const MAX_RESPONSE = 64 * 1024;

export interface NtsKeProbeOptions {
  port?: number;
  /** Name the certificate must carry (SNI and the identity check); default the address. */
  serverName?: string;
  /** PEM text of CA certificates the daemon trusts besides (or instead of) the system store. */
  ca?: string[];
  /** Include the system CA store (chrony: unless `nosystemcert`). Default true. */
  systemCa?: boolean;
  /** Whole exchange deadline, ms. Default 3000. */
  timeoutMs?: number;
  /** Send the KE request and read the answer (default true); false stops after the handshake. */
  exchange?: boolean;
  now?: () => number;
}

export type NtsKeResult = Omit<NtsKeObservation, 'kind' | 'source' | 'from' | 'trust'>;

type Outcome = NtsKeObservation['outcome'];

/** OS errors of the TCP connect → outcome. */
function connectOutcome(code: string | undefined): Outcome {
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ETIMEDOUT') return 'timeout';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EACCES' || code === 'EPERM') return 'unreachable';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'reset';
  return 'unreachable';
}

/** OpenSSL verify codes (as Node names them) → outcome. */
export function certificateOutcome(code: string): Outcome {
  if (code === 'CERT_HAS_EXPIRED') return 'expired';
  if (code === 'CERT_NOT_YET_VALID') return 'not-yet-valid';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH') return 'name-mismatch';
  return 'untrusted';
}

function certSummary(c: DetailedPeerCertificate): NonNullable<NtsKeResult['certificate']> {
  const name = (x: unknown) => {
    const o = (x ?? {}) as Record<string, unknown>;
    const cn = o['CN'];
    return Array.isArray(cn) ? String(cn[0] ?? '') : typeof cn === 'string' ? cn : '';
  };
  const subject = name(c.subject);
  const issuer = name(c.issuer);
  // Server-chosen text: bounded here, escaped by the renderers.
  return {
    subject: subject.slice(0, 200),
    issuer: issuer.slice(0, 200),
    validFrom: (c.valid_from ?? '').slice(0, 64),
    validTo: (c.valid_to ?? '').slice(0, 64),
    altNames: (c.subjectaltname ?? '').slice(0, 512),
    selfSigned: subject !== '' && subject === issuer && c.fingerprint256 === c.issuerCertificate?.fingerprint256,
  };
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim().slice(0, 300);
}

/** Probes one NTS-KE server. Never throws: every failure is a result. */
export function probeNtsKe(address: string, opts: NtsKeProbeOptions = {}): Promise<NtsKeResult> {
  const port = opts.port ?? NTS_KE_PORT;
  const timeoutMs = opts.timeoutMs ?? 3000;
  const serverName = opts.serverName ?? address;
  const now = opts.now ?? (() => Date.now() / 1000);
  const t0 = Date.now();
  return new Promise((resolve) => {
    let tcp: Socket | undefined;
    let tls: TLSSocket | undefined;
    let stage: NtsKeResult['stage'] = 'connect';
    const partial: Partial<NtsKeResult> = {};
    let settled = false;
    const finish = (outcome: Outcome, detail: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      tls?.destroy();
      tcp?.destroy();
      const r: NtsKeResult = { address, port, stage: outcome === 'ok' ? 'ok' : stage, outcome, detail: oneLine(detail), ms: Date.now() - t0, ...partial };
      if (opts.serverName !== undefined) r.serverName = opts.serverName;
      resolve(r);
    };
    const timer = setTimeout(() => {
      const where = stage === 'connect' ? `no TCP answer from ${address}:${port} (SYN dropped?)` : stage === 'ke' ? 'the server did not finish its NTS-KE response' : 'the TLS handshake did not finish';
      finish('timeout', `${where} within ${timeoutMs / 1000} s`);
    }, timeoutMs);

    tcp = netConnect({ host: address, port });
    // `on`, not `once`: a second error on a socket without a listener would throw; finish() is idempotent.
    tcp.on('error', (err: NodeJS.ErrnoException) => {
      if (stage === 'connect') finish(connectOutcome(err.code), `TCP connect to ${address}:${port}: ${err.code ?? err.message}`);
    });
    tcp.once('connect', () => {
      stage = 'tls';
      const ca = [...(opts.systemCa === false ? [] : rootCertificates), ...(opts.ca ?? [])];
      const sock = tlsConnect({
        socket: tcp as Socket,
        // SNI only for names (RFC 6066 §3 forbids literal addresses).
        ...(/^[0-9.]+$|:/.test(serverName) ? {} : { servername: serverName }),
        ALPNProtocols: [NTS_KE_ALPN],
        // RFC 8915 §3: TLS 1.3 or later.
        minVersion: 'TLSv1.3',
        ca,
        // Judged below, so that an untrusted certificate is reported with what it is rather than a bare failure.
        rejectUnauthorized: false,
      });
      tls = sock;
      sock.on('error', (err: NodeJS.ErrnoException) => {
        const code = err.code ?? '';
        if (stage === 'tls') finish(code === 'ECONNRESET' ? 'reset' : 'tls', `TLS handshake with ${address}:${port}: ${code ? `${code}: ` : ''}${err.message}`);
        else finish(stage === 'ke' ? 'ke-error' : 'tls', `${code ? `${code}: ` : ''}${err.message}`);
      });
      sock.once('secureConnect', () => {
        partial.tlsVersion = sock.getProtocol() ?? '';
        if (sock.alpnProtocol) partial.alpn = sock.alpnProtocol;
        const cert = sock.getPeerCertificate(true);
        if (cert && Object.keys(cert).length) partial.certificate = certSummary(cert);
        partial.checkedAt = Math.floor(now());
        if (sock.alpnProtocol !== NTS_KE_ALPN) {
          finish('alpn', `the server did not agree to ALPN ${NTS_KE_ALPN} (it is not an NTS-KE server, or a proxy stands in front)`);
          return;
        }
        stage = 'certificate';
        if (!sock.authorized) {
          const code = String(sock.authorizationError ?? 'UNABLE_TO_VERIFY');
          finish(certificateOutcome(code), `certificate not accepted: ${code}`);
          return;
        }
        const idErr = cert ? checkServerIdentity(serverName, cert) : new Error('no certificate');
        if (idErr) {
          finish('name-mismatch', `certificate does not name ${serverName}: ${idErr.message}`);
          return;
        }
        if (opts.exchange === false) {
          finish('ok', 'TLS 1.3 handshake with ALPN ntske/1 and a trusted certificate');
          return;
        }
        stage = 'ke';
        const chunks: Buffer[] = [];
        let size = 0;
        const judge = (ended: boolean) => {
          const buf = Buffer.concat(chunks);
          const split = splitRecords(buf);
          if (!split.complete && !ended && !split.problem?.startsWith('more than') && size < MAX_RESPONSE) return;
          const resp = parseKeResponse(buf);
          partial.response = { cookies: resp.cookies, nextProtocols: resp.nextProtocols, aead: resp.aead, errors: resp.errors.map((e) => `${e.code} ${e.name}`), warnings: resp.warnings };
          if (resp.cookieLength !== undefined) partial.response.cookieLength = resp.cookieLength;
          if (resp.server !== undefined) partial.response.server = resp.server;
          if (resp.port !== undefined) partial.response.port = resp.port;
          const problem = size >= MAX_RESPONSE && !resp.complete ? `more than ${MAX_RESPONSE} bytes without End of Message` : responseProblem(resp);
          if (problem) finish('ke-error', problem);
          else finish('ok', `NTS-KE complete: ${resp.cookies} cookie(s) of ${resp.cookieLength ?? 0} bytes`);
        };
        sock.on('data', (d: Buffer) => {
          const room = MAX_RESPONSE - size;
          const take = d.length > room ? d.subarray(0, room) : d;
          chunks.push(take);
          size += take.length;
          judge(false);
        });
        sock.once('end', () => judge(true));
        sock.once('close', () => judge(true));
        sock.write(encodeKeRequest());
      });
    });
  });
}
