/**
 * The report's exchange list (src/diagnose/report.ts): bounded, but never without an exchange a finding cites, and
 * `exchangesOmitted` always says how many exchanges are not listed (issue 11 item 10).
 */
import { describe, expect, it } from 'vitest';
import type { NtpExchange } from '../../src/model/exchange.js';
import { buildReport, REPORT_EXCHANGES } from '../../src/diagnose/report.js';
import type { Finding } from '../../src/diagnose/types.js';

function exchange(i: number): NtpExchange {
  return {
    client: { ip: '198.51.100.130', port: 40000 },
    server: { ip: '198.51.100.100', port: 123 },
    requestFrame: 2 * i + 1,
    requestTime: 1000 + i,
    requestVersion: 4,
    requestMode: 3,
    requestTransmit: { seconds: 0, fraction: 0 },
    outcome: 'none',
  };
}

function finding(frames: number[], unit?: 'sample'): Finding {
  return {
    rule: 'no-response',
    severity: 'error',
    confidence: 1,
    title: 't',
    subject: 's',
    evidence: [{ text: 'e', frames, ...(unit ? { unit } : {}) }],
    fixes: [],
  };
}

describe('the report lists the exchanges findings cite', () => {
  const all = Array.from({ length: 300 }, (_, i) => exchange(i));

  it('keeps cited ones past the first REPORT_EXCHANGES, in order, and counts the rest', () => {
    const r = buildReport({ findings: [finding([501, 599])], exchanges: all, exchangesTotal: 1000 });
    expect(r.exchanges).toHaveLength(REPORT_EXCHANGES);
    expect(r.exchanges.map((x) => x.requestFrame)).toContain(501);
    expect(r.exchanges.map((x) => x.requestFrame)).toContain(599);
    const frames = r.exchanges.map((x) => x.requestFrame);
    expect(frames).toEqual([...frames].sort((a, b) => a - b));
    expect(r.exchangesOmitted).toBe(1000 - REPORT_EXCHANGES);
  });

  it('sample numbers of a probe are no frames', () => {
    const r = buildReport({ findings: [finding([599], 'sample')], exchanges: all });
    expect(r.exchanges.map((x) => x.requestFrame)).not.toContain(599);
    expect(r.exchangesOmitted).toBe(100);
  });

  it('always says exchangesOmitted, 0 when all are listed, right after exchanges in the JSON', () => {
    const r = buildReport({ findings: [], exchanges: all.slice(0, 3) });
    expect(r.exchangesOmitted).toBe(0);
    expect(Object.keys(r)).toEqual(['schema', 'findings', 'exchanges', 'exchangesOmitted', 'inputs']);
    expect(buildReport({ findings: [] }).exchangesOmitted).toBe(0);
  });
});
