/**
 * The seed's afternoon (shared/seeds/000_*.txt, docs/architecture.md "The problem it solves"), step by step, through every registered rule:
 * each step's observations must put that step's root cause first, and a healthy exchange must give nothing.
 */
import { describe, expect, it } from 'vitest';
import { checksum, diagnose, icmp, icmpPath, path, SERVER, seen, stats } from './_build.js';

describe('the seed story through all rules', () => {
  it('a healthy exchange gives no finding at all', () => {
    expect(diagnose([path()])).toEqual([]);
  });

  it('steps 2–3: admin-prohibited answers plus "bad udp cksum" on the sender → the firewall first, the checksum as info', () => {
    const findings = diagnose([icmpPath(icmp(3, 10, [2, 4, 6, 8])), checksum({ sentByCaptureHost: 'unknown', basis: 'the capture does not tell which host took it' })]);
    expect(findings.map((f) => `${f.severity} ${f.rule}`)).toEqual(['error firewall-reject', 'info checksum-offload-artifact']);
  });

  it('step 4: firewalld stopped, ntpd on node0 told `server 192.168.1.100` → stratum 16, leap 11 → server-unsynchronized', () => {
    const findings = diagnose([path({ strata: [seen(16, [2, 4, 6, 8])], leaps: [seen(3, [2, 4, 6, 8])], refids: [seen('INIT', [2, 4, 6, 8])], offset: stats([-0.05033, -0.0503], -0.0503) })]);
    expect(findings.map((f) => f.rule)).toEqual(['server-unsynchronized']);
    expect(findings[0]!.subject).toBe(SERVER);
  });

  it('step 5: `server 127.127.1.1` + `fudge 127.127.1.0` → stratum 6, root dispersion 7.9 s → root-distance-too-large', () => {
    const findings = diagnose([
      path({
        strata: [seen(6, [2, 4, 6, 8])],
        refids: [seen('127.127.1.1', [2, 4, 6, 8])],
        rootDelay: stats([0, 0]),
        rootDispersion: stats([7.947586, 7.947677]),
        rootDistance: stats([7.947586, 7.947677]),
      }),
    ]);
    expect(findings.map((f) => `${f.severity} ${f.rule}`)).toEqual(['error root-distance-too-large']);
  });

  it('step 6: a client one year off (offset 31566952.609973 s) → large-offset, error', () => {
    const findings = diagnose([path({ offset: stats([31566952.609973, 31566952.61], 31566952.609973) })]);
    expect(findings.map((f) => `${f.severity} ${f.rule}`)).toEqual(['error large-offset']);
  });
});
