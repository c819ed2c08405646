import { describe, expect, it } from 'vitest';
import rule from '../../rules/bogus-reply.js';
import { CLIENT, hitsOf, path, seen, SERVER } from './_build.js';
import { ruleTester } from './_tester.js';

describe('bogus-reply', () => {
  it('names each failed RFC 5905 test with its frames', () => {
    const hit = hitsOf(rule, [path({ bogus: [seen('origin-mismatch', [4, 6]), seen('receive-after-transmit', [8])] })])[0]!;
    expect(hit.subject).toBe(SERVER);
    expect(hit.severity).toBeUndefined();
    expect(hit.title).toBe(`${SERVER}'s replies fail the RFC 5905 packet tests (origin-mismatch, receive-after-transmit): clients discard them`);
    expect(hit.evidence[0]).toEqual({
      text: `2 replies ${CLIENT}:42275→${SERVER}:123: its origin timestamp is not the client's transmit timestamp (bogus: not an answer to this request)`,
      frames: [4, 6],
      unit: 'frame',
    });
    expect(hit.evidence[1]!.text).toContain('receive time T2 is later than its transmit time T3');
    expect(hit.fixes.length).toBeGreaterThanOrEqual(2);
  });

  it('treats duplicates alone as a likely capture artifact: warning, low confidence', () => {
    const hit = hitsOf(rule, [path({ bogus: [seen('duplicate', [5])] })])[0]!;
    expect(hit.severity).toBe('warning');
    expect(hit.confidence).toBe(0.5);
  });
});

ruleTester.run('bogus-reply', rule, {
  valid: [{ name: 'a healthy path', observations: () => [path()] }],
  invalid: [
    {
      name: 'an origin timestamp that is not the request\'s',
      observations: () => [path({ bogus: [seen('origin-mismatch', [4])] })],
      findings: [{ subject: SERVER, severity: 'error', title: 'fail the RFC 5905 packet tests (origin-mismatch)', evidence: ["its origin timestamp is not the client's transmit timestamp"] }],
    },
  ],
});
