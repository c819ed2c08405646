/**
 * Issue 11 item 11: fixes use the port the server really listens on. A server answering (or refusing) on UDP 1123,
 * seen by a capture or a probe: firewall fixes open 1123 (`--dport 1123`, `udp dport 1123`, firewalld
 * `--add-port=1123/udp` instead of the ntp service), and every probe verify asks `HOST:1123` (`[ADDR]:1123` for IPv6).
 */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/diagnose/types.js';
import type { NtpPathObservation } from '../../src/model/observation.js';
import { diagnose, icmp, icmpPath, path, SERVER, seen, silentPath } from '../rules/_build.js';

const PORT = 1123;
const V6 = '2001:db8::100';

function commandsOf(findings: readonly Finding[]): string[] {
  return findings.flatMap((f) => f.fixes.flatMap((x) => [...x.commands, x.verify]));
}

function onPort(p: NtpPathObservation, ip = SERVER): NtpPathObservation {
  return { ...p, server: { ip, port: PORT } };
}

const CASES: Record<string, () => NtpPathObservation[]> = {
  'firewall-reject': () => [onPort(icmpPath(icmp(3, 10, [2, 4])))],
  'port-unreachable': () => [onPort(icmpPath(icmp(3, 3, [2, 4])))],
  'no-response': () => [onPort(silentPath())],
  'server-unsynchronized': () => [onPort(path({ strata: [seen(16, [2])], leaps: [seen(3, [2])], refids: [seen('INIT', [2])] }))],
  'kiss-of-death': () => [onPort(path({ strata: [seen(0, [2])], leaps: [seen(3, [2])], refids: [seen('DENY', [2])], kissCodes: [seen('DENY', [2])] }))],
  'rate-limited': () => [onPort(path({ minRequestInterval: 1, strata: [seen(0, [2])], kissCodes: [seen('RATE', [2])] }))],
  'root-distance-too-large': () => [onPort(path({ rootDistance: { count: 1, min: 7.9, max: 7.9, mean: 7.9 } as NtpPathObservation['rootDistance'] & object }))],
  'bogus-reply': () => [onPort(path({ bogus: [seen('origin-mismatch', [4])] }))],
};

describe('fixes on a server that listens on UDP 1123', () => {
  for (const [id, make] of Object.entries(CASES)) {
    it(`${id}: every probe asks ${SERVER}:${PORT}, no command names port 123`, () => {
      const findings = diagnose(make()).filter((f) => f.rule === id);
      expect(findings.length, id).toBeGreaterThan(0);
      const cmds = commandsOf(findings);
      for (const c of cmds.filter((x) => x.startsWith('ntpdoctor probe'))) expect(c).toMatch(new RegExp(`${SERVER.replace(/\./g, '\\.')}:${PORT}$`));
      for (const c of cmds) {
        expect(c, id).not.toMatch(/--dport 123\b|dport 123\b|sport = :123\b|--add-service=ntp|port 123 and/);
      }
    });
  }

  it('opens the real port in every firewall: iptables, nftables, firewalld by port number', () => {
    const cmds = commandsOf(diagnose([onPort(icmpPath(icmp(3, 10, [2, 4])))]));
    expect(cmds).toContain(`iptables -I INPUT -p udp --dport ${PORT} -j ACCEPT`);
    expect(cmds).toContain(`nft insert rule inet filter input udp dport ${PORT} accept`);
    expect(cmds).toContain(`firewall-cmd --permanent --add-port=${PORT}/udp`);
    expect(cmds).toContain(`ntpdoctor probe ${SERVER}:${PORT}`);
  });

  it('writes an IPv6 server with a port as [ADDR]:PORT', () => {
    const p = onPort(icmpPath(icmp(1, 4, [2, 4], V6, 6)), V6);
    const cmds = commandsOf(diagnose([{ ...p, client: { ip: '2001:db8::130', port: 40000 } }]));
    expect(cmds).toContain(`ntpdoctor probe '[${V6}]:${PORT}'`);
    expect(cmds).toContain(`ip6tables -I INPUT -p udp --dport ${PORT} -j ACCEPT`);
  });

  it('keeps the ntp service and the bare host on port 123', () => {
    const cmds = commandsOf(diagnose([icmpPath(icmp(3, 10, [2, 4]))]));
    expect(cmds).toContain('firewall-cmd --permanent --add-service=ntp');
    expect(cmds).toContain(`ntpdoctor probe ${SERVER}`);
  });
});
