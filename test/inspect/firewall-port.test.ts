/**
 * The firewall judged for the port the daemon really serves on (issue 11 item 11): chrony's `port 11123` moves the
 * server off 123, so a request to 11123 is what the rulesets are asked about, on real `nft -f` / iptables-restore
 * output recorded in a network namespace (fixtures/firewall/record.sh: *-chrony-port.*), and firewalld's `ntp`
 * service (123/udp only) no longer opens it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { interpretChronyConf } from '../../src/inspect/config/chrony-conf.js';
import { splitDirectives } from '../../src/inspect/config/lex.js';
import { interpretNtpConf } from '../../src/inspect/config/ntp-conf.js';
import { evaluateZone, parseListAll } from '../../src/inspect/firewall/firewalld.js';
import { evaluateFirewall, type FirewallOutputs } from '../../src/inspect/firewall/gather.js';
import { evaluateIptables, parseIptablesSave } from '../../src/inspect/firewall/iptables.js';
import { evaluateNft } from '../../src/inspect/firewall/nftables.js';
import { parseNftJson, parseNftText } from '../../src/inspect/firewall/nftables-parse.js';
import { inboundNtp } from '../../src/inspect/firewall/packet.js';
import { servePort, type NodeConfig, type NodeFacts } from '../../src/inspect/node.js';
import { probeTargets } from '../../src/run/node-probes.js';
import type { CommandResult } from '../../src/inspect/run.js';

const dir = fileURLToPath(new URL('../../fixtures/firewall/', import.meta.url));
const read = (name: string) => readFileSync(dir + name, 'utf8');
const CLIENTS = '198.51.100.0/24';
const CHRONY_PORT = 11123;

function nft(name: string, port: number) {
  return evaluateNft(parseNftJson(read(`${name}.nft.json`)), inboundNtp(4, CLIENTS, 'ndv-srv', port), { ruleText: parseNftText(read(`${name}.nft.txt`)) });
}
function iptables(name: string, port: number) {
  return evaluateIptables(parseIptablesSave(read(name)), inboundNtp(4, CLIENTS, undefined, port));
}

describe('nftables, chronyd on port 11123', () => {
  it('a ruleset opening 11123 accepts a request to 11123 and drops one to 123', () => {
    expect(nft('nftables-chrony-port', CHRONY_PORT)).toMatchObject({ verdict: 'accept', decidedBy: { handle: 7, text: 'udp dport 11123 accept' } });
    expect(nft('nftables-chrony-port', 123)).toMatchObject({ verdict: 'drop', decidedBy: { policy: true, chain: 'input' } });
  });

  it('"udp dport ntp accept" does not open 11123', () => {
    expect(nft('nftables-ntp-open', 123).verdict).toBe('accept');
    expect(nft('nftables-ntp-open', CHRONY_PORT)).toMatchObject({ verdict: 'drop', decidedBy: { policy: true } });
  });
});

describe('iptables, chronyd on port 11123', () => {
  for (const save of ['iptables-chrony-port.iptables-legacy-save.txt', 'iptables-chrony-port.iptables-save.txt']) {
    it(`${save}: 11123 accepted at rule 5, 123 rejected at rule 6`, () => {
      expect(iptables(save, CHRONY_PORT)).toMatchObject({ verdict: 'accept', decidedBy: { chain: 'INPUT', position: 5 } });
      expect(iptables(save, 123)).toMatchObject({ verdict: 'reject', decidedBy: { chain: 'INPUT', position: 6 } });
    });
  }

  it('the CentOS ruleset that opens 123 rejects 11123 at its trailing REJECT', () => {
    expect(iptables('centos7-iptables-ntp-open.iptables-legacy-save.txt', 123).verdict).toBe('accept');
    expect(iptables('centos7-iptables-ntp-open.iptables-legacy-save.txt', CHRONY_PORT)).toMatchObject({ verdict: 'reject', rejectWith: 'icmp-host-prohibited', decidedBy: { position: 6 } });
  });
});

describe('firewalld, chronyd on port 11123', () => {
  const zone = (services: string, ports: string, rich = '') =>
    parseListAll(
      `public (active)\n  target: default\n  interfaces: em1\n  sources: \n  services: ${services}\n  ports: ${ports}\n  protocols: \n  rich rules: \n${rich ? `\t${rich}\n` : ''}`,
    )[0]!;

  it('the ntp service opens 123 only', () => {
    const z = parseListAll(read('firewalld-ntp-open/list-all-public.txt'))[0]!;
    expect(evaluateZone(z, inboundNtp(4, CLIENTS, 'em1')).verdict).toBe('accept');
    expect(evaluateZone(z, inboundNtp(4, CLIENTS, 'em1', CHRONY_PORT))).toMatchObject({ verdict: 'reject', decidedBy: { text: 'target default' } });
  });

  it('a 11123/udp port (or a range holding it) opens it; 123/udp does not', () => {
    expect(evaluateZone(zone('ssh', '11123/udp'), inboundNtp(4, CLIENTS, 'em1', CHRONY_PORT))).toMatchObject({ verdict: 'accept', decidedBy: { text: 'port 11123/udp' } });
    expect(evaluateZone(zone('ssh', '11000-12000/udp'), inboundNtp(4, CLIENTS, 'em1', CHRONY_PORT)).verdict).toBe('accept');
    expect(evaluateZone(zone('ssh', '123/udp'), inboundNtp(4, CLIENTS, 'em1', CHRONY_PORT)).verdict).toBe('reject');
  });

  it('rich rules match on the port they name', () => {
    const deny11123 = zone('ssh ntp', '11123/udp', 'rule family="ipv4" source address="198.51.100.0/24" port port="11123" protocol="udp" drop');
    expect(evaluateZone(deny11123, inboundNtp(4, CLIENTS, 'em1', CHRONY_PORT))).toMatchObject({ verdict: 'drop' });
    expect(evaluateZone(deny11123, inboundNtp(4, CLIENTS, 'em1')).verdict).toBe('accept');
    const ntpService = zone('ssh', '', 'rule family="ipv4" source address="198.51.100.0/24" service name="ntp" accept');
    expect(evaluateZone(ntpService, inboundNtp(4, CLIENTS, 'em1')).verdict).toBe('accept');
    expect(evaluateZone(ntpService, inboundNtp(4, CLIENTS, 'em1', CHRONY_PORT)).verdict).toBe('reject');
  });
});

describe('evaluateFirewall and the serve port', () => {
  const ok = (stdout: string): CommandResult => ({ ok: true, code: 0, stdout, stderr: '', command: 'x' });

  it('evaluates every backend for the port given and records it in the observation', () => {
    const out: FirewallOutputs = { nftJson: ok(read('nftables-ntp-open.nft.json')), nftText: ok(read('nftables-ntp-open.nft.txt')) };
    const net = [{ network: CLIENTS, family: 4 as const }];
    expect(evaluateFirewall(out, net, [4]).observations[0]).toMatchObject({ port: 123, verdict: 'accept' });
    expect(evaluateFirewall(out, net, [4], CHRONY_PORT).observations[0]).toMatchObject({ port: CHRONY_PORT, verdict: 'drop' });
  });

  const chrony = (text: string, inUse = true): NodeConfig => ({
    config: interpretChronyConf('/etc/chrony.conf', ['/etc/chrony.conf'], splitDirectives(text, '/etc/chrony.conf', 'chrony')),
    inUse,
    variant: 'unknown',
  });
  const ntpd = (text: string, inUse = true): NodeConfig => ({
    config: interpretNtpConf('/etc/ntp.conf', ['/etc/ntp.conf'], splitDirectives(text, '/etc/ntp.conf', 'ntpd')),
    inUse,
    variant: 'ntpd',
  });

  it("servePort: chrony's `port N` of the config in use; 123 for ntpd, for `port 0` and by default", () => {
    expect(servePort([chrony('allow 198.51.100.0/24\nport 11123\n')])).toBe(CHRONY_PORT);
    expect(servePort([chrony('allow 198.51.100.0/24\n')])).toBe(123);
    expect(servePort([chrony('port 0\n')])).toBe(123);
    // ntpd has no port directive (`interface` picks addresses): the chrony file on disk is not the one running.
    expect(servePort([ntpd('interface listen 198.51.100.1\n'), chrony('port 11123\n', false)])).toBe(123);
    expect(servePort([chrony('port 11123\n', false)])).toBe(CHRONY_PORT);
    expect(servePort([])).toBe(123);
  });

  it('chrony `server X port N` is parsed as the source port; a refclock option or a bad value is not', () => {
    const c = chrony('server 198.51.100.7 iburst port 11123\npool 198.51.100.8 port 70000\nserver 198.51.100.9\nrefclock SHM 0 port 5\n').config;
    expect(c.sources.map((s) => s.port)).toEqual([CHRONY_PORT, undefined, undefined, undefined]);
  });
});

describe("client side: the node's probes ask a source on its configured port", () => {
  it('chrony `server X port 11123` → a probe target on 11123; others on 123', async () => {
    const cfg = interpretChronyConf('/etc/chrony.conf', ['/etc/chrony.conf'], splitDirectives('server a.example port 11123\nserver b.example\n', '/etc/chrony.conf', 'chrony'));
    cfg.sources[0]!.resolved = ['198.51.100.7'];
    cfg.sources[1]!.resolved = ['198.51.100.8'];
    const facts = { configs: [{ config: cfg, inUse: true, variant: 'unknown' }] } as unknown as NodeFacts;
    expect((await probeTargets(facts, [])).map((t) => `${t.address}:${t.port}`)).toEqual(['198.51.100.7:11123', '198.51.100.8:123']);
  });
});
