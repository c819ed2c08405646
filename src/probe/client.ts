/**
 * The probe's NTP client (RFC 5905 client mode): N samples to one address, each on its own socket, checked the
 * way a real client checks a reply (RFC 5905 §8 packet tests), with offset, delay and dispersion per sample.
 * Verdicts are not made here: the samples become exchanges (./exchanges.ts) that the shared rules judge.
 */
import { encodeNtp } from '../ntp/codec.js';
import { describeRefid } from '../ntp/refid.js';
import { DISCARD_TESTS, packetTests, type PacketTestResult } from '../ntp/tests.js';
import type { NtpTimePacket, NtpTimestamp } from '../ntp/types.js';
import { ntpToUnixNs, unixNsToNtp, type WallClock } from '../net/clock.js';
import { readErrno, type ErrnoReading } from './errno.js';
import { MAX_STRAYS, udpExchange, type StrayDatagram } from './socket.js';
import { writeTimestamp } from '../ntp/wire.js';

/** RFC 5905 §7.2: PHI, the frequency tolerance (15 ppm) that grows dispersion with time. */
const PHI = 15e-6;

export interface ProbeOptions {
  /** Samples to send (ntpdate sends 4). */
  samples: number;
  /** Seconds to wait for each answer. */
  timeout: number;
  /** Seconds between two answered samples: 2 s, ntpd's iburst spacing (ntp_proto.c, BURST_INTERVAL). */
  interval: number;
  /** NTP version to send (4; 3 for old servers). */
  version?: number;
  clock: WallClock;
  /** Called as each sample finishes (for a live transcript). */
  onSample?: (s: ProbeSample) => void;
}

export interface ProbeSample {
  /** 1-based: the exchange's requestFrame/replyFrame. */
  index: number;
  localAddress: string;
  localPort: number;
  /** T1 as sent in our transmit timestamp. */
  transmit: NtpTimestamp;
  /** T1 and T4 in seconds since the Unix epoch. */
  sentAt: number;
  receivedAt?: number;
  outcome: 'reply' | 'icmp' | 'none';
  /** The decoded reply (time packets only). */
  packet?: NtpTimePacket;
  refidText?: string;
  replyLength?: number;
  requestLength: number;
  /**
   * RFC 5905 §8 θ, δ, ε (seconds). Present only when the reply passed every packet test (chrony's good_packet):
   * a KoD, an unsynchronised server's reply or a failing one never feeds an offset.
   */
  offset?: number;
  delay?: number;
  dispersion?: number;
  /**
   * Failed tests that make a datagram no answer at all (format, mode, duplicate, origin-mismatch, zero-…): set
   * when nothing better than such a datagram came back, which is then the sample's `packet`.
   */
  bogus: string[];
  /** Tests the answer failed that keep it from feeding an offset (unsynchronized, root-distance, delay, sync-loop). */
  rejected?: string[];
  /** The answer's tests as chrony's `tests` bits (test1 … testD, 1 = passed; src/ntp/tests.ts). */
  tests?: number;
  /** Datagrams this request drew that were not taken for its answer, before it (discarded) or after it (late). */
  strays?: StrayRecord[];
  /** Strays beyond what is kept (a flood), only counted. */
  straysDropped?: number;
  errno?: ErrnoReading;
  /** A datagram came back that is not an NTP time packet, or a local failure: said in words. */
  note?: string;
}

/** One datagram the client threw away, and why (the failed tests' names). */
export interface StrayRecord {
  when: 'before' | 'after';
  /** Arrival, seconds since the Unix epoch. */
  at: number;
  length: number;
  failed: string[];
  /** What it carried, when the header decoded (for the transcript). */
  mode?: number;
  stratum?: number;
  leap?: number;
}

export interface AddressProbe {
  address: string;
  family: 4 | 6;
  port: number;
  /** NTP version we sent. */
  version: number;
  samples: ProbeSample[];
  /** Index (1-based) of the lowest-delay valid sample: ntpd's clock filter choice (RFC 5905 §10). */
  best?: number;
  /** Our precision, log2 s. */
  precision: number;
  /** Why fewer samples than asked were sent. */
  stoppedEarly?: string;
}

function nsToSeconds(ns: bigint): number {
  return Number(ns) / 1e9;
}

/** The request: LI 3 (we claim no time), client mode, our precision; only the transmit timestamp matters to a server. */
export function buildRequest(t1: NtpTimestamp, precision: number, version: number, poll: number): Uint8Array {
  return encodeNtp({
    kind: 'time',
    leap: 3,
    version,
    mode: 3,
    stratum: 0,
    poll,
    precision,
    rootDelay: 0,
    rootDispersion: 0,
    refid: 0,
    referenceTime: { seconds: 0, fraction: 0 },
    originTime: { seconds: 0, fraction: 0 },
    receiveTime: { seconds: 0, fraction: 0 },
    transmitTime: t1,
    extensions: [],
  });
}

/** Octet offset of the transmit timestamp in the NTP header (RFC 5905 §7.3, figure 8). */
const TRANSMIT_OFFSET = 40;

/**
 * A copy of the request template with T1 written in: a slice and two 32-bit writes. Encoding the whole packet
 * costs ~40 µs in Node (measured in the lab, 2 cores): done before T1 is read, it would sit between T1 and the
 * send and bias every offset by half of it (+20 µs against chronyd -Q, measured before this change).
 */
export function stampRequest(template: Uint8Array, t1: NtpTimestamp): Uint8Array {
  const b = template.slice();
  writeTimestamp(b, TRANSMIT_OFFSET, t1);
  return b;
}

/** θ, δ, ε of one reply (RFC 5905 §8), exact in nanoseconds until the final division. */
export function sampleTimes(
  p: NtpTimePacket,
  t1Ns: bigint,
  t4Ns: bigint,
  localPrecision: number,
): { offset: number; delay: number; dispersion: number } {
  const t2 = ntpToUnixNs(p.receiveTime, t1Ns);
  const t3 = ntpToUnixNs(p.transmitTime, t1Ns);
  const offsetNs2 = t2 - t1Ns + (t3 - t4Ns); // 2θ
  const delayNs = t4Ns - t1Ns - (t3 - t2);
  const delay = nsToSeconds(delayNs);
  return {
    offset: Number(offsetNs2) / 2e9,
    delay,
    // RFC 5905 A.5.1.1: ε = 2^ρ(server) + 2^ρ(client) + PHI·(T4 − T1).
    dispersion: 2 ** p.precision + 2 ** localPrecision + PHI * nsToSeconds(t4Ns - t1Ns),
  };
}

/**
 * How long to keep listening after an answer, to log what else the request draws (a flood, a second reply):
 * until the next request is due (the wait happens anyway), at most 2 s; after the last one, 200 ms.
 */
function lingerFor(index: number, opts: ProbeOptions): number {
  if (index >= opts.samples) return Math.min(200, opts.interval * 1000);
  return Math.min(2000, opts.interval * 1000);
}

function strayRecord(when: 'before' | 'after', d: StrayDatagram, verdict: PacketTestResult): StrayRecord {
  const out: StrayRecord = { when, at: nsToSeconds(d.t4Ns), length: d.bytes.length, failed: verdict.failed };
  if (verdict.packet) {
    out.mode = verdict.packet.mode;
    out.stratum = verdict.packet.stratum;
    out.leap = verdict.packet.leap;
  } else if (d.bytes.length > 0) {
    out.mode = (d.bytes[0] as number) & 7;
  }
  return out;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Probes one address. Schedule: answered samples `interval` apart (iburst); after a silent sample the next goes
 * at once (its timeout already spaced it). Stops early when the verdict cannot change: two samples that both
 * drew an ICMP error, or three that drew nothing — so a dead server is judged in ≤ 3 × timeout (3 s by default).
 */
export async function probeAddress(address: string, family: 4 | 6, port: number, opts: ProbeOptions): Promise<AddressProbe> {
  const { clock } = opts;
  const version = opts.version ?? 4;
  const poll = Math.max(0, Math.min(17, Math.round(Math.log2(Math.max(1, opts.interval)))));
  const samples: ProbeSample[] = [];
  const template = buildRequest({ seconds: 0, fraction: 0 }, clock.precision, version, poll);
  const out: AddressProbe = { address, family, port, version, samples, precision: clock.precision };
  let lastSendNs = 0n;
  // Receive and transmit timestamps of the last valid reply (test 1, duplicate).
  let previous: { receiveTime: NtpTimestamp; transmitTime: NtpTimestamp } | undefined;
  for (let index = 1; index <= opts.samples; index++) {
    const prev = samples[samples.length - 1];
    if (prev && prev.outcome !== 'none') {
      const waitMs = Number(lastSendNs + BigInt(Math.round(opts.interval * 1e9)) - clock.nowNs()) / 1e6;
      if (waitMs > 0) await sleep(waitMs);
    }
    let t1: NtpTimestamp = { seconds: 0, fraction: 0 };
    // Each datagram is tested as it arrives (src/ntp/tests.ts); only a valid one (format, mode, tests 1–3, 5)
    // ends the wait, as chrony's client socket stays open until a valid response.
    const judged = new Map<Uint8Array, PacketTestResult>();
    let answered = false;
    const judge = (bytes: Uint8Array, t4Ns: bigint): PacketTestResult => {
      const r = packetTests(bytes, { sent: t1, arrived: unixNsToNtp(t4Ns), answered, precision: clock.precision, ...(previous ? { previous } : {}) });
      // Bounded like the strays themselves: a flood must not grow memory (the socket keeps MAX_STRAYS of them).
      if (judged.size <= MAX_STRAYS) judged.set(bytes, r);
      return r;
    };
    const r = await udpExchange({
      address,
      port,
      family,
      clock,
      timeoutMs: opts.timeout * 1000,
      lingerMs: lingerFor(index, opts),
      build: (t1Ns) => {
        t1 = unixNsToNtp(t1Ns);
        return stampRequest(template, t1);
      },
      accept: (bytes, t4Ns) => {
        const verdict = judge(bytes, t4Ns);
        if (!verdict.valid) return false;
        answered = true;
        const p = verdict.packet as NtpTimePacket;
        previous = { receiveTime: p.receiveTime, transmitTime: p.transmitTime };
        return true;
      },
    });
    lastSendNs = r.t1Ns !== 0n ? r.t1Ns : clock.nowNs();
    const sample: ProbeSample = {
      index,
      localAddress: r.localAddress,
      localPort: r.localPort,
      transmit: t1,
      sentAt: nsToSeconds(lastSendNs),
      outcome: 'none',
      requestLength: r.sentBytes,
      bogus: [],
    };
    const strays = [
      ...r.discarded.map((d) => strayRecord('before', d, judged.get(d.bytes) ?? judge(d.bytes, d.t4Ns))),
      // After the answer every datagram fails test 2 at least: chrony accepts one response per request.
      ...r.late.map((d) => strayRecord('after', d, judge(d.bytes, d.t4Ns))),
    ];
    if (strays.length) sample.strays = strays;
    if (r.dropped) sample.straysDropped = r.dropped;
    if (r.kind === 'error') {
      sample.errno = readErrno(r.errno, family);
      if (sample.errno.causes.length > 0) sample.outcome = 'icmp';
      else sample.note = sample.errno.text;
    } else if (r.kind === 'reply') {
      const verdict = judged.get(r.bytes) ?? judge(r.bytes, r.t4Ns);
      const m = verdict.packet as NtpTimePacket;
      sample.receivedAt = nsToSeconds(r.t4Ns);
      sample.replyLength = r.bytes.length;
      sample.outcome = 'reply';
      sample.packet = m;
      sample.refidText = describeRefid(m.stratum, m.refid, family).text;
      sample.tests = verdict.bits;
      // Only a good packet (tests 6, 7, A–D passed too) feeds an offset: a KoD, an unsynchronised server or a
      // hopeless delay gives none (RFC 5905 §7.4, §8; chrony process_response).
      if (verdict.good) Object.assign(sample, sampleTimes(m, r.t1Ns, r.t4Ns, clock.precision));
      else sample.rejected = verdict.failed;
    } else {
      // No valid answer: the first datagram that at least decoded as a time packet stands for what came back.
      const first = r.discarded.find((d) => judged.get(d.bytes)?.packet !== undefined);
      const verdict = first ? judged.get(first.bytes) : undefined;
      if (first && verdict?.packet) {
        const m = verdict.packet;
        sample.outcome = 'reply';
        sample.packet = m;
        sample.receivedAt = nsToSeconds(first.t4Ns);
        sample.replyLength = first.bytes.length;
        sample.refidText = describeRefid(m.stratum, m.refid, family).text;
        sample.tests = verdict.bits;
        sample.bogus = verdict.failed.filter((f) => DISCARD_TESTS.has(f));
      } else if (r.discarded.length || r.dropped) {
        const n = r.discarded.length + r.dropped;
        sample.note = `${n} datagram${n === 1 ? '' : 's'} came back, none an NTP time packet (${strays[0]?.failed.join(', ') ?? 'not kept'})`;
      }
    }
    samples.push(sample);
    opts.onSample?.(sample);
    if (samples.length >= 2 && samples.every((s) => s.outcome === 'icmp') && index < opts.samples) {
      out.stoppedEarly = `every sample drew an ICMP error; ${opts.samples - index} more would say the same`;
      break;
    }
    if (samples.length >= 3 && samples.every((s) => s.outcome === 'none' && !s.note) && index < opts.samples) {
      out.stoppedEarly = `no answer to ${samples.length} samples in ${samples.length * opts.timeout} s`;
      break;
    }
  }
  let bestDelay = Infinity;
  for (const s of samples) {
    if (s.delay !== undefined && s.delay < bestDelay) {
      bestDelay = s.delay;
      out.best = s.index;
    }
  }
  return out;
}
