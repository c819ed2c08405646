import { describe, expect, it } from 'vitest';
import rule from '../../rules/root-distance-too-large.js';
import { hitsOf, path, seen, SERVER, stats } from './_build.js';
import { ruleTester } from './_tester.js';

/** Seed's final server: `Root Delay: 0.000000, Root dispersion: 7.947586` … 7.947677, stratum 6, refid 127.127.1.1. */
const seedFinal = () =>
  path({
    strata: [seen(6, [2, 4, 6, 8])],
    refids: [seen('127.127.1.1', [2, 4, 6, 8])],
    rootDelay: stats([0, 0, 0, 0]),
    rootDispersion: stats([7.947586, 7.947616, 7.947647, 7.947677]),
    rootDistance: stats([7.947586, 7.947616, 7.947647, 7.947677]),
  });

describe('root-distance-too-large', () => {
  it("finds the seed's 7.9 s root dispersion: every ntpd, NTPsec and chrony client rejects it", () => {
    const hit = hitsOf(rule, [seedFinal()])[0]!;
    expect(hit.subject).toBe(SERVER);
    expect(hit.severity).toBe('error');
    expect(hit.title).toBe(`${SERVER}'s root distance is 7.948 s: ntpd, NTPsec and chrony clients all reject it`);
    expect(hit.evidence[0]).toEqual({
      text: `${SERVER}'s replies carry root distance 7.948 s at best (root delay 0 s, root dispersion 7.948 s–7.948 s)`,
      frames: [2, 4, 6, 8],
      unit: 'frame',
    });
    expect(hit.evidence[1]!.text).toBe('Rejected by RFC 5905 clients (MAXDIST 1 s), ntpd and NTPsec (tos maxdist 1.5 s), chrony (maxdistance 3 s)');
    expect(hit.fixes.flatMap((f) => f.commands)).toContain("echo 'tos maxdist 9' >> /etc/ntp.conf");
    expect(hit.fixes.flatMap((f) => f.commands)).toContain("echo 'maxdistance 9' >> /etc/chrony.conf");
  });

  it('grades by who rejects: 1.2 s is a warning (over the RFC limit only), 2 s an error for ntpd', () => {
    const at = (d: number) => hitsOf(rule, [path({ rootDistance: stats([d, d + 0.1]) })])[0]!;
    expect(at(1.2).severity).toBe('warning');
    expect(at(1.2).evidence[1]!.text).toContain('ntpd (1.5 s) and chrony (3 s) still accept it');
    expect(at(2).severity).toBe('error');
    expect(at(2).title).toContain('ntpd and NTPsec clients reject it');
  });
});

ruleTester.run('root-distance-too-large', rule, {
  valid: [
    { name: 'a healthy path (0.04 s)', observations: () => [path()] },
    { name: 'at best 0.9 s: under every limit', observations: () => [path({ rootDistance: stats([0.9, 5]) })] },
  ],
  invalid: [
    {
      name: 'root distance 7.9 s',
      observations: () => [path({ rootDistance: stats([7.947586, 7.947677]) })],
      findings: [
        {
          subject: SERVER,
          severity: 'error',
          title: "root distance is 7.948 s",
          evidence: ['carry root distance 7.948 s at best', 'chrony (maxdistance 3 s)'],
        },
      ],
    },
  ],
});
