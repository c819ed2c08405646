import { describe, expect, it } from 'vitest';
import rule from '../../rules/checksum-offload-artifact.js';
import { checksum, CLIENT, diagnose, hitsOf, icmp, icmpPath, path, SERVER, silentPath } from './_build.js';
import { ruleTester } from './_tester.js';
import type { InputObservation } from '../../src/model/observation.js';

const unknown = { sentByCaptureHost: 'unknown' as const, basis: 'the capture does not tell which host took it (try --local-ip)' };

describe('checksum-offload-artifact', () => {
  it("calls bad checksums on the capture host's own datagrams an artifact, info only, with the ethtool check", () => {
    const findings = diagnose([checksum(), path(), captured(['em1'])]);
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect(f.rule).toBe('checksum-offload-artifact');
    expect(f.severity).toBe('info');
    expect(f.subject).toBe(CLIENT);
    expect(f.evidence[0]).toEqual({ text: `4 datagrams from ${CLIENT} had bad UDP checksums in the capture`, frames: [1, 3, 5, 7], unit: 'frame' });
    expect(f.evidence[2]!.text).toContain(`4 requests from ${CLIENT} drew answers`);
    expect(f.fixes[0]!.commands).toEqual(['ethtool -k em1']);
    expect(f.fixes[2]!.commands).toEqual(['ethtool --offload em1 rx on tx on']);
    expect(f.fixes[2]!.title).toContain('unnecessary');
  });

  it('never prints a placeholder interface: a capture that names none gets the route lookup and steps in words', () => {
    for (const names of [undefined, [], ['any'], ['eth0', 'eth1']]) {
      const f = diagnose([checksum(), path(), captured(names)])[0]!;
      for (const fix of f.fixes) for (const c of [...fix.commands, fix.verify]) expect(c).not.toMatch(/\bIF\b/);
      expect(f.fixes[0]!.commands).toEqual([]);
      expect(f.fixes[0]!.manual?.join('\n')).toContain(`ip route get ${SERVER}`);
      expect(f.fixes[0]!.manual?.at(-1)).toBe(`Run: ip route get ${SERVER}`);
      expect(f.fixes[1]!.commands).toEqual([`tcpdump -n -vv -i any udp port 123 and host ${CLIENT}`]);
    }
  });

  it('counts an ICMP answer as proof when the capture host is unknown (a Linux receiver checks before rejecting)', () => {
    const p = icmpPath(icmp(3, 10, [2, 4, 6, 8]), { capturedAt: 'unknown' });
    const hit = hitsOf(rule, [checksum(unknown), p])[0]!;
    expect(hit.evidence[1]!.text).toBe('Sent by the capture host: 4 of its requests drew answers (NTP or ICMP): the receiver found their checksums right');
    expect(hit.confidence).toBeUndefined();
  });

  it("uses the path's capture side: the sender's own end took the capture", () => {
    const hit = hitsOf(rule, [checksum(unknown), silentPath([1, 3], { capturedAt: 'client' })])[0]!;
    expect(hit.evidence[1]!.text).toContain(`the capture was taken at ${CLIENT}'s end`);
    expect(hit.evidence.at(-1)!.text).toContain('fails for another reason');
  });

  it('says "most likely" when nothing tells who took the capture (a DROP on a veth, measured here)', () => {
    const hit = hitsOf(rule, [checksum(unknown), silentPath([1, 2], { capturedAt: 'unknown' })])[0]!;
    expect(hit.title).toContain('most likely a capture artifact');
    expect(hit.confidence).toBe(0.6);
  });

  it('reads "bad both ways, own datagrams too, exchange working" as a veth/VM artifact even with --local-ip (measured on veth)', () => {
    const own = checksum({ basis: `${CLIENT} is the capture host (--local-ip)` });
    const theirs = checksum({ sender: SERVER, bad: { count: 4, frames: [2, 4, 6, 8] }, sentByCaptureHost: false, basis: `${SERVER} is not one of the capture host's addresses` });
    const findings = diagnose([own, theirs, path()]);
    expect(findings.map((f) => `${f.severity} ${f.rule} ${f.subject}`).sort()).toEqual([`info checksum-offload-artifact ${SERVER}`, `info checksum-offload-artifact ${CLIENT}`]);
    const server = findings.find((f) => f.subject === SERVER)!;
    expect(server.confidence).toBe(0.6);
    expect(server.evidence[1]!.text).toContain('a virtual interface (veth, VM) that leaves checksums to offload both ways');
  });
});

ruleTester.run('checksum-offload-artifact', rule, {
  valid: [
    { name: 'bad checksums from another host', observations: () => [checksum({ sender: SERVER, sentByCaptureHost: false }), path()] },
    { name: 'from the server, the capture side unknown', observations: () => [checksum({ sender: SERVER, ...unknown }), path({ capturedAt: 'client' })] },
  ],
  invalid: [
    {
      name: "bad checksums on the capture host's own requests, which drew answers (a pcapng naming its interface, the seed's em1)",
      observations: () => [checksum(), path(), captured(['em1'])],
      findings: [
        {
          subject: CLIENT,
          severity: 'info',
          title: 'is a capture artifact (tx checksum offload)',
          evidence: [`4 datagrams from ${CLIENT} had bad UDP checksums in the capture`, 'the receiver checked those checksums and found them right'],
        },
      ],
    },
  ],
});

/** The capture's input observation; pcapng interface blocks give `interfaceNames` (pcap gives none). */
function captured(interfaceNames?: string[]): InputObservation {
  const o: InputObservation = { kind: 'input', source: 'capture', file: 'x.pcapng', frames: 8, ntpFrames: 8, decodeIssues: { count: 0, frames: [] } };
  if (interfaceNames !== undefined) o.interfaceNames = interfaceNames;
  return o;
}
