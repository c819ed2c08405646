/**
 * The firewall evaluators against real rulesets loaded into a network namespace (fixtures/firewall): what the
 * node inspection reads live (`nft -j list ruleset`, `iptables-save`, run inside the namespace through the same
 * runner `diagnose` uses) must give the verdict the fixture table says, and a real NTP request from the client
 * namespace must meet exactly that fate: accepted → ICMP port unreachable (nothing listens on 123 there),
 * rejected → ICMP admin prohibited, dropped → silence.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/diagnose/types.js';
import { collectFirewallOutputs, evaluateFirewall } from '../../src/inspect/firewall/gather.js';
import { runCommand, type Runner } from '../../src/inspect/run.js';
import { CLI, ensureCli, Lab, labUnavailable, NODE0, ROOT } from './_lab.js';
import { parseReport } from '../_schema.js';

const why = labUnavailable(['nft', 'iptables-restore', 'iptables-legacy-restore', 'setpriv']);
if (why) process.stderr.write(`SKIPPED: node lab firewall (${why})\n`);

const CASES: Array<{ file: string; load: 'nft' | 'iptables' | 'iptables-legacy'; backend: string; verdict: 'accept' | 'drop' | 'reject'; rejectWith?: string }> = [
  { file: 'centos7-iptables.rules', load: 'iptables', backend: 'iptables', verdict: 'reject', rejectWith: 'icmp-host-prohibited' },
  { file: 'centos7-iptables.rules', load: 'iptables-legacy', backend: 'iptables', verdict: 'reject', rejectWith: 'icmp-host-prohibited' },
  { file: 'centos7-iptables-ntp-open.rules', load: 'iptables', backend: 'iptables', verdict: 'accept' },
  { file: 'iptables-drop-policy.rules', load: 'iptables-legacy', backend: 'iptables', verdict: 'accept' },
  { file: 'debian-nftables-default.nft', load: 'nft', backend: 'nftables', verdict: 'accept' },
  { file: 'nftables-drop-policy.nft', load: 'nft', backend: 'nftables', verdict: 'drop' },
  { file: 'nftables-reject-admin.nft', load: 'nft', backend: 'nftables', verdict: 'reject', rejectWith: 'icmpx admin-prohibited' },
  { file: 'nftables-ntp-clients-only.nft', load: 'nft', backend: 'nftables', verdict: 'accept' },
  { file: 'nftables-ntp-open.nft', load: 'nft', backend: 'nftables', verdict: 'accept' },
];

/** What a real request meets, in the probe's rule words. */
const FATE: Record<string, string> = { accept: 'port-unreachable', reject: 'firewall-reject', drop: 'no-response' };

describe.skipIf(why !== undefined)('firewall rulesets loaded in a namespace', () => {
  const lab = new Lab('fw');
  let inNode0: Runner;

  beforeAll(() => {
    ensureCli();
    lab.up();
    // The node inspection's runner, pointed into node0's namespace.
    inNode0 = (file, args, o) => runCommand('ip', ['netns', 'exec', lab.srv, file, ...args], o);
  }, 60_000);

  afterAll(async () => {
    await lab.down();
  });

  const flush = () => {
    lab.exec(lab.srv, ['nft', 'flush', 'ruleset']);
    for (const t of ['filter']) {
      lab.run(lab.srv, ['iptables-legacy', '-t', t, '-F']);
      lab.run(lab.srv, ['iptables-legacy', '-t', t, '-X']);
      lab.run(lab.srv, ['iptables-legacy', '-t', t, '-P', 'INPUT', 'ACCEPT']);
    }
  };

  for (const c of CASES) {
    it(`${c.file} via ${c.load}: ${c.verdict}${c.rejectWith ? ` (${c.rejectWith})` : ''}, and a real request agrees`, async () => {
      flush();
      const text = readFileSync(`${ROOT}fixtures/firewall/${c.file}`, 'utf8');
      if (c.load === 'nft') lab.exec(lab.srv, ['nft', '-f', '-'], text);
      else lab.exec(lab.srv, [`${c.load}-restore`], text);

      const out = await collectFirewallOutputs(c.load === 'iptables-legacy' ? legacy(inNode0) : inNode0, 3000);
      const g = evaluateFirewall(out, [{ network: '198.51.100.0/24', family: 4, interface: lab.srvIf, localAddress: NODE0 }], [4]);
      const mine = g.observations.filter((o) => o.backend === c.backend);
      expect(mine, JSON.stringify(g.observations.map((o) => [o.backend, o.verdict]))).toHaveLength(1);
      expect(mine[0]!.verdict).toBe(c.verdict);
      if (c.rejectWith) expect(mine[0]!.rejectWith).toBe(c.rejectWith);
      // Nothing else judged a different fate (iptables-nft's own tables are not read twice through nft).
      for (const o of g.observations) expect(o.verdict, o.backend).toBe(c.verdict);

      const probe = lab.run(lab.cli, ['node', CLI, 'probe', '--json', '--samples', '1', '--timeout', '1', NODE0]);
      const report = parseReport<Report>(probe.stdout);
      expect(report.findings[0]?.rule, probe.stdout).toBe(FATE[c.verdict]);
    });
  }
});

/** iptables-legacy's tables are read with iptables-legacy-save. */
function legacy(run: Runner): Runner {
  return (file, args, o) => run(file === 'iptables-save' ? 'iptables-legacy-save' : file === 'ip6tables-save' ? 'ip6tables-legacy-save' : file, args, o);
}
