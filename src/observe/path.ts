import type { Endpoint, NtpExchange } from '../model/exchange.js';
import { PathAccumulator } from './accumulate.js';
import type { NtpPathObservation } from '../model/observation.js';

/**
 * One path observation from a list of finished exchanges (the probe's samples). The capture correlator uses the
 * same PathAccumulator incrementally, so a probe and a capture of the same traffic give the same observation.
 */
export function summarizePath(input: {
  source: 'capture' | 'probe';
  client: Endpoint;
  server: Endpoint;
  capturedAt: NtpPathObservation['capturedAt'];
  exchanges: readonly NtpExchange[];
}): NtpPathObservation {
  const acc = new PathAccumulator(input.source, input.client, input.server);
  const ordered = [...input.exchanges].sort((a, b) => a.requestTime - b.requestTime || a.requestFrame - b.requestFrame);
  for (const x of ordered) acc.addOutcome(x, acc.addRequest(x.requestFrame, x.requestTime));
  return acc.toObservation(input.capturedAt);
}
