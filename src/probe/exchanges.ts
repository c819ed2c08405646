/**
 * A probe's samples as the same NtpExchange records a capture yields (src/model/exchange.ts), so the same
 * path summary (src/observe/path.ts) and the same rules judge both. Frames are 1-based sample indexes.
 */
import type { NtpExchange, ReplySummary } from '../model/exchange.js';
import { summarizePath } from '../observe/path.js';
import type { NtpPathObservation } from '../model/observation.js';
import type { ProbeAddressInput } from '../model/report-input.js';
import type { AddressProbe, ProbeSample } from './client.js';

function replySummary(s: ProbeSample): ReplySummary | undefined {
  const p = s.packet;
  if (!p) return undefined;
  return {
    leap: p.leap,
    version: p.version,
    mode: p.mode,
    stratum: p.stratum,
    poll: p.poll,
    precision: p.precision,
    rootDelay: p.rootDelay,
    rootDispersion: p.rootDispersion,
    refid: p.refid,
    refidText: s.refidText ?? '',
    referenceTime: p.referenceTime,
    originTime: p.originTime,
    receiveTime: p.receiveTime,
    transmitTime: p.transmitTime,
  };
}

export function sampleToExchange(probe: AddressProbe, s: ProbeSample): NtpExchange {
  const x: NtpExchange = {
    client: { ip: s.localAddress, port: s.localPort },
    server: { ip: probe.address, port: probe.port },
    requestFrame: s.index,
    requestTime: s.sentAt,
    requestVersion: probe.version,
    requestMode: 3,
    requestTransmit: s.transmit,
    outcome: s.outcome,
    offsetMethod: 'probe',
  };
  const reply = replySummary(s);
  if (s.outcome === 'reply' && reply) {
    x.replyFrame = s.index;
    if (s.receivedAt !== undefined) x.replyTime = s.receivedAt;
    x.reply = reply;
    if (s.offset !== undefined) x.offset = s.offset;
    if (s.delay !== undefined) x.delay = s.delay;
    if (s.bogus.length) x.bogus = [...s.bogus];
  }
  if (s.outcome === 'icmp' && s.errno && s.errno.causes.length) {
    const [first, ...rest] = s.errno.causes;
    if (first) {
      x.icmp = {
        frame: s.index,
        version: first.version,
        type: first.type,
        code: first.code,
        // The socket does not say who sent the ICMP error; the server is the usual reporter of a REJECT.
        reporter: probe.address,
        errno: s.errno.errno,
      };
      if (rest.length) x.icmp.alternatives = rest.map((c) => ({ type: c.type, code: c.code }));
    }
  }
  return x;
}

export function probeExchanges(probe: AddressProbe): NtpExchange[] {
  return probe.samples.map((s) => sampleToExchange(probe, s));
}

/** The path observation of one probed address: what the rules read. */
export function probeObservation(probe: AddressProbe, exchanges = probeExchanges(probe)): NtpPathObservation {
  const first = probe.samples[0];
  return summarizePath({
    source: 'probe',
    client: { ip: first?.localAddress ?? '', port: first?.localPort ?? 0 },
    server: { ip: probe.address, port: probe.port },
    capturedAt: 'client',
    exchanges,
  });
}

/**
 * What a report says about one probed address, built once for every run that probes (src/run/probe.ts, node.ts).
 * `probe HOST` names the host it resolved and adds our precision and the best sample; `diagnose` names where the
 * server comes from (`from`: 'FILE:LINE' or '--server').
 */
export function probeInput(p: AddressProbe, origin: { host: string } | { from: string }): ProbeAddressInput {
  const input: ProbeAddressInput = {
    kind: 'probe',
    name: `${p.family === 6 ? `[${p.address}]` : p.address}:${p.port}`,
    ...origin,
    samples: p.samples.length,
    replies: p.samples.filter((s) => s.outcome === 'reply').length,
  };
  if ('host' in origin) {
    input.precision = p.precision;
    if (p.best !== undefined) input.best = p.best;
  }
  if (p.stoppedEarly) input.stoppedEarly = p.stoppedEarly;
  return input;
}
