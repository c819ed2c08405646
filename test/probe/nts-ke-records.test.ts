import { describe, expect, it } from 'vitest';
import { AEAD_AES_SIV_CMAC_256, encodeKeRequest, MAX_RECORDS, parseKeResponse, responseProblem, splitRecords } from '../../src/probe/nts-ke-records.js';

/** One record: critical bit + type, length, body (RFC 8915 §4). */
function rec(type: number, body: number[] = [], critical = true): number[] {
  const t = (critical ? 0x8000 : 0) | type;
  return [t >> 8, t & 255, body.length >> 8, body.length & 255, ...body];
}

const cookie = (n: number) => Array.from({ length: n }, (_, i) => i & 255);
const healthy = [...rec(1, [0, 0]), ...rec(4, [0, 15]), ...rec(5, cookie(100), false), ...rec(5, cookie(100), false), ...rec(0)];

describe('NTS-KE records (RFC 8915 §4)', () => {
  it('encodes the client request as chronyd sends it: NPN [0], AEAD [15], End of Message, all critical', () => {
    expect([...encodeKeRequest()]).toEqual([0x80, 1, 0, 2, 0, 0, 0x80, 4, 0, 2, 0, 15, 0x80, 0, 0, 0]);
  });

  it('parses a healthy response: NTPv4, AES-SIV-CMAC-256, cookies', () => {
    const r = parseKeResponse(Uint8Array.from(healthy));
    expect(r).toMatchObject({ nextProtocols: [0], aead: [AEAD_AES_SIV_CMAC_256], cookies: 2, cookieLength: 100, complete: true });
    expect(responseProblem(r)).toBeUndefined();
  });

  it('reports an Error record, a missing cookie, a wrong AEAD, a truncated stream', () => {
    expect(responseProblem(parseKeResponse(Uint8Array.from([...rec(2, [0, 1]), ...rec(0)])))).toMatch(/Error record: 1 \(Bad Request\)/);
    expect(responseProblem(parseKeResponse(Uint8Array.from([...rec(1, [0, 0]), ...rec(4, [0, 15]), ...rec(0)])))).toMatch(/no cookies/);
    expect(responseProblem(parseKeResponse(Uint8Array.from([...rec(1, [0, 0]), ...rec(4, [0, 30]), ...rec(5, [1]), ...rec(0)])))).toMatch(/AEAD_AES_SIV_CMAC_256 \(chose 30\)/);
    expect(responseProblem(parseKeResponse(Uint8Array.from(healthy.slice(0, 20))))).toMatch(/without End of Message/);
    expect(responseProblem(parseKeResponse(Uint8Array.from([...rec(1, [0, 0]), ...rec(4, [0, 15]), ...rec(5, [1]), ...rec(99), ...rec(0)])))).toMatch(/critical record type\(s\) 99/);
  });

  it('takes Server and Port negotiation, printable names only', () => {
    const name = [...'ntp.example.test'].map((c) => c.charCodeAt(0));
    const r = parseKeResponse(Uint8Array.from([...rec(6, name), ...rec(7, [0x11, 0x5c]), ...healthy]));
    expect(r.server).toBe('ntp.example.test');
    expect(r.port).toBe(4444);
    expect(parseKeResponse(Uint8Array.from([...rec(6, [0x1b, 0x5b, 0x32, 0x4a]), ...rec(0)])).server).toBeUndefined();
  });

  it('hostile streams: lengths past the end, bytes after End of Message, record floods', () => {
    expect(splitRecords(Uint8Array.from([0x80, 5, 0xff, 0xff, 1, 2]))).toMatchObject({ complete: false, problem: expect.stringMatching(/cut short/) });
    expect(splitRecords(Uint8Array.from([...rec(0), 7]))).toMatchObject({ complete: true, problem: '1 bytes after End of Message' });
    const flood = Uint8Array.from(Array.from({ length: MAX_RECORDS + 10 }, () => rec(3, [0, 0], false)).flat());
    const r = splitRecords(flood);
    expect(r.records.length).toBe(MAX_RECORDS);
    expect(r.problem).toMatch(/more than/);
    expect(parseKeResponse(new Uint8Array(0))).toMatchObject({ complete: false, cookies: 0 });
  });
});
