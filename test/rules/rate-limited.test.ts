import { describe, expect, it } from 'vitest';
import rule from '../../rules/rate-limited.js';
import { CLIENT, diagnose, hitsOf, path, sample, seen, SERVER, T0 } from './_build.js';
import { ruleTester } from './_tester.js';

describe('rate-limited', () => {
  it('finds KoD RATE (ntpd `limited kod`) and asks the client to poll slower first', () => {
    const p = path({
      requests: sample([1, 3, 5, 7, 9, 11, 13, 15], 20),
      replies: sample([2, 4, 6, 8, 10, 12, 14, 16], 20),
      lastRequestTime: T0 + 19,
      minRequestInterval: 1,
      strata: [seen(2, [2, 4, 6]), seen(0, [8, 10, 12], 17)],
      kissCodes: [seen('RATE', [8, 10, 12], 17)],
    });
    const hit = hitsOf(rule, [p])[0]!;
    expect(hit.subject).toBe(SERVER);
    expect(hit.title).toBe(`${SERVER} rate-limits ${CLIENT} (Kiss-o'-Death RATE): it polls too fast`);
    expect(hit.severity).toBe('error');
    expect(hit.evidence[0]!.text).toBe(`${CLIENT} sent 20 requests to ${SERVER}, as often as every 1.000 s, 1.000 s apart on average`);
    expect(hit.evidence[0]!.total).toBe(20);
    expect(hit.evidence[1]!.frames).toEqual([8, 10, 12]);
    expect(hit.fixes[0]!.platform).toBe('chrony');
    expect(hit.fixes[0]!.commands[0]).toBe("sed -i -E '/^(server|pool|peer)[[:space:]]+198\\.51\\.100\\.100([[:space:]]|$)/ s/[[:space:]]+(minpoll -?[0-5]|burst)\\b//g' /etc/chrony.conf");
  });

  it("finds chrony's silent ratelimit: all answered at first, a quarter later, requests every second", () => {
    const p = path({
      requests: sample([1, 2, 3, 4, 5, 6, 7, 8], 16),
      replies: sample([101, 102, 103, 104, 105, 106, 107, 108], 10),
      unanswered: sample([10, 11, 12, 14, 15, 16], 6),
      minRequestInterval: 1,
      lastRequestTime: T0 + 15,
      answeredFirstHalf: 1,
      answeredSecondHalf: 0.25,
    });
    const hit = hitsOf(rule, [p])[0]!;
    expect(hit.title).toBe(`${SERVER} rate-limits ${CLIENT} (63% of its requests answered): it polls too fast`);
    expect(hit.evidence[1]!.text).toContain('(100% of the first half, 25% of the second)');
    expect(hit.confidence).toBe(0.7);
    expect(hit.severity).toBe('warning');
  });

  it('finds a client hammering under 2 s on average that gets only part of its answers, halves or not', () => {
    const p = path({
      requests: sample([1, 3, 5, 6, 7, 9, 11, 12], 16),
      replies: sample([2, 4, 8, 10, 13, 18, 23, 26], 8),
      unanswered: sample([5, 6, 11, 14, 15, 19, 20, 24], 8),
      minRequestInterval: 0.06,
      lastRequestTime: T0 + 9.96,
      answeredFirstHalf: 0.5,
      answeredSecondHalf: 0.5,
    });
    const hit = hitsOf(rule, [p])[0]!;
    expect(hit.title).toContain('(50% of its requests answered)');
    expect(hit.evidence[0]!.text).toContain('664.0 ms apart on average');
  });

  it('absorbs kiss-of-death and no-response on the same server', () => {
    const fast = path({ minRequestInterval: 1, strata: [seen(0, [2])], kissCodes: [seen('RATE', [2])] });
    const denied = path({ client: { ip: '198.51.100.140', port: 123 }, strata: [seen(0, [30])], kissCodes: [seen('DENY', [30])] });
    const findings = diagnose([fast, denied]);
    expect(findings.map((f) => f.rule)).toEqual(['rate-limited']);
    expect(findings[0]!.explains).toEqual(['kiss-of-death']);
  });
});

ruleTester.run('rate-limited', rule, {
  valid: [
    { name: 'a healthy path', observations: () => [path()] },
    { name: 'random loss: half answered throughout', observations: () => [path({ unanswered: sample([3, 7]), answeredFirstHalf: 0.5, answeredSecondHalf: 0.5, minRequestInterval: 1 })] },
    { name: 'thinning, but polling every 64 s: not a rate limit', observations: () => [path({ unanswered: sample([9]), answeredFirstHalf: 1, answeredSecondHalf: 0.2, minRequestInterval: 64 })] },
  ],
  invalid: [
    {
      name: 'a RATE kiss to a client polling every second',
      observations: () => [path({ minRequestInterval: 1, strata: [seen(0, [2])], kissCodes: [seen('RATE', [2])] })],
      findings: [
        {
          subject: SERVER,
          severity: 'warning',
          title: "(Kiss-o'-Death RATE): it polls too fast",
          evidence: ['as often as every 1.000 s', "Kiss-o'-Death RATE: slow down"],
        },
      ],
    },
  ],
});
