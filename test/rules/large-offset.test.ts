import { describe, expect, it } from 'vitest';
import rule from '../../rules/large-offset.js';
import { CLIENT, hitsOf, path, SERVER, stats } from './_build.js';
import { ruleTester } from './_tester.js';

describe('large-offset', () => {
  it("finds the seed's client a year behind (offset 31566952.609973 s): past PANICT, an error, ntpd -gq first", () => {
    const p = path({ offset: stats([31566952.61, 31566952.609973], 31566952.609973) });
    const hit = hitsOf(rule, [p])[0]!;
    expect(hit.subject).toBe(SERVER);
    expect(hit.severity).toBe('error');
    expect(hit.title).toBe(`${CLIENT}'s clock is 31566953 s (365.4 days) behind ${SERVER}: past the 1000 s panic threshold`);
    expect(hit.evidence[0]!.text).toBe(`${CLIENT} is 31566953 s (365.4 days) behind ${SERVER} (offset +31566952.610 s, 2 samples)`);
    expect(hit.fixes[0]!.commands).toEqual(['systemctl stop ntpd', 'ntpd -gq', 'systemctl start ntpd']);
    expect(hit.fixes.flatMap((f) => f.commands)).toContain("echo 'makestep 1 3' >> /etc/chrony.conf");
  });

  it('past STEPT only: a warning that names the step behaviour', () => {
    const hit = hitsOf(rule, [path({ offset: stats([-0.5, -0.5], -0.5) })])[0]!;
    expect(hit.severity).toBe('warning');
    expect(hit.title).toBe(`${CLIENT}'s clock is 500.0 ms ahead of ${SERVER}`);
    expect(hit.evidence.at(-1)!.text).toContain('Past STEPT 0.128 s');
  });

  it('says when the offset is one-way (capture at the server: T2 − T1, delay unknown)', () => {
    const hit = hitsOf(rule, [path({ capturedAt: 'server', offsetMethod: 'one-way', offset: stats([3600.02, 3600.03]) })])[0]!;
    expect(hit.evidence[0]!.text).toContain('one-way');
    expect(hit.evidence[1]!.text).toContain('offset ≈ T2 − T1');
    expect(hit.confidence).toBe(0.75);
  });

  it('distrusts inconsistent one-way offsets (a client that puts a random cookie in T1, as chrony does)', () => {
    expect(hitsOf(rule, [path({ offsetMethod: 'one-way', offset: stats([-1.1e9, 2.3e8, 9.9e8]) })])).toEqual([]);
  });
});

ruleTester.run('large-offset', rule, {
  valid: [
    { name: 'a healthy path', observations: () => [path()] },
    { name: '0.127 s off', observations: () => [path({ offset: stats([0.12, 0.127], 0.127) })] },
    { name: 'one-way offsets are not measurements', observations: () => [path({ offsetMethod: 'one-way', offset: stats([-1.1e9, 2.3e8, 9.9e8]) })] },
  ],
  invalid: [
    {
      name: "the seed's clock a year behind",
      observations: () => [path({ offset: stats([31566952.609973], 31566952.609973) })],
      findings: [
        {
          subject: SERVER,
          severity: 'error',
          title: 'past the 1000 s panic threshold',
          evidence: ['is 31566953 s (365.4 days) behind', 'Past PANICT 1000 s'],
        },
      ],
    },
  ],
});
