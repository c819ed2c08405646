import { describe, expect, it } from 'vitest';
import rule from '../../rules/kiss-of-death.js';
import { CLIENT, diagnose, hitsOf, path, seen, SERVER } from './_build.js';
import { ruleTester } from './_tester.js';

const kod = (code: string) => path({ strata: [seen(0, [2, 4])], leaps: [seen(3, [2, 4])], refids: [seen(code, [2, 4])], kissCodes: [seen(code, [2, 4])] });

describe('kiss-of-death', () => {
  it('names a DENY and offers the access-control fixes', () => {
    const hit = hitsOf(rule, [kod('DENY')])[0]!;
    expect(hit.subject).toBe(SERVER);
    expect(hit.title).toBe(`${SERVER} sends Kiss-o'-Death DENY: Access denied by remote server`);
    expect(hit.evidence[0]).toEqual({ text: `2 replies to ${CLIENT} were Kiss-o'-Death DENY: Access denied by remote server`, frames: [2, 4], unit: 'frame' });
    expect(hit.fixes.map((f) => f.platform)).toEqual(['ntpd', 'ntpsec', 'chrony']);
  });

  it('offers key/NTS fixes for CRYP and NTSN', () => {
    expect(hitsOf(rule, [kod('CRYP')])[0]!.fixes.map((f) => f.platform)).toEqual(['ntpd', 'chrony']);
    expect(hitsOf(rule, [kod('NTSN')])[0]!.title).toContain('NTSN');
  });

  it('leaves RATE to rate-limited and INIT/STEP to server-unsynchronized', () => {
    expect(hitsOf(rule, [kod('RATE')])).toEqual([]);
    expect(hitsOf(rule, [kod('INIT')])).toEqual([]);
    expect(hitsOf(rule, [kod('STEP')])).toEqual([]);
    expect(diagnose([kod('INIT')]).map((f) => f.rule)).toEqual(['server-unsynchronized']);
  });
});

ruleTester.run('kiss-of-death', rule, {
  valid: [
    { name: 'ordinary replies', observations: () => [path()] },
    { name: 'RATE is rate-limited\'s', observations: () => [kod('RATE')] },
    { name: 'INIT is server-unsynchronized\'s', observations: () => [kod('INIT')] },
  ],
  invalid: [
    {
      name: 'a DENY',
      observations: () => [path({ strata: [seen(0, [2])], leaps: [seen(3, [2])], refids: [seen('DENY', [2])], kissCodes: [seen('DENY', [2])] })],
      findings: [{ subject: SERVER, severity: 'error', title: "Kiss-o'-Death DENY", evidence: ["1 reply to 198.51.100.130 were Kiss-o'-Death DENY: Access denied by remote server"] }],
    },
    {
      name: 'CRYP',
      observations: () => [kod('CRYP')],
      findings: [{ subject: SERVER, severity: 'error', title: 'CRYP', evidence: ["Kiss-o'-Death CRYP"] }],
    },
  ],
});
