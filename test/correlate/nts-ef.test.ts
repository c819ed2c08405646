/**
 * NTS extension fields on UDP 123 (src/correlate/nts-ef.ts): counted per path, authenticated exchanges told by
 * the Authenticator on both sides and the echoed Unique Identifier (RFC 8915 §5), on the real chronyd 4.3 capture and
 * on synthetic datagrams; the layout is RFC 7822's (checked by src/ntp/tests.ts checkFormat).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { concat, ethernet, ntpHeader, pcapFile, udpPacket } from '../../bench/frames.mjs';
import type { NtpPathObservation } from '../../src/model/observation.js';
import { analyzeCaptures, observeCapture } from '../../src/run/capture-file.js';

const dir = mkdtempSync(join(tmpdir(), 'ndntsef-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function ef(type: number, body: Uint8Array): Uint8Array {
  const b = new Uint8Array(4 + body.length);
  new DataView(b.buffer).setUint16(0, type);
  new DataView(b.buffer).setUint16(2, b.length);
  b.set(body, 4);
  return b;
}
const cat = concat;
const uid = (n: number) => new Uint8Array(32).fill(n);
const AUTH = ef(0x0404, new Uint8Array(36));

async function pathOf(frames: Array<[number, Uint8Array]>): Promise<NtpPathObservation> {
  const file = join(dir, `f${Math.random().toString(36).slice(2)}.pcap`);
  writeFileSync(file, pcapFile(frames));
  const { observations } = await observeCapture(file);
  return observations.find((o): o is NtpPathObservation => o.kind === 'ntp-path')!;
}

const C = '198.51.100.130';
const S = '198.51.100.100';
function exchange(t: number, port: number, reqUid: number, repUid: number, { replyAuth = true, placeholders = 0 } = {}): Array<[number, Uint8Array]> {
  const req = cat(ntpHeader({ mode: 3, precision: 32, transmit: t + 1e6 }), ef(0x0104, uid(reqUid)), ef(0x0204, new Uint8Array(100)), ...Array.from({ length: placeholders }, () => ef(0x0304, new Uint8Array(100))), AUTH);
  const rep = cat(ntpHeader({ mode: 4, stratum: 2, refid: 1, reference: t - 5, origin: t + 1e6, receive: t + 0.0001, transmit: t + 0.0002 }), ef(0x0104, uid(repUid)), replyAuth ? ef(0x0404, new Uint8Array(144)) : ef(0x0204, new Uint8Array(100)));
  return [
    [t, ethernet(udpPacket(C, S, port, 123, req))],
    [t + 0.0005, ethernet(udpPacket(S, C, 123, port, rep))],
  ];
}

describe('NTS extension fields', () => {
  it('nts-healthy.pcap: 6 requests with cookie and authenticator, 6 authenticated exchanges; shown in servers and text', async () => {
    const { observations } = await observeCapture('fixtures/wire/nts-healthy.pcap');
    const p = observations.find((o): o is NtpPathObservation => o.kind === 'ntp-path')!;
    expect(p.nts).toEqual({ requests: 6, cookies: 6, placeholders: 0, replies: 6, authenticated: 6, mismatched: 0, malformed: 0 });
    const r = await analyzeCaptures(['fixtures/wire/nts-healthy.pcap'], {});
    expect(r.servers?.[0]?.nts?.authenticated).toBe(6);
  });

  it('a reply whose Unique Identifier is not the request\'s, or without the Authenticator, is not authenticated', async () => {
    const t = 1_796_581_000;
    const p = await pathOf([...exchange(t, 40000, 1, 1, { placeholders: 2 }), ...exchange(t + 2, 40001, 2, 9), ...exchange(t + 4, 40002, 3, 3, { replyAuth: false })]);
    expect(p.nts).toEqual({ requests: 3, cookies: 3, placeholders: 2, replies: 2, authenticated: 1, mismatched: 2, malformed: 0 });
    expect(p.replies.count).toBe(3);
  });

  it('extension fields that break the RFC 7822 layout are counted as malformed, not as NTS', async () => {
    const t = 1_796_581_000;
    const bad = ef(0x0104, uid(1));
    new DataView(bad.buffer).setUint16(2, 18); // not a multiple of 4
    const req = cat(ntpHeader({ mode: 3, transmit: t }), bad, AUTH);
    const p = await pathOf([[t, ethernet(udpPacket(C, S, 40000, 123, req))]]);
    expect(p.nts).toMatchObject({ requests: 0, malformed: 1 });
  });

  it('plain 48-octet NTP carries no nts field', async () => {
    const t = 1_796_581_000;
    const p = await pathOf([
      [t, ethernet(udpPacket(C, S, 40000, 123, ntpHeader({ mode: 3, transmit: t })))],
      [t + 0.001, ethernet(udpPacket(S, C, 123, 40000, ntpHeader({ mode: 4, stratum: 2, refid: 1, reference: t - 5, origin: t, receive: t, transmit: t })))],
    ]);
    expect(p.replies.count).toBe(1);
    expect(p.nts).toBeUndefined();
  });
});
