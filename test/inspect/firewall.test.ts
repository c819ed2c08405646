/**
 * Firewall evaluators on recorded output: `nft -j list ruleset` and `iptables-save` of real rulesets loaded in a
 * network namespace (fixtures/firewall/record.sh), firewalld's `firewall-cmd` output: transcribed CentOS 7 (0.4–0.6)
 * and real firewalld 1.3 recorded in the lab (firewalld-debian12-*, see the README).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { evaluateZone, parseActiveZones, parseFirewalldState, parseListAll, zoneFor } from '../../src/inspect/firewall/firewalld.js';
import { evaluateFirewall, type FirewallOutputs } from '../../src/inspect/firewall/gather.js';
import { evaluateIptables, parseIptablesSave } from '../../src/inspect/firewall/iptables.js';
import { evaluateNft, renderRule } from '../../src/inspect/firewall/nftables.js';
import { parseNftJson, parseNftText } from '../../src/inspect/firewall/nftables-parse.js';
import { inboundNtp } from '../../src/inspect/firewall/packet.js';
import type { CommandResult } from '../../src/inspect/run.js';

const dir = fileURLToPath(new URL('../../fixtures/firewall/', import.meta.url));
const read = (name: string) => readFileSync(dir + name, 'utf8');
const CLIENTS = '198.51.100.0/24';

function nft(name: string, from?: string) {
  const rs = parseNftJson(read(`${name}.nft.json`));
  return evaluateNft(rs, inboundNtp(4, from, 'ndv-srv'), { ruleText: parseNftText(read(`${name}.nft.txt`)) });
}

describe('nftables (nft -j list ruleset)', () => {
  it("Debian's default accepts (no rule)", () => {
    expect(nft('debian-nftables-default', CLIENTS).verdict).toBe('accept');
  });

  it('policy drop without an NTP rule drops, decided by the policy of inet filter input', () => {
    const v = nft('nftables-drop-policy', CLIENTS);
    expect(v.verdict).toBe('drop');
    expect(v.decidedBy).toMatchObject({ family: 'inet', table: 'filter', chain: 'input', policy: true });
    expect(v.insertAt).toEqual({ family: 'inet', table: 'filter', chain: 'input' });
  });

  it('a trailing reject with icmpx admin-prohibited rejects, names the rule by its handle and text', () => {
    const v = nft('nftables-reject-admin', CLIENTS);
    expect(v.verdict).toBe('reject');
    expect(v.rejectWith).toBe('icmpx admin-prohibited');
    expect(v.decidedBy).toMatchObject({ chain: 'input', handle: 9, text: 'counter packets 0 bytes 0 reject with icmpx admin-prohibited' });
    expect(v.insertAt).toMatchObject({ beforeHandle: 9 });
  });

  it('follows a jump: clients network accepted, another network dropped in the sub-chain, the rest rejected', () => {
    expect(nft('nftables-ntp-clients-only', CLIENTS)).toMatchObject({ verdict: 'accept', decidedBy: { chain: 'ntp_in', handle: 8 } });
    expect(nft('nftables-ntp-clients-only', '203.0.113.0/24')).toMatchObject({ verdict: 'drop', decidedBy: { chain: 'ntp_in', handle: 9 } });
    const other = nft('nftables-ntp-clients-only', '192.0.2.0/24');
    expect(other).toMatchObject({ verdict: 'reject', rejectWith: 'icmp host-prohibited', decidedBy: { chain: 'input', handle: 7, text: 'reject with icmp host-prohibited' } });
    expect(other.trace).toContain('  jump ntp_in');
  });

  it('"udp dport ntp accept" accepts', () => {
    expect(nft('nftables-ntp-open', CLIENTS)).toMatchObject({ verdict: 'accept', decidedBy: { text: 'udp dport 123 accept' } });
  });

  it('renders rules itself when the text listing is missing', () => {
    const rs = parseNftJson(read('nftables-drop-policy.nft.json'));
    expect(rs.rules.map((r) => renderRule(r.expr))).toEqual([
      'ct state established,related accept',
      'ct state invalid drop',
      'iifname lo accept',
      'meta l4proto { icmp, ipv6-icmp } accept',
      'tcp dport 22 accept',
    ]);
  });

  it("cannot judge iptables-nft's xt matches: they are assumed not to match and listed", () => {
    const rs = parseNftJson(read('centos7-iptables.iptables-nft.json'));
    const v = evaluateNft(rs, inboundNtp(4, CLIENTS));
    expect(v.uncertain.some((u) => u.includes('cannot decide'))).toBe(true);
    expect(v.verdict).toBe('reject');
  });
});

describe('iptables (iptables-save)', () => {
  it("CentOS 7's default: REJECT --reject-with icmp-host-prohibited, rule 5 of INPUT (legacy and nft backends alike)", () => {
    for (const f of ['centos7-iptables.iptables-legacy-save.txt', 'centos7-iptables.iptables-save.txt']) {
      const save = parseIptablesSave(read(f));
      const v = evaluateIptables(save, inboundNtp(4, CLIENTS));
      expect(v, f).toMatchObject({
        verdict: 'reject',
        rejectWith: 'icmp-host-prohibited',
        decidedBy: { chain: 'INPUT', position: 5, text: '-A INPUT -j REJECT --reject-with icmp-host-prohibited' },
        insertAt: { chain: 'INPUT', position: 5 },
      });
    }
    expect(parseIptablesSave(read('centos7-iptables.iptables-save.txt')).backend).toBe('nf_tables');
    expect(parseIptablesSave(read('centos7-iptables.iptables-legacy-save.txt')).backend).toBe('legacy');
  });

  it('the opened CentOS ruleset accepts at rule 5', () => {
    const v = evaluateIptables(parseIptablesSave(read('centos7-iptables-ntp-open.iptables-legacy-save.txt')), inboundNtp(4, CLIENTS));
    expect(v).toMatchObject({ verdict: 'accept', decidedBy: { position: 5 } });
  });

  it('policy DROP with a user chain: the client network is accepted inside SERVICES, others fall to the policy', () => {
    const save = parseIptablesSave(read('iptables-drop-policy.iptables-legacy-save.txt'));
    expect(evaluateIptables(save, inboundNtp(4, CLIENTS))).toMatchObject({ verdict: 'accept', decidedBy: { chain: 'SERVICES', position: 2 } });
    expect(evaluateIptables(save, inboundNtp(4, '192.0.2.0/24'))).toMatchObject({ verdict: 'drop', decidedBy: { policy: true, chain: 'INPUT' } });
    // "Some client" (no network known): the source condition cannot be decided; noted, not matched.
    const any = evaluateIptables(save, inboundNtp(4));
    expect(any.verdict).toBe('drop');
    expect(any.uncertain.join(' ')).toContain('source 198.51.100.0/24');
  });
});

describe('firewalld (firewall-cmd output)', () => {
  it("CentOS 7's public zone without ntp rejects with icmp-host-prohibited (target default)", () => {
    expect(parseFirewalldState(read('firewalld-centos7/state.txt'))).toBe(true);
    expect(parseFirewalldState(read('firewalld-stopped-state.txt'))).toBe(false);
    const zones = parseListAll(read('firewalld-centos7/list-all-public.txt'));
    expect(zones).toMatchObject([{ name: 'public', active: true, target: 'default', interfaces: ['em1'], services: ['dhcpv6-client', 'ssh'] }]);
    const pkt = inboundNtp(4, '192.168.1.0/24', 'em1');
    const zone = zoneFor(zones, pkt, 'public')!;
    expect(evaluateZone(zone, pkt)).toMatchObject({ verdict: 'reject', rejectWith: 'icmp-host-prohibited', decidedBy: { text: 'target default', chain: 'public' } });
    expect(evaluateZone(zone, pkt, true).rejectWith).toBe('icmpx admin-prohibited');
  });

  it('accepts once the ntp service is in the zone', () => {
    const zones = parseListAll(read('firewalld-ntp-open/list-all-public.txt'));
    expect(evaluateZone(zones[0]!, inboundNtp(4, '192.168.1.0/24', 'em1'))).toMatchObject({ verdict: 'accept', decidedBy: { text: 'service ntp' } });
  });

  it('picks the source-bound zone first, reads rich rules (accept and reject) and ports', () => {
    const zones = parseListAll(read('firewalld-rich/list-all-zones.txt'));
    const active = parseActiveZones(read('firewalld-rich/get-active-zones.txt'));
    expect(active).toEqual([
      { name: 'internal', interfaces: [], sources: ['192.168.1.0/24'] },
      { name: 'public', interfaces: ['em1'], sources: [] },
    ]);
    const upper = inboundNtp(4, '192.168.1.128/25', 'em1');
    expect(zoneFor(zones, upper, 'public')!.name).toBe('internal');
    expect(evaluateZone(zoneFor(zones, upper, 'public')!, upper)).toMatchObject({ verdict: 'accept', decidedBy: { text: 'rule family="ipv4" source address="192.168.1.128/25" port port="123" protocol="udp" accept' } });
    const lower = inboundNtp(4, '192.168.1.0/25', 'em1');
    expect(evaluateZone(zoneFor(zones, lower, 'public')!, lower)).toMatchObject({ verdict: 'reject', decidedBy: { chain: 'internal' } });
    const outside = inboundNtp(4, '203.0.113.0/24', 'em1');
    expect(evaluateZone(zoneFor(zones, outside, 'public')!, outside)).toMatchObject({ verdict: 'reject', rejectWith: 'icmp-admin-prohibited' });
    const other = inboundNtp(4, '192.0.2.0/24', 'em1');
    expect(evaluateZone(zoneFor(zones, other, 'public')!, other)).toMatchObject({ verdict: 'accept', decidedBy: { text: 'port 123/udp' } });
  });
});

describe('evaluateFirewall (all tools together)', () => {
  const ok = (stdout: string, command = 'x'): CommandResult => ({ ok: true, code: 0, stdout, stderr: '', command });
  const missing = (command: string): CommandResult => ({ ok: false, code: null, stdout: '', stderr: '', problem: 'not-found', command });

  it('judges firewalld alone when it runs (its generated rules are not judged twice)', () => {
    const out: FirewallOutputs = {
      firewalldState: ok('running\n'),
      firewalldActiveZones: ok(read('firewalld-centos7/get-active-zones.txt')),
      firewalldDefaultZone: ok(read('firewalld-centos7/get-default-zone.txt')),
      firewalldZones: ok(read('firewalld-centos7/list-all-public.txt')),
      iptablesSave: ok(read('centos7-iptables.iptables-legacy-save.txt')),
      nftJson: missing('nft'),
    };
    const g = evaluateFirewall(out, [{ network: '192.168.1.0/24', family: 4, interface: 'em1', localAddress: '192.168.1.100' }], [4]);
    expect(g.observations).toHaveLength(1);
    expect(g.observations[0]).toMatchObject({ backend: 'firewalld', verdict: 'reject', from: '192.168.1.0/24', localAddress: '192.168.1.100', zone: { name: 'public' } });
    expect(g.gaps).toEqual([]);
  });

  it('skips the tables iptables-nft owns in the nft ruleset, and says why it could not read a tool', () => {
    const out: FirewallOutputs = {
      iptablesSave: ok(read('centos7-iptables.iptables-save.txt')),
      nftJson: ok(read('centos7-iptables.iptables-nft.json')),
      ip6tablesSave: { ok: false, code: 1, stdout: '', stderr: 'ip6tables-save v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)', problem: 'permission', command: 'ip6tables-save' },
      firewalldState: missing('firewall-cmd'),
    };
    const g = evaluateFirewall(out, [{ network: CLIENTS, family: 4 }], [4]);
    expect(g.observations.map((o) => [o.backend, o.verdict])).toEqual([['iptables', 'reject']]);
    expect(g.gaps).toHaveLength(1);
    expect(g.gaps[0]!.why).toContain('run ntpdoctor as root');
  });
});

describe('firewalld 1.3, real output (recorded from the daemon in the lab, test/node/lab-firewalld.test.ts)', () => {
  const ok = (stdout: string, command = 'x'): CommandResult => ({ ok: true, code: 0, stdout, stderr: '', command });
  const outputs = (d: string): FirewallOutputs => ({
    firewalldState: ok(read(`${d}/state.txt`)),
    firewalldActiveZones: ok(read(`${d}/get-active-zones.txt`)),
    firewalldDefaultZone: ok(read(`${d}/get-default-zone.txt`)),
    firewalldZones: ok(read(`${d}/list-all-zones.txt`)),
    nftJson: ok(read(`${d}/nft-list-ruleset.json`)),
    nftText: ok(read(`${d}/nft-list-ruleset.txt`)),
    iptablesSave: ok(read(`${d}/iptables-save.txt`)),
  });
  const lab = [{ network: CLIENTS, family: 4 as const, interface: 'ndn-srv0', localAddress: '198.51.100.100' }];

  it('parses --list-all as 1.3 prints it (no "(active)" without a bound interface, forward/source-ports keys)', () => {
    expect(parseFirewalldState(read('firewalld-debian12-nftables/state.txt'))).toBe(true);
    expect(parseActiveZones(read('firewalld-debian12-nftables/get-active-zones.txt'))).toEqual([]);
    expect(parseListAll(read('firewalld-debian12-nftables/list-all-public.txt'))).toEqual([
      { name: 'public', active: false, isDefault: false, target: 'default', interfaces: [], sources: [], services: ['dhcpv6-client', 'ssh'], ports: [], protocols: [], richRules: [] },
    ]);
    expect(parseActiveZones(read('firewalld-debian12-iptables/get-active-zones.txt'))).toEqual([{ name: 'public', interfaces: ['ndn-srv0'], sources: [] }]);
    expect(parseListAll(read('firewalld-debian12-iptables/list-all-public.txt'))[0]).toMatchObject({ name: 'public', active: true, interfaces: ['ndn-srv0'] });
    const zones = parseListAll(read('firewalld-debian12-nftables/list-all-zones.txt'));
    expect(zones.map((z) => [z.name, z.target])).toEqual([
      ['block', '%%REJECT%%'],
      ['dmz', 'default'],
      ['drop', 'DROP'],
      ['external', 'default'],
      ['home', 'default'],
      ['internal', 'default'],
      ['public', 'default'],
      ['trusted', 'ACCEPT'],
      ['work', 'default'],
    ]);
  });

  it('nftables backend, no interface bound: the default zone public rejects with icmpx admin-prohibited (its chain\'s last rule)', () => {
    const g = evaluateFirewall(outputs('firewalld-debian12-nftables'), lab, [4]);
    expect(g.gaps).toEqual([]);
    expect(g.observations).toHaveLength(1);
    expect(g.observations[0]).toMatchObject({ backend: 'firewalld', verdict: 'reject', rejectWith: 'icmpx admin-prohibited', zone: { name: 'public', interfaces: [] }, decidedBy: { text: 'target default' } });
    expect(g.observations[0]!.trace).toContain("target default: firewalld's filter_IN_public ends `reject with icmpx admin-prohibited`");
  });

  it('iptables backend (legacy, as CentOS 7 has it): 1.3 ends IN_public with a bare REJECT, i.e. icmp-port-unreachable', () => {
    const g = evaluateFirewall(outputs('firewalld-debian12-iptables'), lab, [4]);
    expect(g.observations).toHaveLength(1);
    expect(g.observations[0]).toMatchObject({ backend: 'firewalld', verdict: 'reject', rejectWith: 'icmp-port-unreachable', zone: { name: 'public', interfaces: ['ndn-srv0'] } });
    expect(g.observations[0]!.trace).toContain("target default: firewalld's IN_public ends `-A IN_public -j REJECT --reject-with icmp-port-unreachable`");
  });

  it('after `firewall-cmd --permanent --zone=public --add-service=ntp; firewall-cmd --reload`: accepted by the ntp service on both backends', () => {
    for (const d of ['firewalld-debian12-nftables-ntp-open', 'firewalld-debian12-iptables-ntp-open']) {
      const g = evaluateFirewall(outputs(d), lab, [4]);
      expect(g.observations.map((o) => [o.backend, o.verdict, o.decidedBy?.text]), d).toEqual([['firewalld', 'accept', 'service ntp']]);
    }
  });

  it("firewalld's generated rules, judged on their own by the nft and iptables evaluators, agree", () => {
    const pkt = inboundNtp(4, CLIENTS, 'ndn-srv0');
    const closed = evaluateNft(parseNftJson(read('firewalld-debian12-nftables/nft-list-ruleset.json')), pkt, { ruleText: parseNftText(read('firewalld-debian12-nftables/nft-list-ruleset.txt')) });
    expect(closed).toMatchObject({ verdict: 'reject', rejectWith: 'icmpx admin-prohibited', decidedBy: { chain: 'filter_IN_public' } });
    const open = evaluateNft(parseNftJson(read('firewalld-debian12-nftables-ntp-open/nft-list-ruleset.json')), pkt);
    expect(open.verdict).toBe('accept');
    const save = parseIptablesSave(read('firewalld-debian12-iptables/iptables-save.txt'));
    expect(save.backend).toBe('legacy');
    expect(evaluateIptables(save, pkt)).toMatchObject({ verdict: 'reject', rejectWith: 'icmp-port-unreachable', decidedBy: { chain: 'IN_public' } });
    expect(evaluateIptables(parseIptablesSave(read('firewalld-debian12-iptables-ntp-open/iptables-save.txt')), pkt).verdict).toBe('accept');
  });

  it('a firewalld that does not answer in time is said (with the limit firewall-cmd had), not taken for "not running"', () => {
    const out = outputs('firewalld-debian12-nftables');
    out.firewalldState = { ok: false, code: null, stdout: '', stderr: '', problem: 'timeout', command: 'firewall-cmd --state' };
    out.firewallCmdTimeoutMs = 6000;
    const g = evaluateFirewall(out, lab, [4]);
    expect(g.gaps).toEqual([{ what: 'firewalld', why: '`firewall-cmd --state` did not answer within 6 s' }]);
  });

  it('without the generated rules (not readable), target default falls back to the backend\'s classic ICMP', () => {
    const out = outputs('firewalld-debian12-iptables');
    delete out.iptablesSave;
    delete out.nftText;
    expect(evaluateFirewall(out, lab, [4]).observations[0]!.rejectWith).toBe('icmp-host-prohibited');
  });
});
