import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { readCapture } from '../../src/capture/read.js';
import { decodeFrame } from '../../src/decode/frame.js';
import type { NtpControlMessage } from '../../src/ntp/types.js';
import { createClock } from '../../src/net/clock.js';
import {
  assembleFragments,
  controlQuery,
  CTL_OP_READSTAT,
  CTL_OP_READVAR,
  parseAssociations,
  parseVariables,
  readControlView,
} from '../../src/probe/control.js';
import { controlFacts, controlObservation } from '../../src/probe/trace.js';
import { judgeProbes } from '../../src/run/probe.js';

/** See fixtures/probe/README.md: trace of three real NTPsec 1.2.2 servers, mode 6 frames only. */
const TRACE_PCAP = fileURLToPath(new URL('../../fixtures/probe/ntpsec-mode6-trace.pcap', import.meta.url));

interface Frame {
  frame: number;
  src: string;
  dst: string;
  message: NtpControlMessage;
  /** The UDP payload as sent (for replaying it). */
  payload: Uint8Array;
}

async function controlFrames(): Promise<Frame[]> {
  const out: Frame[] = [];
  await readCapture(TRACE_PCAP, (record) => {
    const f = decodeFrame(record);
    const m = f.ntp?.message;
    if (!f.ip || !f.udp || !m || m.kind !== 'control') return;
    // The record's bytes are reused after the sink returns (src/capture/read.ts): copy what we keep.
    const payload = record.data.slice(record.data.length - (f.udp.length - 8));
    out.push({ frame: f.frame, src: f.ip.src, dst: f.ip.dst, message: { ...m, data: m.data.slice() }, payload });
  });
  return out;
}

/** Responses to each request, by the request's frame number (matched on sequence, as ntpq does). */
function conversations(frames: Frame[]): Array<{ request: Frame; responses: Frame[] }> {
  return frames
    .filter((f) => !f.message.response)
    .map((request) => ({
      request,
      responses: frames.filter((f) => f.message.response && f.message.sequence === request.message.sequence && f.src === request.dst),
    }));
}

describe('mode 6 data', () => {
  it('parses ntpd-style variable lists (quoted values keep their commas)', () => {
    // The shape ntpd's ctl_putdata writes: comma-separated, CRLF line breaks, strings quoted.
    const text = 'version="ntpd 4.2.8p15, x", processor="x86_64",\r\nleap=00, stratum=11, precision=-24,\r\nrefid=198.51.100.11, peer=12345, srcadr=198.51.100.11';
    const v = parseVariables(new TextEncoder().encode(text));
    expect(v).toMatchObject({ version: 'ntpd 4.2.8p15, x', stratum: '11', refid: '198.51.100.11', peer: '12345', srcadr: '198.51.100.11' });
  });
  it('reads READSTAT association ids', () => {
    expect(parseAssociations(new Uint8Array([0x30, 0x39, 0x96, 0x1a, 0x30, 0x3a, 0x90, 0x14]))).toEqual([12345, 12346]);
  });
});

describe('real NTPsec 1.2.2 responses (fixtures/probe/ntpsec-mode6-trace.pcap)', () => {
  let frames: Frame[];
  beforeAll(async () => {
    frames = await controlFrames();
  });

  it('holds 9 queries and 12 response fragments, the peer READVARs split at 468 octets with the More bit', () => {
    const talks = conversations(frames);
    expect(talks).toHaveLength(9);
    expect(talks.map((t) => t.responses.length)).toEqual([1, 1, 2, 1, 1, 2, 1, 1, 2]);
    for (const t of talks.filter((x) => x.responses.length === 2)) {
      const [first, second] = t.responses.map((r) => r.message) as [NtpControlMessage, NtpControlMessage];
      expect(t.request.message).toMatchObject({ opcode: CTL_OP_READVAR, associationId: 17767 });
      expect(first).toMatchObject({ more: true, offset: 0, count: 468 });
      expect(second.more).toBe(false);
      expect(second.offset).toBe(468);
      // One fragment alone is not an answer; both (either order) are.
      expect(assembleFragments([first])).toBeUndefined();
      expect(assembleFragments([second])).toBeUndefined();
      expect(assembleFragments([second, first])?.length).toBe(468 + second.count);
    }
  });

  it('reassembles the synchronized server .12: its system peer 198.51.100.11, whose variables span both fragments', () => {
    const talks = conversations(frames).filter((t) => t.request.dst === '198.51.100.12');
    const [sys, stat, peer] = talks.map((t) => assembleFragments(t.responses.map((r) => r.message)));
    const system = parseVariables(sys as Uint8Array);
    expect(system).toMatchObject({ stratum: '12', refid: '198.51.100.11', peer: '17767', version: 'ntpd ntpsec-1.2.2' });
    expect(parseAssociations(stat as Uint8Array)).toEqual([17767]);
    const vars = parseVariables(peer as Uint8Array);
    expect(vars).toMatchObject({ srcadr: '198.51.100.11', dstadr: '198.51.100.12', stratum: '11', refid: '127.127.1.0' });
    // Variables after the fragment boundary (octet 468) come out whole: the last one ntpsec writes.
    expect(new TextDecoder('latin1').decode((peer as Uint8Array).subarray(0, 468))).not.toContain('ntscookies');
    expect(vars.ntscookies).toBe('-1');
    expect(vars.pmode).toBe('4');
  });

  it('the self-synchronizing server .13 names itself in its association (srcadr = dstadr = its own address)', () => {
    const talks = conversations(frames).filter((t) => t.request.dst === '198.51.100.13');
    const [sys, , peer] = talks.map((t) => assembleFragments(t.responses.map((r) => r.message)));
    expect(parseVariables(sys as Uint8Array)).toMatchObject({ stratum: '16', refid: 'INIT', leap: '3' });
    expect(parseVariables(peer as Uint8Array)).toMatchObject({ srcadr: '198.51.100.13', dstadr: '198.51.100.13' });
  });

  it('a missing middle, an overrun past the last fragment, or no last fragment is never taken as whole', () => {
    const peer = conversations(frames)[2]?.responses.map((r) => r.message) as NtpControlMessage[];
    const [first, last] = peer as [NtpControlMessage, NtpControlMessage];
    expect(assembleFragments([first, { ...last, offset: 500 }])).toBeUndefined();
    expect(assembleFragments([{ ...first, more: false }, last])).toBeUndefined();
    expect(assembleFragments([first, first])).toBeUndefined();
    // A duplicate fragment (UDP may deliver twice) changes nothing.
    expect(assembleFragments([first, last, first])).toEqual(assembleFragments([first, last]));
  });
});

/**
 * A stand-in server on loopback that answers each query with the fragments NTPsec sent for it in the capture,
 * last fragment first, the sequence number rewritten to the query's (the only octets changed: 2–3).
 */
describe('controlQuery over a real socket, replaying the captured answers', () => {
  let server: dgram.Socket | undefined;
  afterEach(async () => {
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = undefined;
  });
  async function replay(host: string, reverse: boolean): Promise<number> {
    const talks = conversations(await controlFrames()).filter((t) => t.request.dst === host);
    const socket = dgram.createSocket('udp4');
    server = socket;
    socket.on('message', (msg, rinfo) => {
      const opcode = (msg[1] as number) & 0x1f;
      const association = msg.readUInt16BE(6);
      const talk = talks.find((t) => t.request.message.opcode === opcode && t.request.message.associationId === association);
      if (!talk) return;
      const answers = reverse ? [...talk.responses].reverse() : talk.responses;
      for (const r of answers) {
        const out = Buffer.from(r.payload);
        out.writeUInt16BE(msg.readUInt16BE(2), 2);
        socket.send(out, rinfo.port, rinfo.address);
      }
    });
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    return socket.address().port;
  }

  it('reassembles a two-fragment answer that arrives last fragment first', async () => {
    const port = await replay('198.51.100.12', true);
    const clock = createClock();
    const a = await controlQuery('127.0.0.1', 4, port, CTL_OP_READVAR, 17767, clock, 2000);
    expect(a.kind).toBe('data');
    if (a.kind !== 'data') return;
    expect(a.fragments).toBe(2);
    expect(a.responses).toBe(2);
    expect(a.responseBytes).toBe(480 + 232);
    expect(a.requestBytes).toBe(12);
    expect(parseVariables(a.data)).toMatchObject({ srcadr: '198.51.100.11', ntscookies: '-1' });
    const none = await controlQuery('127.0.0.1', 4, port, CTL_OP_READSTAT, 4242, clock, 300);
    expect(none).toMatchObject({ kind: 'none', why: 'no answer' });
  });

  it('readControlView: the system peer of .12 and, for .13, the self-source trace names', async () => {
    const clock = createClock();
    const v12 = await readControlView('127.0.0.1', 4, await replay('198.51.100.12', false), clock, 16, 2000);
    expect(v12?.systemPeer).toBe('198.51.100.11');
    expect(controlFacts('198.51.100.12', v12!)).toMatchObject({ stratum: 12, leap: 0, refid: '198.51.100.11', systemPeer: '198.51.100.11' });
    expect(controlFacts('198.51.100.12', v12!).selfSource).toBeUndefined();
    expect(v12?.traffic).toMatchObject({ requests: 3, responses: 4, requestBytes: 36, opcodes: [CTL_OP_READVAR, CTL_OP_READSTAT] });
    await new Promise<void>((r) => server?.close(() => r()));
    server = undefined;
    const v13 = await readControlView('127.0.0.1', 4, await replay('198.51.100.13', true), clock, 16, 2000);
    expect(v13?.systemPeer).toBeUndefined();
    expect(controlFacts('127.0.0.1', v13!)).toMatchObject({ stratum: 16, leap: 3, refid: 'INIT', selfSource: '198.51.100.13' });
  });

  it('the answers become an ntp-control observation the mode6-exposed rule judges (not when asked over loopback)', async () => {
    const clock = createClock();
    const view = await readControlView('127.0.0.1', 4, await replay('198.51.100.12', false), clock, 16, 2000);
    const seen = controlObservation('127.0.0.1', view!);
    expect(seen).toMatchObject({ kind: 'ntp-control', source: 'probe', mode: 6, client: '127.0.0.1', requests: { count: 3 } });
    expect(judgeProbes('h', 123, [], undefined, [seen]).report.findings.map((f) => f.rule)).not.toContain('mode6-exposed');
    const remote = { ...seen, server: '198.51.100.12', client: '198.51.100.2' };
    expect(judgeProbes('h', 123, [], undefined, [remote]).report.findings.map((f) => f.rule)).toContain('mode6-exposed');
  });
});

describe('controlFacts', () => {
  const view = (peers: Array<{ srcadr: string; dstadr: string }>, system: Record<string, string> = { stratum: '16', leap: '11', refid: 'INIT', peer: '0' }) => ({
    system,
    peers: peers.map((p, i) => ({ associationId: 100 + i, ...p, vars: { ...p } })),
    traffic: { localAddress: '', requestBytes: 0, responses: 0, responseBytes: 0, requests: 0, opcodes: [] },
  });
  it('an association whose srcadr is the server itself (or equals its dstadr) is a self source', () => {
    expect(controlFacts('192.0.2.100', view([{ srcadr: '192.0.2.100', dstadr: '192.0.2.100' }])).selfSource).toBe('192.0.2.100');
    // Asked through another of its addresses: srcadr = dstadr still tells.
    expect(controlFacts('203.0.113.5', view([{ srcadr: '192.0.2.100', dstadr: '192.0.2.100' }])).selfSource).toBe('192.0.2.100');
  });
  it('a pool prototype (0.0.0.0 both ends) or a refclock is not a self source; classic ntpd leap "11" reads as 3', () => {
    const f = controlFacts('192.0.2.100', view([{ srcadr: '0.0.0.0', dstadr: '0.0.0.0' }, { srcadr: '127.127.1.0', dstadr: '127.0.0.1' }]));
    expect(f.selfSource).toBeUndefined();
    expect(f).toMatchObject({ stratum: 16, leap: 3, refid: 'INIT' });
    expect(f.systemPeerId).toBeUndefined();
  });
});
