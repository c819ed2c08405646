import { describe, expect, it } from 'vitest';
import rule from '../../rules/bad-checksum.js';
import { checksum, CLIENT, hitsOf, path, SERVER, silentPath } from './_build.js';
import { ruleTester } from './_tester.js';

describe('bad-checksum', () => {
  it("reports corruption on datagrams received from another host (the server's replies)", () => {
    const obs = checksum({ sender: SERVER, bad: { count: 4, frames: [2, 4, 6, 8] }, sentByCaptureHost: false, basis: `${SERVER} is not one of the capture host's addresses` });
    const hit = hitsOf(rule, [obs, path()])[0]!;
    expect(hit.subject).toBe(SERVER);
    expect(hit.title).toBe(`Datagrams from ${SERVER} arrive with bad UDP checksums: corrupted on the way`);
    expect(hit.evidence[0]!.frames).toEqual([2, 4, 6, 8]);
    expect(hit.evidence.map((e) => e.text)).toContain(`These include ${SERVER}'s NTP replies: the client's kernel discards them, so its daemon sees no answer`);
    expect(hit.fixes[0]!.verify).toBe('nstat -az UdpInCsumErrors');
    expect(hit.confidence).toBeUndefined();
  });

  it("infers it, less sure, from the path's capture side when the observation cannot tell", () => {
    const obs = checksum({ sender: SERVER, bad: { count: 2, frames: [2, 4] }, sentByCaptureHost: 'unknown', basis: 'unknown' });
    const hit = hitsOf(rule, [obs, path({ capturedAt: 'client' })])[0]!;
    expect(hit.confidence).toBe(0.6);
    expect(hit.evidence[1]!.text).toBe(`Received from another host: the capture was taken at the other end of the exchange from ${SERVER}`);
  });

  it('still reports corruption when the capture host\'s own datagrams are fine', () => {
    const own = checksum({ bad: { count: 0, frames: [] }, good: 4 });
    const theirs = checksum({ sender: SERVER, sentByCaptureHost: false });
    expect(hitsOf(rule, [own, theirs, path()]).map((h) => h.subject)).toEqual([SERVER]);
  });
});

ruleTester.run('bad-checksum', rule, {
  valid: [
    { name: "the capture host's own datagrams (offload)", observations: () => [checksum(), path()] },
    { name: 'not known who sent them', observations: () => [checksum({ sentByCaptureHost: 'unknown' }), path()] },
    { name: "the client's datagrams, nothing tells who took the capture", observations: () => [checksum({ sender: CLIENT, sentByCaptureHost: 'unknown' }), silentPath([1], { capturedAt: 'unknown' })] },
  ],
  invalid: [
    {
      name: 'bad checksums on datagrams from the server',
      observations: () => [checksum({ sender: SERVER, sentByCaptureHost: false }), path()],
      findings: [
        {
          subject: SERVER,
          severity: 'warning',
          title: 'arrive with bad UDP checksums',
          evidence: [`4 datagrams from ${SERVER} had bad UDP checksums`, "the client's kernel discards them"],
        },
      ],
    },
  ],
});
