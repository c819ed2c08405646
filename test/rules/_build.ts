/**
 * Observation builders for rule unit tests. Defaults describe a healthy exchange; each test overrides only the
 * facts it is about. Numbers come from the seed write-ups (shared/seeds/000_*.txt) with its 192.168.1.x hosts moved to
 * the documentation range the project uses: node0 192.168.1.100 → 198.51.100.100, node3 192.168.1.130 → 198.51.100.130.
 */
import { makeContext, runRules } from '../../src/diagnose/engine.js';
import type { Finding, Hit, Rule } from '../../src/diagnose/types.js';
import type { NtpExchange } from '../../src/model/exchange.js';
import type {
  ChecksumObservation,
  ControlObservation,
  FrameSample,
  IcmpSeen,
  NtpPathObservation,
  Observation,
  Stats,
  ValueSeen,
} from '../../src/model/observation.js';
import { rules } from '../../rules/index.js';

export const SERVER = '198.51.100.100';
export const CLIENT = '198.51.100.130';
/** Seed: `08:44:03.717606 … 192.168.1.130.42275 > 192.168.1.100.ntp` (the firewall-reject capture). */
export const CLIENT_PORT = 42275;
/** 2016-02-02 08:44:03 UTC, the seed's first capture. */
export const T0 = 1454402643.717606;

export function sample(frames: number[], count = frames.length): FrameSample {
  return { count, frames };
}

export function seen<T>(value: T, frames: number[], count = frames.length): ValueSeen<T> {
  return { value, count, frames };
}

export function stats(values: number[], best?: number): Stats {
  const s: Stats = {
    count: values.length,
    min: Math.min(...values),
    max: Math.max(...values),
    mean: values.reduce((a, b) => a + b, 0) / values.length,
  };
  if (best !== undefined) s.best = best;
  return s;
}

export function icmp(type: number, code: number, frames: number[], reporter = SERVER, version: 4 | 6 = 4): IcmpSeen {
  return { version, type, code, reporter, count: frames.length, frames };
}

/**
 * A healthy path: 4 requests 2 s apart (ntpdate -d's pace in the seed), 4 replies at stratum 3, leap 0, refid of an
 * upstream, root distance 0.04 s, offset −0.047 s (the seed's `offset -0.047470` after the fix), captured at the client.
 */
export function path(over: Partial<NtpPathObservation> = {}): NtpPathObservation {
  const base: NtpPathObservation = {
    kind: 'ntp-path',
    source: 'capture',
    client: { ip: CLIENT, port: CLIENT_PORT },
    server: { ip: SERVER, port: 123 },
    capturedAt: 'client',
    requests: sample([1, 3, 5, 7]),
    unanswered: sample([]),
    replies: sample([2, 4, 6, 8]),
    icmp: [],
    firstRequestTime: T0,
    lastRequestTime: T0 + 6,
    minRequestInterval: 2,
    strata: [seen(3, [2, 4, 6, 8])],
    leaps: [seen(0, [2, 4, 6, 8])],
    refids: [seen('203.0.113.5', [2, 4, 6, 8])],
    kissCodes: [],
    bogus: [],
    rootDelay: stats([0.02, 0.02, 0.02, 0.02]),
    rootDispersion: stats([0.03, 0.03, 0.03, 0.03]),
    rootDistance: stats([0.04, 0.04, 0.04, 0.04]),
    offset: stats([-0.04751, -0.04749, -0.04747, -0.04745], -0.04747),
    delay: stats([0.02583, 0.02583, 0.0258, 0.02583], 0.0258),
    offsetMethod: 'capture-client',
    answeredFirstHalf: 1,
    answeredSecondHalf: 1,
    exchanges: [],
  };
  return { ...base, ...over };
}

/** A path with no replies: `requests` frames all unanswered, nothing else seen (the seed's "Server dropped: no data"). */
export function silentPath(frames = [1, 2, 3, 4], over: Partial<NtpPathObservation> = {}): NtpPathObservation {
  const p = path({ requests: sample(frames), unanswered: sample(frames), replies: sample([]), ...over });
  return stripReplies(p, over);
}

/** A path whose requests drew ICMP errors instead of replies (frames alternate request, ICMP). */
export function icmpPath(error: IcmpSeen, over: Partial<NtpPathObservation> = {}): NtpPathObservation {
  const requests = sample(error.frames.map((f) => f - 1));
  const p = path({ requests, unanswered: sample([]), replies: sample([]), icmp: [error], ...over });
  return stripReplies(p, over);
}

function stripReplies(p: NtpPathObservation, over: Partial<NtpPathObservation>): NtpPathObservation {
  const out: NtpPathObservation = { ...p, strata: over.strata ?? [], leaps: over.leaps ?? [], refids: over.refids ?? [] };
  for (const k of ['rootDelay', 'rootDispersion', 'rootDistance', 'offset', 'delay', 'offsetMethod'] as const) {
    if (!(k in over)) delete out[k];
  }
  return out;
}

export function checksum(over: Partial<ChecksumObservation> = {}): ChecksumObservation {
  return {
    kind: 'udp-checksum',
    source: 'capture',
    sender: CLIENT,
    bad: sample([1, 3, 5, 7]),
    good: 0,
    sentByCaptureHost: true,
    basis: 'the capture marks 4 of them as outgoing (Linux cooked capture)',
    ...over,
  };
}

export function control(over: Partial<ControlObservation> = {}): ControlObservation {
  return {
    kind: 'ntp-control',
    source: 'capture',
    server: SERVER,
    client: '203.0.113.66',
    mode: 7,
    requests: sample([1]),
    responses: sample([2, 3, 4, 5, 6, 7]),
    requestBytes: 192,
    // monlist: up to 6 × 440-octet packets (100 × 72-octet entries) for one 192-octet request.
    responseBytes: 2640,
    codes: [42],
    ...over,
  };
}

/** A reply exchange for `exchanges` samples (reference/transmit times drive server-unsynchronized's "fresh" test). */
export function replyExchange(frame: number, reply: Partial<NonNullable<NtpExchange['reply']>> = {}): NtpExchange {
  const ts = { seconds: 3663364755, fraction: 0 };
  return {
    client: { ip: CLIENT, port: CLIENT_PORT },
    server: { ip: SERVER, port: 123 },
    requestFrame: frame - 1,
    requestTime: T0,
    requestVersion: 4,
    requestMode: 3,
    requestTransmit: ts,
    outcome: 'reply',
    replyFrame: frame,
    reply: {
      leap: 0,
      version: 4,
      mode: 4,
      stratum: 3,
      poll: 3,
      precision: -23,
      rootDelay: 0,
      rootDispersion: 0,
      refid: 0,
      refidText: '',
      referenceTime: { seconds: 0, fraction: 0 },
      originTime: ts,
      receiveTime: ts,
      transmitTime: ts,
      ...reply,
    },
  };
}

/** One rule's hits on some observations. */
export function hitsOf(rule: Rule, observations: Observation[]): Hit[] {
  return rule.match(makeContext(observations));
}

/** Every registered rule through the engine: ranked, folded findings. */
export function diagnose(observations: Observation[]): Finding[] {
  return runRules(rules, observations);
}

/** The engine on one rule only: its findings with meta applied (severity, fixes sorted). */
export function findingsOf(rule: Rule, observations: Observation[]): Finding[] {
  return runRules([rule], observations);
}
