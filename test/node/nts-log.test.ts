import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import ntsKeFailure from '../../rules/nts-ke-failure.js';
import { parseNtsLog } from '../../src/inspect/daemon/nts-log.js';
import { runRules } from '../../src/diagnose/engine.js';
import { chronyConfig } from './_build.js';
import { chronySeesNts, NTS_ADDR, ntsProbe } from './_nts.js';

const recorded = readFileSync(new URL('../../fixtures/nts/chronyd-client.log', import.meta.url), 'utf8');

describe("chronyd's NTS-KE log lines", () => {
  it('parses the recorded lines (refused, untrusted certificate) and the timeout message', () => {
    const lines = parseNtsLog(`${recorded}2026-12-06T16:00:00Z NTS-KE session with [2001:db8::1]:4460 (nts6.example.test) timed out\nSelected source 198.51.100.100\n`);
    expect(lines.map((l) => [l.address, l.port, l.name, l.kind])).toEqual([
      ['198.51.100.100', 4460, 'nts.example.test', 'connect'],
      ['198.51.100.100', 4460, 'nts.example.test', 'certificate'],
      ['2001:db8::1', 4460, 'nts6.example.test', 'timeout'],
    ]);
  });

  it('keeps the newest 3 per address and bounds each line', () => {
    const many = Array.from({ length: 50 }, (_, i) => `Could not connect to 198.51.100.100:4460 (n) : Connection refused ${i}${'x'.repeat(1000)}`).join('\n');
    const lines = parseNtsLog(many);
    expect(lines).toHaveLength(3);
    expect(lines[2]?.text.length).toBeLessThanOrEqual(400);
    expect(lines[0]?.text).toContain('refused 47');
  });

  it('the rule: a log line alone fires (no probe, no authdata); outweighed when KE works now', () => {
    const names = { 'nts.example.test': [NTS_ADDR] };
    const conf = chronyConfig('chrony.conf', 'server nts.example.test iburst nts\n', { names });
    const st = chronySeesNts(true);
    const withLog = { ...st, sources: st.sources.map(({ auth: _auth, ...s }) => s), ntsLog: parseNtsLog(recorded) };
    const [f] = runRules([ntsKeFailure], [conf, withLog]);
    expect(f?.title).toMatch(/certificate is not trusted/);
    expect(f?.evidence.some((e) => e.text.startsWith("chronyd's log: ") && e.text.includes('TLS handshake with 198.51.100.100:4460'))).toBe(true);
    const expiredLog = parseNtsLog('TLS handshake with 198.51.100.100:4460 (nts.example.test) failed : Error in the certificate verification. The certificate is NOT trusted. The certificate chain uses expired certificate.');
    expect(runRules([ntsKeFailure], [conf, { ...withLog, ntsLog: expiredLog }])[0]?.title).toMatch(/expired or not yet valid/);
    const healthy = { ...chronySeesNts(true), ntsLog: parseNtsLog(recorded) };
    expect(runRules([ntsKeFailure], [conf, healthy, ntsProbe('ok')])).toEqual([]);
  });
});
