/**
 * The output side (issue 11 item 11, the client side): this node's own request to each configured server, on the
 * port its config gives (chrony `server X port 11123`), judged on real `nft -f` / iptables-restore output recorded
 * in a namespace (fixtures/firewall/nftables-output-reject.*, iptables-output-drop.*): a request to 203.0.113.0/24
 * passes, any other to UDP 11123 is stopped, UDP 123 is never touched. Inbound verdicts are not changed by it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { interpretChronyConf } from '../../src/inspect/config/chrony-conf.js';
import { splitDirectives } from '../../src/inspect/config/lex.js';
import { interpretNtpConf } from '../../src/inspect/config/ntp-conf.js';
import { evaluateFirewall, type FirewallOutputs } from '../../src/inspect/firewall/gather.js';
import { evaluateIptables, parseIptablesSave } from '../../src/inspect/firewall/iptables.js';
import { evaluateNft } from '../../src/inspect/firewall/nftables.js';
import { parseNftJson, parseNftText } from '../../src/inspect/firewall/nftables-parse.js';
import { evaluateOutbound, outboundTargets, type OutboundTarget } from '../../src/inspect/firewall/outbound.js';
import { inboundNtp, outboundNtp } from '../../src/inspect/firewall/packet.js';
import type { CommandResult } from '../../src/inspect/run.js';

const dir = fileURLToPath(new URL('../../fixtures/firewall/', import.meta.url));
const read = (name: string) => readFileSync(dir + name, 'utf8');
const ok = (stdout: string): CommandResult => ({ ok: true, code: 0, stdout, stderr: '', command: 'x' });

describe('evaluators on the output side', () => {
  const rs = parseNftJson(read('nftables-output-reject.nft.json'));
  const text = { ruleText: parseNftText(read('nftables-output-reject.nft.txt')) };

  it('nftables: output hook walked, daddr matched against the server', () => {
    expect(evaluateNft(rs, outboundNtp(4, '198.51.100.100', 11123, 40000), text)).toMatchObject({
      verdict: 'reject',
      rejectWith: 'icmpx admin-prohibited',
      decidedBy: { family: 'inet', table: 'filter', chain: 'output', handle: 4 },
      insertAt: { family: 'inet', table: 'filter', chain: 'output', beforeHandle: 4 },
    });
    expect(evaluateNft(rs, outboundNtp(4, '203.0.113.5', 11123, 40000), text)).toMatchObject({ verdict: 'accept', decidedBy: { handle: 3 } });
    expect(evaluateNft(rs, outboundNtp(4, '198.51.100.100', 123, 40000), text).verdict).toBe('accept');
    // The inbound side of the same ruleset: its input chain accepts.
    expect(evaluateNft(rs, inboundNtp(4, '198.51.100.0/24', 'eth0', 11123), text).verdict).toBe('accept');
  });

  for (const save of ['iptables-output-drop.iptables-legacy-save.txt', 'iptables-output-drop.iptables-save.txt']) {
    it(`iptables (${save}): the OUTPUT chain, -d matched against the server`, () => {
      const s = parseIptablesSave(read(save));
      expect(evaluateIptables(s, outboundNtp(4, '198.51.100.100', 11123, 123))).toMatchObject({ verdict: 'drop', decidedBy: { chain: 'OUTPUT', position: 2 }, insertAt: { chain: 'OUTPUT', position: 2 } });
      expect(evaluateIptables(s, outboundNtp(4, '203.0.113.5', 11123, 123))).toMatchObject({ verdict: 'accept', decidedBy: { position: 1 } });
      expect(evaluateIptables(s, outboundNtp(4, '198.51.100.100', 123, 123))).toMatchObject({ verdict: 'accept', decidedBy: { policy: true, chain: 'OUTPUT' } });
      expect(evaluateIptables(s, inboundNtp(4, '198.51.100.0/24'))).toMatchObject({ verdict: 'accept', decidedBy: { chain: 'INPUT', policy: true } });
    });
  }
});

describe('evaluateOutbound', () => {
  const targets: OutboundTarget[] = [
    { address: '198.51.100.100', family: 4, port: 11123, sport: 40000 },
    { address: '203.0.113.5', family: 4, port: 11123, sport: 40000 },
    { address: '198.51.100.7', family: 4, port: 123, sport: 40000 },
  ];

  it('records the stopped requests only, with server, port and direction', () => {
    const out: FirewallOutputs = { nftJson: ok(read('nftables-output-reject.nft.json')), nftText: ok(read('nftables-output-reject.nft.txt')) };
    expect(evaluateOutbound(out, targets)).toEqual([
      expect.objectContaining({ backend: 'nftables', direction: 'out', to: '198.51.100.100', port: 11123, from: 'this node', verdict: 'reject', rejectWith: 'icmpx admin-prohibited' }),
    ]);
    const ipt: FirewallOutputs = { iptablesSave: ok(read('iptables-output-drop.iptables-legacy-save.txt')) };
    expect(evaluateOutbound(ipt, targets)).toEqual([expect.objectContaining({ backend: 'iptables', direction: 'out', to: '198.51.100.100', port: 11123, verdict: 'drop' })]);
    // iptables-nft: its tables are judged once, from iptables-save, not again through nft.
    const nftBacked: FirewallOutputs = { iptablesSave: ok(read('iptables-output-drop.iptables-save.txt')), nftJson: ok(read('iptables-output-drop.iptables-nft.json')) };
    expect(evaluateOutbound(nftBacked, targets).map((o) => o.backend)).toEqual(['iptables']);
  });

  it('the inbound gather never sees the output chain as a reason to judge nft', () => {
    const out: FirewallOutputs = { nftJson: ok(read('nftables-output-reject.nft.json')), nftText: ok(read('nftables-output-reject.nft.txt')) };
    expect(evaluateFirewall(out, [{ network: '198.51.100.0/24', family: 4 }], [4], 11123).observations.map((o) => o.verdict)).toEqual(['accept']);
  });

  it("outboundTargets: the config in use, each source's port, ntpd from 123 and chronyd from an ephemeral port", () => {
    const chrony = interpretChronyConf('/etc/chrony.conf', ['/etc/chrony.conf'], splitDirectives('server a.example iburst port 11123\nserver 127.0.0.1\nrefclock SHM 0\n', '/etc/chrony.conf', 'chrony'));
    chrony.sources[0]!.resolved = ['198.51.100.100', '2001:db8::100', '198.51.100.101'];
    chrony.sources[1]!.resolved = ['127.0.0.1'];
    const ntpd = interpretNtpConf('/etc/ntp.conf', ['/etc/ntp.conf'], splitDirectives('server 198.51.100.7 iburst\n', '/etc/ntp.conf', 'ntpd'));
    ntpd.sources[0]!.resolved = ['198.51.100.7'];
    expect(outboundTargets([{ config: chrony, inUse: true }, { config: ntpd, inUse: false }])).toEqual([
      { address: '198.51.100.100', family: 4, port: 11123, sport: 40000 },
      { address: '2001:db8::100', family: 6, port: 11123, sport: 40000 },
    ]);
    expect(outboundTargets([{ config: ntpd, inUse: false }])).toEqual([{ address: '198.51.100.7', family: 4, port: 123, sport: 123 }]);
  });
});
