/**
 * The compact PathAccumulator (numbers in two arrays, lists made on first use) must give exactly the observation
 * the object-per-field one gave (./_reference-accumulator.ts): same values, same keys in the same order, since
 * rules, renderers and the JSON report read them. Fed the same calls, from real captures and from a seeded mix of
 * every kind of outcome.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCapture } from '../../src/capture/read.js';
import { Correlator } from '../../src/correlate/correlator.js';
import type { NtpExchange, ReplySummary } from '../../src/model/exchange.js';
import { decodeFrame } from '../../src/decode/frame.js';
import { DISTINCT_VALUES, inexactPorts, KEEP_EXCHANGES, PathAccumulator, SAMPLE_FRAMES } from '../../src/observe/accumulate.js';
import type { NtpPathObservation } from '../../src/model/observation.js';
import { ReferencePathAccumulator } from './_reference-accumulator.js';
import { replyExchange as buildReply, replySummary } from '../../src/observe/exchange.js';
// @ts-expect-error bench/gen-capture.mjs is plain JavaScript without types.
import { generate } from '../../bench/gen-capture.mjs';
import { mulberry32 } from '../seeded.js';

type Keep = { first: number; last: number };
type Call =
  | { add: 'request'; frame: number; time: number; port: number }
  | { add: 'outcome'; x: NtpExchange; seq: number }
  | { add: 'pending'; frame: number };

/** Same observation, down to the order of the keys (JSON.stringify shows it; toStrictEqual does not). */
function expectSame(got: NtpPathObservation, want: NtpPathObservation): void {
  expect(JSON.stringify(got)).toBe(JSON.stringify(want));
  expect(got).toStrictEqual(want);
}

function replay(acc: PathAccumulator, calls: readonly Call[]): ReferencePathAccumulator {
  const keep = (acc as unknown as { keepCounts: Keep }).keepCounts;
  const ref = new ReferencePathAccumulator(acc.source, acc.client, acc.server, keep);
  for (const c of calls) {
    if (c.add === 'request') ref.addRequest(c.frame, c.time, c.port);
    else if (c.add === 'pending') ref.addPending(c.frame);
    else ref.addOutcome(c.x, c.seq);
  }
  return ref;
}

/** Runs a capture through the correlator, recording every call each PathAccumulator gets. */
async function recordCapture(file: string): Promise<Map<PathAccumulator, Call[]>> {
  const calls = new Map<PathAccumulator, Call[]>();
  const proto = PathAccumulator.prototype;
  const { addRequest, addOutcome, addPending, addMeasuredReply } = proto;
  const log = (acc: PathAccumulator, c: Call) => {
    const list = calls.get(acc);
    if (list) list.push(c);
    else calls.set(acc, [c]);
  };
  proto.addRequest = function (this: PathAccumulator, frame: number, time: number, port = -1) {
    log(this, { add: 'request', frame, time, port });
    return addRequest.call(this, frame, time, port);
  };
  proto.addPending = function (this: PathAccumulator, frame: number) {
    log(this, { add: 'pending', frame });
    addPending.call(this, frame);
  };
  proto.addOutcome = function (this: PathAccumulator, x: NtpExchange, seq: number) {
    log(this, { add: 'outcome', x, seq });
    addOutcome.call(this, x, seq);
  };
  // The correlator's measured replies come as primitives (its records are reused): the replay gets the exchange
  // they stand for, built now.
  proto.addMeasuredReply = function (this: PathAccumulator, q, t, m, refidText, measured) {
    const x = buildReply(q, this.client.ip, this.server, t.frame, m.replyTime, replySummary(t, refidText), measured, m.offset, m.delay);
    log(this, { add: 'outcome', x, seq: q.seq });
    addMeasuredReply.call(this, q, t, m, refidText, measured);
  };
  // Captured requests come as their records: the replay gets the call they stand for.
  const { addRequestOf } = proto;
  proto.addRequestOf = function (this: PathAccumulator, r) {
    log(this, { add: 'request', frame: r.frame, time: r.sec + r.nsec / 1e9, port: r.srcPort });
    return addRequestOf.call(this, r);
  };
  try {
    const c = new Correlator();
    await readCapture(file, (r) => c.feed(decodeFrame(r)));
    c.end();
  } finally {
    proto.addRequest = addRequest;
    proto.addOutcome = addOutcome;
    proto.addPending = addPending;
    proto.addMeasuredReply = addMeasuredReply;
    proto.addRequestOf = addRequestOf;
  }
  return calls;
}

const dir = mkdtempSync(join(tmpdir(), 'ntpdoctor-acc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('PathAccumulator gives the observation the object-per-field accumulator gave', () => {
  it.each([
    'fixtures/healthy-chrony.pcap',
    'fixtures/rate-limit-kod.pcap',
    'fixtures/rate-limit-chrony.pcap',
    'fixtures/firewall-reject-iptables.pcap',
    'fixtures/firewall-drop.pcap',
    'fixtures/self-sync.pcap',
    'fixtures/server-hours-off.pcap',
    'fixtures/checksum-offload-veth.pcap',
    'fixtures/local-clock-fresh.pcap',
  ])('on every path of %s', async (file) => {
    const calls = await recordCapture(file);
    expect(calls.size).toBeGreaterThan(0);
    for (const [acc, list] of calls) expectSame(acc.toObservation('unknown'), replay(acc, list).toObservation('unknown'));
  });

  it('on a capture with more paths than the correlator keeps 6+6 exchanges for (bench/gen-capture.mjs: replies, ICMP, silence)', async () => {
    const file = join(dir, 'many.pcap');
    generate(file, { frames: 4000, clients: 700 });
    const calls = await recordCapture(file);
    expect(calls.size).toBe(700);
    const keeps = new Set([...calls.keys()].map((a) => JSON.stringify((a as unknown as { keepCounts: Keep }).keepCounts)));
    expect(keeps).toEqual(new Set([JSON.stringify(KEEP_EXCHANGES), JSON.stringify({ first: 0, last: 0 })]));
    for (const [acc, list] of calls) expectSame(acc.toObservation('client'), replay(acc, list).toObservation('client'));
  });

  it.each([
    [KEEP_EXCHANGES, 1],
    [{ first: 1, last: 0 }, 2],
    [{ first: 0, last: 3 }, 3],
    [{ first: 2, last: 0 }, 4],
    [{ first: 0, last: 0 }, 5],
    [{ first: 1, last: 1 }, 6],
  ])('on a seeded mix of every outcome, keeping %o exchanges (seed %i)', (keep, seed) => {
    const random = mulberry32(seed);
    for (let path = 0; path < 60; path++) {
      const client = { ip: '198.51.100.130', port: 40000 + path };
      const server = { ip: '198.51.100.100', port: 123 };
      const acc = new PathAccumulator(path % 2 ? 'capture' : 'probe', client, server, keep);
      const ref = new ReferencePathAccumulator(path % 2 ? 'capture' : 'probe', client, server, keep);
      const steps = Math.floor(random() * 40);
      let frame = 1;
      let time = 1454402643.717606;
      for (let i = 0; i < steps; i++) {
        // Times mostly rise, sometimes repeat or go back (merged captures); frames always rise.
        time += random() < 0.1 ? -random() : random() < 0.1 ? 0 : random() * 4;
        frame += 1 + Math.floor(random() * 3);
        const orphan = random() < 0.05;
        // A port per request now and then (chrony, ntpdig), mostly the same one (ntpd): up to 12 distinct.
        const port = random() < 0.3 ? 40000 + Math.floor(random() * 12) : client.port;
        const seq = orphan ? Number.MAX_SAFE_INTEGER : acc.addRequest(frame, time, port);
        if (!orphan) expect(ref.addRequest(frame, time, port)).toBe(seq);
        const x = exchange(random, client, server, frame, time);
        acc.addOutcome(x, seq);
        ref.addOutcome(x, seq);
        if (random() < 0.1) expectSame(acc.toObservation('server'), ref.toObservation('server'));
      }
      expectSame(acc.toObservation('client'), ref.toObservation('client'));
      expect(acc.exchangeCount).toBe(ref.exchangeCount);
    }
  });

  it('keeps the first SAMPLE_FRAMES frames of a value that shows up after others, and exact counts', () => {
    const client = { ip: '198.51.100.130', port: 40000 };
    const server = { ip: '198.51.100.100', port: 123 };
    const acc = new PathAccumulator('capture', client, server);
    // 12 replies at stratum 3, then 12 at stratum 16 (a server losing sync mid-capture).
    for (let i = 0; i < 24; i++) {
      const seq = acc.addRequest(2 * i + 1, 100 + i);
      acc.addOutcome({ ...replyExchange(client, server, 2 * i + 1, 100 + i), reply: reply(i < 12 ? 3 : 16, 0, '198.51.100.200') }, seq);
    }
    const o = acc.toObservation('client');
    expect(o.strata).toEqual([
      { value: 3, count: 12, frames: [2, 4, 6, 8, 10, 12, 14, 16] },
      { value: 16, count: 12, frames: [26, 28, 30, 32, 34, 36, 38, 40] },
    ]);
    expect(o.leaps).toEqual([{ value: 0, count: 24, frames: o.replies.frames }]);
    // One array for the replies' frames and the one value's (an observation never changes: 100 k paths made 300 k copies).
    expect(o.leaps[0]!.frames).toBe(o.replies.frames);
    expect(o.replies.frames).toHaveLength(SAMPLE_FRAMES);
  });

  it('hands out observations that later exchanges do not change', () => {
    const client = { ip: '198.51.100.130', port: 40000 };
    const server = { ip: '198.51.100.100', port: 123 };
    const acc = new PathAccumulator('capture', client, server);
    acc.addOutcome(replyExchange(client, server, 1, 100), acc.addRequest(1, 100));
    const before = acc.toObservation('client');
    const copy = structuredClone(before);
    acc.addOutcome({ ...replyExchange(client, server, 3, 101), reply: reply(16, 3, 'INIT') }, acc.addRequest(3, 101));
    expect(before).toEqual(copy);
    expect(acc.toObservation('client').strata).toHaveLength(2);
  });

  it('keeps its own copy of the exchanges it keeps for good (the first ones), sharing only the path endpoints', () => {
    const client = { ip: '198.51.100.130', port: 40000 };
    const server = { ip: '198.51.100.100', port: 123 };
    const acc = new PathAccumulator('capture', client, server, { first: 1, last: 0 });
    const x = { ...replyExchange(client, server, 1, 100), bogus: ['duplicate'] };
    acc.addOutcome(x, acc.addRequest(1, 100));
    const [kept] = acc.toObservation('client').exchanges;
    expect(kept).toStrictEqual(x);
    expect(Object.keys(kept!)).toEqual(Object.keys(x));
    expect(kept).not.toBe(x);
    expect(kept!.reply).not.toBe(x.reply);
    expect(kept!.bogus).not.toBe(x.bogus);
    expect(kept!.server).toBe(server);
    expect(kept!.client).toBe(client);
  });
});


function reply(stratum: number, leap: number, refidText: string): ReplySummary {
  const ts = { seconds: 3663391443, fraction: 0x80000000 };
  return {
    leap,
    version: 4,
    mode: 4,
    stratum,
    poll: 6,
    precision: -23,
    rootDelay: 0.0039,
    rootDispersion: 0.0312,
    refid: 0,
    refidText,
    referenceTime: ts,
    originTime: ts,
    receiveTime: ts,
    transmitTime: ts,
  };
}

function replyExchange(client: NtpExchange['client'], server: NtpExchange['server'], frame: number, time: number): NtpExchange {
  return {
    client,
    server,
    requestFrame: frame,
    requestTime: time,
    requestVersion: 4,
    requestMode: 3,
    requestTransmit: { seconds: 3663391443, fraction: 1 },
    outcome: 'reply',
    replyFrame: frame + 1,
    replyTime: time + 0.001,
    reply: reply(3, 0, '198.51.100.200'),
    offset: -0.04747,
    delay: 0.0012,
    offsetMethod: 'capture-client',
  };
}

/** One exchange of any kind: reply (normal, kiss-o'-death, unsynchronized, bogus, without delay), ICMP error, or none. */
function exchange(random: () => number, client: NtpExchange['client'], server: NtpExchange['server'], frame: number, time: number): NtpExchange {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const r = random();
  if (r < 0.15) {
    return { client, server, requestFrame: frame, requestTime: time, requestVersion: 4, requestMode: 3, requestTransmit: { seconds: 1, fraction: 2 }, outcome: 'none' };
  }
  if (r < 0.3) {
    const [type, code] = pick([[3, 10], [3, 3], [3, 1], [3, 13]] as const);
    const icmp: NonNullable<NtpExchange['icmp']> = { frame: frame + 1, version: 4, type, code, reporter: pick(['198.51.100.100', '198.51.100.1', '?']) };
    if (random() < 0.3) {
      icmp.errno = 'ECONNREFUSED';
      icmp.alternatives = random() < 0.5 ? [] : [{ type: 3, code: 3 }, { type: 3, code: 2 }];
    }
    return { client, server, requestFrame: frame, requestTime: time, requestVersion: 4, requestMode: 3, requestTransmit: { seconds: 1, fraction: 2 }, outcome: 'icmp', icmp };
  }
  const x = replyExchange(client, server, frame, time);
  const stratum = pick([2, 2, 2, 3, 16, 0, 0]);
  const refid = stratum === 0 ? pick(['RATE', 'DENY', 'INIT', 'RSTR', 'abc']) : pick(['198.51.100.200', '198.51.100.200', 'LOCL', 'hash 0x1a2b3c4d']);
  x.reply = reply(stratum, pick([0, 0, 0, 3, 1]), refid);
  x.reply.rootDelay = random() * 0.1;
  x.reply.rootDispersion = random() * 2;
  // Reference times: none, seconds to hours before the transmit time, or after it (a bad clock): referenceAge.
  const age = pick([null, 0, 6.25, 3600.5, 1e6, -30]);
  if (age === null) x.reply.referenceTime = { seconds: 0, fraction: 0 };
  else x.reply.referenceTime = { seconds: 3663391443 - Math.floor(age) - (random() < 0.3 ? 7 : 0), fraction: Math.floor(random() * 2 ** 32) };
  x.offset = (random() - 0.5) * 10;
  if (random() < 0.2) delete x.delay;
  else x.delay = random() * 0.05 - 0.001;
  if (random() < 0.2) delete x.offset;
  if (random() < 0.2) x.offsetMethod = pick(['one-way', 'probe'] as const);
  if (random() < 0.1) delete x.offsetMethod;
  if (random() < 0.1) x.bogus = random() < 0.2 ? [] : [pick(['duplicate', 'origin-mismatch', 'zero-transmit'])];
  return x;
}

describe('client source ports', () => {
  const client = { ip: '198.51.100.130', port: 40000 };
  const server = { ip: '198.51.100.100', port: 123 };

  it('names the first 8 in order of use and counts the rest exactly, through the log and its folds', () => {
    const random = mulberry32(7);
    const acc = new PathAccumulator('capture', client, server);
    const seen = new Set<number>();
    const order: number[] = [];
    for (let i = 0; i < 30_000; i++) {
      // Mostly new ports (chrony), repeats now and then, the same as the request before at times (ntpd).
      const port = random() < 0.2 ? 40000 : 1024 + Math.floor(random() * 20_000);
      if (!seen.has(port)) order.push(port);
      seen.add(port);
      acc.addRequest(i + 1, 1000 + i, port);
    }
    expect(acc.toObservation('client').clientPorts).toEqual({ count: seen.size, ports: order.slice(0, 8) });
    // Asked again later, after more requests: still exact.
    for (let port = 60000; port < 60010; port++) acc.addRequest(40_000 + port, 2000, port);
    expect(acc.toObservation('client').clientPorts?.count).toBe(seen.size + 10);
  });

  it('on a path that keeps no exchanges (past MANY_PATHS) stops at "more than 8", as merged shards say it', () => {
    const acc = new PathAccumulator('capture', client, server, { first: 0, last: 0 });
    for (let i = 0; i < 20; i++) acc.addRequest(i + 1, 1000 + i, 50000 + i);
    const ports = acc.toObservation('client').clientPorts!;
    expect(ports).toEqual({ count: 9, ports: [50000, 50001, 50002, 50003, 50004, 50005, 50006, 50007], atLeast: true });
    const exact = new PathAccumulator('capture', client, server);
    for (let i = 0; i < 20; i++) exact.addRequest(i + 1, 1000 + i, 50000 + i);
    expect(inexactPorts(exact.toObservation('client').clientPorts!)).toEqual(ports);
    expect(inexactPorts({ count: 3, ports: [1, 2, 3] })).toEqual({ count: 3, ports: [1, 2, 3] });
  });

  it('one port: named once, and requests sent just before the end are counted apart', () => {
    const acc = new PathAccumulator('capture', client, server);
    for (let i = 0; i < 5; i++) acc.addRequest(i + 1, 1000 + i, 40000);
    acc.addPending(5);
    const o = acc.toObservation('client');
    // One port, the client's own: nothing to add to client.port.
    expect(o.clientPorts).toBeUndefined();
    const other = new PathAccumulator('capture', client, server);
    other.addRequest(1, 1000, 123);
    expect(other.toObservation('client').clientPorts).toEqual({ count: 1, ports: [123] });
    expect(o.pendingAtEnd).toEqual({ count: 1, frames: [5] });
  });
});

describe('hostile variety', () => {
  it('100 k replies with distinct refids: linear time, at most DISTINCT_VALUES listed, counts intact', () => {
    const client = { ip: '198.51.100.130', port: 40000 };
    const server = { ip: '198.51.100.100', port: 123 };
    const acc = new PathAccumulator('capture', client, server);
    const started = Date.now();
    for (let i = 0; i < 100_000; i++) {
      const seq = acc.addRequest(2 * i + 1, 1000 + i, 40000);
      acc.addOutcome({ ...replyExchange(client, server, 2 * i + 1, 1000 + i), reply: reply(2, 0, `10.${i >>> 16}.${(i >>> 8) & 255}.${i & 255}`) }, seq);
    }
    const o = acc.toObservation('client');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(o.refids).toHaveLength(DISTINCT_VALUES);
    expect(o.replies.count).toBe(100_000);
    expect(o.strata).toEqual([{ value: 2, count: 100_000, frames: o.replies.frames }]);
  });
});
