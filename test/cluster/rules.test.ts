/**
 * The five cluster rules, each with a cluster that triggers it and one that must not (ESLint's valid/invalid
 * habit), on synthetic reports; then on the lab's recorded reports (fixtures/cluster/, real daemons).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clusterRules } from '../../rules/cluster/index.js';
import { loops } from '../../rules/cluster/sync-loop.js';
import { judgeCluster } from '../../src/cluster/judge.js';
import { readReportFiles, toNodes } from '../../src/cluster/load.js';
import { nodes, type NodeSpec } from './_build.js';

const judge = (specs: NodeSpec[]) => judgeCluster(nodes(specs), clusterRules);
const rulesOf = (specs: NodeSpec[]) => judge(specs).findings.map((f) => f.rule);
const FIX = join(__dirname, '../../fixtures/cluster');

const S = '198.51.100.100';
const client = (n: number, probe: NodeSpec['probes'], findings: NodeSpec['findings'] = []): NodeSpec => ({ name: `c${n}`, addresses: [`198.51.100.${n}`], probes: probe, findings });

describe('shared-upstream-down', () => {
  const server = (findings: NodeSpec['findings']): NodeSpec => ({ name: 'srv', addresses: [S], findings });
  const rejected = (n: number) => client(n, [{ server: S, icmp: { type: 3, code: 10 } }], [{ rule: 'firewall-reject', subject: S }]);

  it("names the server's own firewall as the one cause for its clients, with its fixes", () => {
    const fw = { rule: 'firewall-blocks-ntp', subject: S, fixes: [{ rank: 1, platform: 'iptables' as const, title: 'open', commands: ['iptables -I INPUT 5 -p udp --dport 123 -j ACCEPT'], verify: 'iptables -S' }] };
    const r = judge([server([fw]), rejected(1), rejected(2), rejected(3)]);
    const f = r.findings[0]!;
    expect(f.rule).toBe('shared-upstream-down');
    expect(f.cause).toEqual({ node: 'srv', rule: 'firewall-blocks-ntp', subject: S });
    expect(f.nodes).toEqual(['srv', 'c1', 'c2', 'c3']);
    expect(f.explained).toEqual(['c1', 'c2', 'c3'].map((node) => ({ node, rule: 'firewall-reject', subject: S })));
    expect(f.fixes[0]!.commands).toEqual(['iptables -I INPUT 5 -p udp --dport 123 -j ACCEPT']);
  });

  it('joins two clients failing against a server outside the cluster, without a cause', () => {
    const out = '203.0.113.9';
    const r = judge([client(1, [{ server: out }], [{ rule: 'no-response', subject: out }]), client(2, [{ server: out }])]);
    expect(r.findings[0]).toMatchObject({ rule: 'shared-upstream-down', subject: out, nodes: ['c1', 'c2'] });
    expect(r.findings[0]!.cause).toBeUndefined();
    expect(r.findings[0]!.fixes[0]!.verify).toBe('ntpdoctor probe 203.0.113.9');
  });

  it('not for one client alone, nor for clients that get replies', () => {
    expect(rulesOf([server([]), rejected(1)])).toEqual([]);
    expect(rulesOf([server([]), client(1, [{ server: S, stratum: 2, offset: 0 }]), client(2, [{ server: S, stratum: 2, offset: 0 }])])).toEqual([]);
  });
});

describe('server-unsynchronized-cascade', () => {
  const unsyncClient = (n: number) => client(n, [{ server: S, stratum: 16, leap: 3 }], [{ rule: 'server-unsynchronized', subject: S }]);

  it("names the server's self-sync for all its clients", () => {
    const r = judge([{ name: 'srv', addresses: [S], findings: [{ rule: 'self-sync', subject: S }] }, unsyncClient(1), unsyncClient(2)]);
    expect(r.findings[0]).toMatchObject({ rule: 'server-unsynchronized-cascade', cause: { node: 'srv', rule: 'self-sync' }, nodes: ['srv', 'c1', 'c2'] });
  });

  it('follows the cascade up: clients → mid (unsynchronized because top is) → top (self-sync)', () => {
    const mid = '198.51.100.50';
    const r = judge([
      { name: 'top', addresses: [S], findings: [{ rule: 'self-sync', subject: S }] },
      // A chronyd on mid also shows top as ^? (source-unreachable), listed first: the walk still goes up.
      { name: 'mid', addresses: [mid], probes: [{ server: S, stratum: 16, leap: 3 }], findings: [{ rule: 'source-unreachable', subject: S }, { rule: 'server-unsynchronized', subject: S }] },
      client(1, [{ server: mid, stratum: 16, leap: 3 }], [{ rule: 'server-unsynchronized', subject: mid }]),
      client(2, [{ server: mid, stratum: 16, leap: 3 }], [{ rule: 'server-unsynchronized', subject: mid }]),
    ]);
    const f = r.findings.find((x) => x.subject === 'top' && x.nodes.includes('c1'))!;
    expect(f.cause).toMatchObject({ node: 'top', rule: 'self-sync' });
    expect(f.evidence[0]!.text).toBe('cascade: mid ← top (each unsynchronized because the next one is)');
    expect(f.explained).toContainEqual({ node: 'mid', rule: 'server-unsynchronized', subject: S });
  });

  it('not when the server is synchronized', () => {
    expect(rulesOf([{ name: 'srv', addresses: [S] }, client(1, [{ server: S, stratum: 3, offset: 0.001 }]), client(2, [{ server: S, stratum: 3, offset: 0.001 }])])).toEqual([]);
  });
});

describe('sync-loop', () => {
  const a = '198.51.100.1';
  const b = '198.51.100.2';
  const c = '198.51.100.3';
  it('A from B and B from A', () => {
    const r = judge([
      { name: 'a', addresses: [a], probes: [{ server: b, stratum: 5, refid: a }] },
      { name: 'b', addresses: [b], probes: [{ server: a, stratum: 5, refid: b }] },
    ]);
    expect(r.findings.map((f) => [f.rule, f.nodes])).toContainEqual(['sync-loop', ['a', 'b']]);
  });

  it('a longer ring learnt from refids alone: x probes a, whose replies say it follows b, …', () => {
    // x sees a (refid b); y sees b (refid c); z sees c (refid a): a → b → c → a without any of them reporting.
    const r = judge([
      { name: 'a', addresses: [a] },
      { name: 'b', addresses: [b] },
      { name: 'c', addresses: [c] },
      { name: 'x', addresses: ['198.51.100.9'], probes: [{ server: a, stratum: 4, refid: b }, { server: b, stratum: 4, refid: c }, { server: c, stratum: 4, refid: a }] },
    ]);
    const loop = r.findings.find((f) => f.rule === 'sync-loop')!;
    expect(loop.nodes.sort()).toEqual(['a', 'b', 'c']);
  });

  it('not for a chain, nor for a self-edge (self-sync is a node finding)', () => {
    expect(rulesOf([{ name: 'a', addresses: [a], probes: [{ server: b, stratum: 2 }] }, { name: 'b', addresses: [b], probes: [{ server: '192.0.2.77', stratum: 1 }] }])).not.toContain('sync-loop');
    expect(loops(['a'], [{ from: 'a', to: 'a', address: a, internal: true, via: ['probe'], state: 'ok', rules: [] }])).toEqual([]);
  });

  it('finds the rings of a large graph without recursion (10 000 nodes in one ring)', () => {
    const n = 10_000;
    const names = Array.from({ length: n }, (_, i) => `n${i}`);
    const edges = names.map((from, i) => ({ from, to: names[(i + 1) % n]!, address: '', internal: true, via: ['probe' as const], state: 'ok' as const, rules: [] }));
    expect(loops(names, edges)[0]).toHaveLength(n);
  });
});

describe('offset-outlier', () => {
  const up = '192.0.2.10';
  const at = (n: number, offset: number, findings: NodeSpec['findings'] = []) => client(n, [{ server: up, stratum: 2, offset }], findings);
  it('one node a year off among nodes within a millisecond', () => {
    const r = judge([at(1, 0.0002), at(2, -0.0003), at(3, 0.0001), at(4, 31_566_952.6, [{ rule: 'large-offset', subject: up }])]);
    const f = r.findings.find((x) => x.rule === 'offset-outlier')!;
    expect(f.nodes).toEqual(['c4']);
    expect(f.title).toMatch(/^c4's clock is \+31566952\.\d{3} s from the other nodes'/);
    expect(f.cause).toEqual({ node: 'c4', rule: 'large-offset', subject: up });
  });
  it('not within the 0.128 s step threshold, nor with fewer than three nodes, nor when half are "far"', () => {
    expect(rulesOf([at(1, 0), at(2, 0.05), at(3, 0.1)])).toEqual([]);
    expect(rulesOf([at(1, 0), at(2, 100)])).toEqual([]);
    expect(rulesOf([at(1, 0), at(2, 0), at(3, 50), at(4, 50)])).not.toContain('offset-outlier');
  });
});

describe('mixed-smear', () => {
  it('some nodes on Google (smearing), others on a public non-smearing server, one through a cluster relay', () => {
    const relay = '198.51.100.60';
    const r = judge([
      { name: 'relay', addresses: [relay], probes: [{ server: '216.239.35.0', stratum: 1 }] },
      client(1, [{ server: relay, stratum: 2 }]),
      client(2, [{ server: '192.0.2.123', stratum: 1 }]),
    ]);
    const f = r.findings.find((x) => x.rule === 'mixed-smear')!;
    expect(f.nodes.sort()).toEqual(['c1', 'c2', 'relay']);
    expect(f.evidence.map((e) => e.text)).toContain('c1: follows relay (smear)');
  });
  it('not when every node follows one kind, nor for private servers of unknown kind', () => {
    expect(rulesOf([client(1, [{ server: '216.239.35.4', stratum: 1 }]), client(2, [{ server: '216.239.35.8', stratum: 1 }])])).toEqual([]);
    expect(rulesOf([client(1, [{ server: '216.239.35.4', stratum: 1 }]), client(2, [{ server: '10.0.0.5', stratum: 2 }])])).toEqual([]);
  });
});

describe('on the lab recordings (real NTPsec, chronyd, ntpd)', () => {
  for (const tag of readdirSync(FIX).filter((d) => !d.includes('.'))) {
    it(`${tag}: one cluster finding on top, caused on node0, explaining every client`, () => {
      const r = judgeCluster(toNodes(readReportFiles([join(FIX, tag)])), clusterRules);
      const top = r.findings[0]!;
      expect(top.rule).toBe(tag === 'firewall' ? 'shared-upstream-down' : 'server-unsynchronized-cascade');
      expect(top.cause).toMatchObject({ node: 'node0', rule: tag === 'firewall' ? 'firewall-blocks-ntp' : 'self-sync' });
      expect(top.nodes).toEqual(['node0', 'node1', 'node2', 'node3']);
      expect(new Set(top.explained.map((e) => e.node))).toEqual(new Set(['node1', 'node2', 'node3']));
      expect(r.findings).toHaveLength(1);
    });
  }
});

describe('a server with no report of its own', () => {
  it("its clients' failures are still joined, and the finding says the server's cause is unknown", () => {
    const rejected = (n: number) => client(n, [{ server: S, icmp: { type: 3, code: 10 } }], [{ rule: 'firewall-reject', subject: S }]);
    const ns = nodes([rejected(1), rejected(2)]);
    ns.unshift({ name: 'root@198.51.100.100', from: 'ssh:root@198.51.100.100', addresses: [S], status: 'unreachable', error: 'ssh: timed out' });
    const f = judgeCluster(ns, clusterRules).findings[0]!;
    expect(f).toMatchObject({ rule: 'shared-upstream-down', subject: 'root@198.51.100.100', nodes: ['root@198.51.100.100', 'c1', 'c2'] });
    expect(f.evidence[0]!.text).toBe('root@198.51.100.100: no report (it could not be reached or read): its own cause is not known');
  });
});
