import { describe, expect, it } from 'vitest';
import rule from '../../rules/server-unsynchronized.js';
import { diagnose, hitsOf, path, replyExchange, seen, SERVER, stats } from './_build.js';
import { ruleTester } from './_tester.js';

/** Seed, after firewalld was stopped: `stratum 16, precision -23, leap 11` → "Server dropped: strata too high". */
const seedStratum16 = () => path({ strata: [seen(16, [2, 4, 6, 8])], leaps: [seen(3, [2, 4, 6, 8])], refids: [seen('INIT', [2, 4, 6, 8])] });

describe('server-unsynchronized', () => {
  it('finds stratum 16 / leap 3 and, with refid INIT (ntpd just started), puts "wait ~5 polls" first', () => {
    const hit = hitsOf(rule, [seedStratum16()])[0]!;
    expect(hit.subject).toBe(SERVER);
    expect(hit.title).toBe(`${SERVER} answers but is not synchronized itself (stratum 16, leap 3): clients drop it as "strata too high"`);
    expect(hit.evidence[0]).toEqual({ text: `4 replies from ${SERVER} carried stratum 16 (unsynchronized)`, frames: [2, 4, 6, 8], unit: 'frame' });
    expect(hit.evidence.map((e) => e.text)).toContain('4 replies carried leap indicator 3 (alarm: clock not synchronized)');
    expect(hit.fixes[0]!.title).toContain('Wait ~5 minutes after a restart');
    const ntpd = hit.fixes.find((f) => f.platform === 'ntpd')!;
    expect(ntpd.commands).toEqual(["echo 'server 127.127.1.0' >> /etc/ntp.conf", "echo 'fudge 127.127.1.0 stratum 10' >> /etc/ntp.conf", 'systemctl restart ntpd']);
    expect(hit.fixes.find((f) => f.platform === 'ntpsec')!.commands[0]).toBe("echo 'refclock local stratum 10' >> /etc/ntpsec/ntp.conf");
    expect(hit.fixes.find((f) => f.platform === 'chrony')!.commands[0]).toBe("echo 'local stratum 10' >> /etc/chrony.conf");
  });

  it("reads chronyd's unsynchronized reply (leap 3, stratum 0, refid 0; measured with chrony 4.3) and offers chrony first", () => {
    const p = path({ strata: [seen(0, [2])], leaps: [seen(3, [2])], refids: [seen('', [2])], kissCodes: [] });
    const hit = hitsOf(rule, [p])[0]!;
    expect(hit.evidence[0]!.text).toContain('stratum 0 with refid empty: an unsynchronized server, not a kiss of death');
    expect(hit.fixes[0]!.platform).toBe('chrony');
  });

  it("reads ntpd/NTPsec's wire form (stratum 0, refid INIT; measured with ntpsec 1.2.2) as unsynchronized, not a KoD", () => {
    const p = path({ strata: [seen(0, [2])], leaps: [seen(3, [2])], refids: [seen('INIT', [2])], kissCodes: [seen('INIT', [2])] });
    const hit = hitsOf(rule, [p])[0]!;
    expect(hit.evidence[0]!.text).toContain('stratum 0 with refid INIT');
  });

  it('puts the wait first when the reference time is only seconds old', () => {
    const p = path({ strata: [seen(16, [2])], leaps: [seen(3, [2])], refids: [seen('198.51.100.1', [2])], referenceAge: 6 });
    const hit = hitsOf(rule, [p])[0]!;
    expect(hit.evidence.map((e) => e.text)).toContain("The replies' reference time is 6.000 s old: the server set its clock moments ago and is still settling");
    expect(hit.fixes[0]!.title).toContain('Wait ~5 minutes after a restart');
  });

  it('does not count leap 3 that comes with a real kiss of death (KoD packets carry leap 3)', () => {
    const p = path({ strata: [seen(0, [2])], leaps: [seen(3, [2])], refids: [seen('RATE', [2])], kissCodes: [seen('RATE', [2])] });
    expect(hitsOf(rule, [p])).toEqual([]);
  });

  it('absorbs root-distance-too-large on the same server', () => {
    const p = seedStratum16();
    p.rootDistance = stats([1.5, 1.5]);
    const findings = diagnose([p]);
    expect(findings[0]!.rule).toBe('server-unsynchronized');
    expect(findings.map((f) => f.rule)).not.toContain('root-distance-too-large');
  });
});

ruleTester.run('server-unsynchronized', rule, {
  valid: [
    { name: 'a healthy path', observations: () => [path()] },
    { name: "the seed's fixed server: stratum 6, leap 0, refid 127.127.1.1", observations: () => [path({ strata: [seen(6, [2])], refids: [seen('127.127.1.1', [2])] })] },
  ],
  invalid: [
    {
      name: 'stratum 16, leap 3, refid INIT',
      observations: () => [path({ strata: [seen(16, [2])], leaps: [seen(3, [2])], refids: [seen('INIT', [2])] })],
      findings: [
        {
          subject: SERVER,
          severity: 'error',
          title: 'is not synchronized itself (stratum 16, leap 3)',
          evidence: [`1 reply from ${SERVER} carried stratum 16 (unsynchronized)`, 'Refid INIT: ntpd/NTPsec has not synchronized once since it started'],
        },
      ],
    },
  ],
});
