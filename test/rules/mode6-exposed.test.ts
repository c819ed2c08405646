import { describe, expect, it } from 'vitest';
import rule from '../../rules/mode6-exposed.js';
import { control, hitsOf, SERVER } from './_build.js';
import { ruleTester } from './_tester.js';

describe('mode6-exposed', () => {
  it('flags monlist answers to the network (CVE-2013-5211) with the amplification factor', () => {
    const hit = hitsOf(rule, [control()])[0]!;
    expect(hit.subject).toBe(SERVER);
    expect(hit.title).toContain('monlist (mode 7)');
    expect(hit.evidence[0]!.text).toBe(`${SERVER} answered 1 request from 203.0.113.66 in mode 7 (ntpdc, monlist) with 6 responses: 2640 bytes out for 192 in (×13.8)`);
    expect(hit.fixes[0]!.commands).toContain("echo 'disable monitor' >> /etc/ntp.conf");
    expect(hit.fixes[0]!.commands).toContain("echo 'restrict default kod nomodify notrap nopeer noquery' >> /etc/ntp.conf");
    expect(hit.fixes[1]!.commands[0]).toBe("echo 'restrict default kod nomodify nopeer noquery limited' >> /etc/ntpsec/ntp.conf");
  });

  it('flags mode 6 (ntpq) answers too', () => {
    const hit = hitsOf(rule, [control({ mode: 6, codes: [2], requestBytes: 12, responseBytes: 468 })])[0]!;
    expect(hit.title).toBe(`${SERVER} answers ntpq (mode 6) queries from the network`);
  });
});

ruleTester.run('mode6-exposed', rule, {
  valid: [
    { name: 'unanswered queries', observations: () => [control({ responses: { count: 0, frames: [] }, responseBytes: 0 })] },
    { name: 'queries from the host itself', observations: () => [control({ client: '127.0.0.1' })] },
    { name: "queries from the server's own address", observations: () => [control({ client: SERVER })] },
  ],
  invalid: [
    {
      name: 'monlist answered to the network',
      observations: () => [control()],
      findings: [{ subject: SERVER, severity: 'warning', title: 'monlist (mode 7)', evidence: ['2640 bytes out for 192 in (×13.8)', 'CVE-2013-5211'] }],
    },
    {
      name: 'mode 6 (ntpq) answered to the network',
      observations: () => [control({ mode: 6, codes: [2], requestBytes: 12, responseBytes: 468 })],
      findings: [{ subject: SERVER, severity: 'warning', title: `${SERVER} answers ntpq (mode 6) queries from the network`, evidence: ['in mode 6'] }],
    },
  ],
});
