/**
 * 200 generated reports (bench/gen-cluster.mjs, the benchmark's input) are judged, with every planted fault found
 * once. Timing is the benchmark's job (`npm run bench:cluster`); the bound here only catches a runaway.
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error bench/gen-cluster.mjs is plain JavaScript without types.
import { generateCluster } from '../../bench/gen-cluster.mjs';
import { clusterRules } from '../../rules/cluster/index.js';
import { judgeCluster } from '../../src/cluster/judge.js';
import { toNodes } from '../../src/cluster/load.js';

describe('a generated cluster of 200 nodes', () => {
  it('finds the five planted faults, each once, each naming its nodes', () => {
    const reports = (generateCluster as (n: number) => unknown[])(200);
    const t0 = performance.now();
    const r = judgeCluster(toNodes(reports.map((x, i) => ({ from: `gen:${i}`, label: `gen${i}`, text: JSON.stringify(x) }))), clusterRules);
    const ms = performance.now() - t0;
    const by = new Map(r.findings.map((f) => [f.rule, f]));
    expect([...by.keys()].sort()).toEqual(['mixed-smear', 'offset-outlier', 'server-unsynchronized-cascade', 'shared-upstream-down', 'sync-loop']);
    expect(r.findings).toHaveLength(5);
    expect(by.get('shared-upstream-down')).toMatchObject({ cause: { node: 'srv-fw', rule: 'firewall-blocks-ntp' } });
    expect(by.get('shared-upstream-down')!.nodes).toHaveLength(1 + 49);
    expect(by.get('server-unsynchronized-cascade')).toMatchObject({ cause: { node: 'srv-self', rule: 'self-sync' } });
    expect(by.get('sync-loop')!.nodes.sort()).toEqual(['srv-a', 'srv-b']);
    expect(by.get('offset-outlier')!.nodes).toEqual(['client-7']);
    expect(r.nodes.every((n) => n.status === 'ok')).toBe(true);
    expect(ms).toBeLessThan(20_000);
  });
});
