/**
 * ntpdoctor's NTS-KE probe against TLS servers on loopback made here (Node's tls, a certificate made with openssl):
 * each failure the rule tells apart, and hostile servers (endless bytes, silence) bounded in time and bytes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as netServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as tlsServer, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RESPONSE, probeNtsKe } from '../../src/probe/nts-ke.js';

const why = spawnSync('sh', ['-c', 'command -v openssl']).status === 0 ? undefined : 'openssl missing';
if (why) process.stderr.write(`SKIPPED: NTS-KE probe tests (${why})\n`);

/** Records as bytes (RFC 8915 §4). */
function rec(type: number, body: number[] = [], critical = true): number[] {
  const t = (critical ? 0x8000 : 0) | type;
  return [t >> 8, t & 255, body.length >> 8, body.length & 255, ...body];
}
const GOOD = Buffer.from([...rec(1, [0, 0]), ...rec(4, [0, 15]), ...Array.from({ length: 8 }, () => rec(5, Array(100).fill(7), false)).flat(), ...rec(0)]);

describe.skipIf(why !== undefined)('probeNtsKe on loopback', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ntske-'));
  let key = '';
  let cert = '';
  const servers: Server[] = [];

  beforeAll(() => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '2', '-subj', '/CN=nts.example.test', '-addext', 'subjectAltName=DNS:nts.example.test'], { stdio: 'ignore' });
    key = readFileSync(join(dir, 'k.pem'), 'utf8');
    cert = readFileSync(join(dir, 'c.pem'), 'utf8');
  });
  afterAll(() => {
    for (const s of servers) s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A TLS 1.3 server on 127.0.0.1 that answers the first request bytes with `reply`. */
  async function keServer(reply: (s: TLSSocket) => void, alpn = ['ntske/1']): Promise<number> {
    const s = tlsServer({ key, cert, ALPNProtocols: alpn, minVersion: 'TLSv1.3' }, (sock) => {
      sock.on('error', () => {});
      sock.once('data', () => reply(sock));
    });
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    return (s.address() as AddressInfo).port;
  }

  const probe = (port: number, over: Parameters<typeof probeNtsKe>[1] = {}) => probeNtsKe('127.0.0.1', { port, serverName: 'nts.example.test', ca: [cert], systemCa: false, timeoutMs: 3000, ...over });

  it('a working server: TLS 1.3, ntske/1, NPN 0, AEAD 15, 8 cookies', async () => {
    const port = await keServer((s) => s.end(GOOD));
    const r = await probe(port);
    expect(r).toMatchObject({ outcome: 'ok', stage: 'ok', tlsVersion: 'TLSv1.3', alpn: 'ntske/1', response: { cookies: 8, cookieLength: 100, nextProtocols: [0], aead: [15] } });
    expect(r.certificate).toMatchObject({ subject: 'nts.example.test', selfSigned: true });
  });

  it('a closed port: refused at connect', async () => {
    const s = netServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    expect(await probe(port)).toMatchObject({ outcome: 'refused', stage: 'connect' });
  });

  it('a certificate not in the trusted set, the wrong name, no ntske/1', async () => {
    const port = await keServer((s) => s.end(GOOD));
    expect(await probe(port, { ca: [], systemCa: false })).toMatchObject({ outcome: 'untrusted', stage: 'certificate' });
    expect(await probe(port, { serverName: 'other.example.test' })).toMatchObject({ outcome: 'name-mismatch', stage: 'certificate' });
    const other = await keServer((s) => s.end(GOOD), ['http/1.1']);
    const r = await probe(other);
    expect(['alpn', 'tls']).toContain(r.outcome);
  });

  it('an Error record, and no cookies: ke-error with the reason', async () => {
    const err = await keServer((s) => s.end(Buffer.from([...rec(2, [0, 1]), ...rec(0)])));
    expect(await probe(err)).toMatchObject({ outcome: 'ke-error', stage: 'ke', detail: expect.stringMatching(/Bad Request/) });
    const none = await keServer((s) => s.end(Buffer.from([...rec(1, [0, 0]), ...rec(4, [0, 15]), ...rec(0)])));
    expect(await probe(none)).toMatchObject({ outcome: 'ke-error', detail: 'the server sent no cookies' });
  });

  it('hostile: endless bytes stop at MAX_RESPONSE; a silent TLS peer times out within the deadline', async () => {
    const flood = await keServer((s) => {
      const chunk = Buffer.alloc(16 * 1024, 0x00);
      // A cookie record announcing 65535 bytes, then zeros for ever (until we hang up): no End of Message in reach.
      s.write(Buffer.from([0x00, 0x05, 0xff, 0xff]));
      const pump = () => {
        while (s.writable && s.write(chunk));
        if (s.writable) s.once('drain', pump);
      };
      pump();
    });
    const t0 = Date.now();
    const r = await probe(flood);
    expect(r).toMatchObject({ outcome: 'ke-error', detail: `more than ${MAX_RESPONSE} bytes without End of Message` });
    expect(Date.now() - t0).toBeLessThan(3500);
    const many = await keServer((s) => s.end(Buffer.from(Array.from({ length: 200 }, () => rec(3, [0, 0], false)).flat())));
    expect(await probe(many)).toMatchObject({ outcome: 'ke-error', detail: expect.stringMatching(/more than 64 records/) });
    const mute = netServer(() => {});
    servers.push(mute);
    await new Promise<void>((res) => mute.listen(0, '127.0.0.1', res));
    const m = await probe((mute.address() as AddressInfo).port, { timeoutMs: 1000 });
    expect(m).toMatchObject({ outcome: 'timeout', stage: 'tls' });
    expect(m.ms).toBeLessThan(2500);
  });
});
