import { describe, expect, it } from 'vitest';
import rule, { judge } from '../../rules/mode6-exposed.js';
import { prefixLength, sameSubnet, subnetPrefix } from '../../rules/_lib/subnet.js';
import { runRules } from '../../src/diagnose/engine.js';
import { control, hitsOf, SERVER } from './_build.js';

const mode6 = { mode: 6 as const, codes: [2], requestBytes: 12, responseBytes: 468 };

describe('mode6-exposed', () => {
  it('mode 7 monlist answered with data: error, the CVE-2013-5211 amplifier, with the amplification factor', () => {
    const hit = hitsOf(rule, [control()])[0]!;
    expect(hit.subject).toBe(SERVER);
    expect(hit.severity).toBe('error');
    expect(hit.reason).toBe('mode7-answered');
    expect(hit.title).toBe(`${SERVER} answers monlist (mode 7) — a CVE-2013-5211 amplifier — to the network`);
    expect(hit.evidence[0]!.text).toBe(`${SERVER} answered 1 request from 203.0.113.66 in mode 7 (ntpdc, monlist) with 6 responses: 2640 bytes out for 192 in (×13.8)`);
    expect(hit.evidence.at(-1)!.text).toContain('CVE-2013-5211');
    expect(hit.fixes[0]!.commands).toContain("echo 'disable monitor' >> /etc/ntp.conf");
    expect(hit.fixes[0]!.commands).toContain("echo 'restrict default kod nomodify notrap nopeer noquery' >> /etc/ntp.conf");
    expect(hit.fixes[1]!.commands[0]).toBe("echo 'restrict default kod nomodify nopeer noquery limited' >> /etc/ntpsec/ntp.conf");
  });

  it('mode 7 answered without data (ntp 4.2.8: monlist → "data not found", 8 bytes) is still an error: mode 7 is on', () => {
    // The shape of fixtures/wire/mode7-monlist.pcap: one 192-byte monlist request, one 8-byte INFO_ERR_NODATA answer,
    // from a client in the server's own /24 — inside or outside, mode 7 must be off.
    const hit = hitsOf(rule, [control({ client: '198.51.100.130', responses: { count: 1, frames: [9] }, responseBytes: 8 })])[0]!;
    expect(hit.severity).toBe('error');
    expect(hit.reason).toBe('mode7-answered');
    expect(hit.title).toBe(`${SERVER} answers ntpdc (mode 7) requests from the network: mode 7 is on (the CVE-2013-5211 monlist attack surface)`);
    expect(hit.evidence.at(-1)!.text).toContain('monlist answered without data');
    expect(hit.fixes[0]!.verify).toBe(`ntpdc -n -c sysinfo ${SERVER}`);
  });

  it('mode 6 answered to another network: warning, the /24 heuristic stated', () => {
    const hit = hitsOf(rule, [control({ ...mode6 })])[0]!;
    expect(hit.severity).toBe('warning');
    expect(hit.reason).toBe('mode6-other-network');
    expect(hit.title).toBe(`${SERVER} answers ntpq (mode 6) queries from another network (203.0.113.66)`);
    expect(hit.evidence[0]!.text).toContain('from 203.0.113.66 (another network) in mode 6 (ntpq)');
    expect(hit.evidence.at(-1)!.text).toContain(`203.0.113.66 is not in ${SERVER}'s /24 (a heuristic`);
  });

  it('mode 6 answered only inside the server subnet (the seed\'s LAN restrict line): info, and noquery for everyone else', () => {
    const hit = hitsOf(rule, [control({ ...mode6, client: '198.51.100.130' })])[0]!;
    expect(hit.severity).toBe('info');
    expect(hit.reason).toBe('mode6-same-subnet');
    expect(hit.title).toContain('allowed by design? make sure `restrict default noquery`');
    expect(hit.evidence.at(-1)!.text).toContain(`${SERVER}'s /24 (a heuristic`);
  });

  it('IPv6: the /64 decides', () => {
    const server = '2001:db8:1::100';
    const inside = hitsOf(rule, [control({ ...mode6, server, client: '2001:db8:1:0:ffff::7' })])[0]!;
    const outside = hitsOf(rule, [control({ ...mode6, server, client: '2001:db8:2::130' })])[0]!;
    expect([inside.severity, outside.severity]).toEqual(['info', 'warning']);
    expect(outside.evidence.at(-1)!.text).toContain('/64 (a heuristic');
  });

  it('one finding per server, weighed by its worst client; the JSON report carries the reason', () => {
    const list = [control({ ...mode6, client: '198.51.100.130' }), control({ ...mode6, client: '192.0.2.9' })];
    expect(judge(SERVER, list)).toMatchObject({ reason: 'mode6-other-network', severity: 'warning' });
    expect(judge(SERVER, [...list, control()])).toMatchObject({ reason: 'mode7-answered', severity: 'error' });
    const findings = runRules([rule], list);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ rule: 'mode6-exposed', severity: 'warning', reason: 'mode6-other-network' });
    expect(JSON.parse(JSON.stringify(findings[0])).reason).toBe('mode6-other-network');
  });

  it('stays quiet for unanswered queries and for queries from the host itself', () => {
    expect(hitsOf(rule, [control({ responses: { count: 0, frames: [] }, responseBytes: 0 })])).toEqual([]);
    expect(hitsOf(rule, [control({ client: '127.0.0.1' })])).toEqual([]);
    expect(hitsOf(rule, [control({ client: SERVER })])).toEqual([]);
  });
});

describe('subnet heuristic (rules/_lib/subnet.ts)', () => {
  it('compares /24 and /64 prefixes, IPv4-mapped as IPv4, zones ignored', () => {
    expect(sameSubnet('198.51.100.100', '198.51.100.130')).toBe(true);
    expect(sameSubnet('198.51.100.100', '198.51.101.100')).toBe(false);
    expect(sameSubnet('::ffff:198.51.100.7', '198.51.100.100')).toBe(true);
    expect(sameSubnet('2001:db8::100', '2001:0db8:0:0:1::130')).toBe(true);
    expect(sameSubnet('2001:db8::100', '2001:db8:0:1::100')).toBe(false);
    expect(sameSubnet('fe80::1%eth0', 'fe80::2%eth1')).toBe(true);
    expect(sameSubnet('198.51.100.1', '::ffff:c633:6401')).toBe(false); // hex-form mapped: not parsed as IPv4, stays IPv6
    expect(subnetPrefix('64:ff9b::198.51.100.7')).toEqual({ family: 6, prefix: '64:ff9b:0:0' });
    expect(prefixLength('2001:db8::1')).toBe('/64');
    expect(prefixLength('198.51.100.1')).toBe('/24');
  });

  it('hostile or malformed text is never "same subnet"', () => {
    for (const bad of ['', 'host', '1.2.3', '1.2.3.256', '1.2.3.4.5', '1::2::3', '1:2:3:4:5:6:7:8:9', 'g::1', ':::', '1.2.3.4 ', 'x'.repeat(10_000)]) {
      expect(subnetPrefix(bad), bad.slice(0, 20)).toBeUndefined();
      expect(sameSubnet(bad, bad)).toBe(false);
    }
  });
});
