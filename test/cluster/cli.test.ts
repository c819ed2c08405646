/** `ntpdoctor cluster` end to end through the CLI: formats, exit statuses, usage errors, hostile names. */
import { parseCluster } from '../_schema.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderClusterDot } from '../../src/render/cluster-dot.js';
import { judgeCluster } from '../../src/cluster/judge.js';
import { clusterRules } from '../../rules/cluster/index.js';
import { nodes, report } from './_build.js';

const ROOT = join(__dirname, '../..');
const CLI = join(ROOT, 'dist/cli.js');
const FIX = join(ROOT, 'fixtures/cluster');
const dir = mkdtempSync(join(tmpdir(), 'ndclu-cli-'));

function run(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [CLI, 'cluster', ...args], { encoding: 'utf8', timeout: 60_000, ...(input !== undefined ? { input } : {}) });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  spawnSync('npx', ['tsup'], { cwd: ROOT, stdio: 'ignore', timeout: 120_000 });
}, 130_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ntpdoctor cluster', () => {
  it('text: the root cause first, each node under it, symptoms marked as explained; exit 1', () => {
    const r = run([join(FIX, 'firewall')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('1. [ERROR] node0: 198.51.100.100\'s iptables firewall rejects NTP from its clients: filter INPUT rule 5 — the one root cause for 3 clients (node1, node2 and node3)');
    expect(r.stdout).toMatch(/== node1 .*\n {2}1\. \[ERROR\] firewall-reject: .* — explained by cluster finding 1/);
    expect(r.stdout).toMatch(/firewall-blocks-ntp: .* — the root cause in cluster finding 1 \(fixes there\)/);
  });

  it('json: ntpdoctor.cluster/1, one document, nodes with their reports (exchanges folded into the graph)', () => {
    const r = run([join(FIX, 'self-sync'), '--json']);
    const doc = parseCluster(r.stdout) as unknown as { schema: string; findings: Array<{ rule: string }>; nodes: Array<{ report: { exchanges: unknown[]; exchangesOmitted: number } }>; graph: { edges: unknown[] } };
    expect(doc.schema).toBe('ntpdoctor.cluster/1');
    expect(doc.findings[0]!.rule).toBe('server-unsynchronized-cascade');
    expect(doc.nodes).toHaveLength(4);
    expect(doc.nodes[1]!.report.exchanges).toEqual([]);
    expect(doc.nodes[1]!.report.exchangesOmitted).toBeGreaterThan(0);
    expect(doc.graph.edges).toHaveLength(4);
  });

  it('NDJSON on stdin, and a report that is not one: the node is named invalid, exit 1', () => {
    const good = JSON.stringify(report({ name: 'ok', addresses: ['192.0.2.1'] }));
    const r = run(['-', '--json'], `${good}\n{"schema":"ntpdoctor.report/1"}\n`);
    const doc = parseCluster(r.stdout) as unknown as { nodes: Array<{ name: string; status: string; error?: string }> };
    expect(doc.nodes.map((n) => n.status)).toEqual(['ok', 'invalid']);
    expect(doc.nodes[1]!.error).toBe('findings or inputs missing');
    expect(r.status).toBe(1);
  });

  it('a healthy cluster exits 0', () => {
    const healthy = [1, 2, 3].map((i) => JSON.stringify(report({ name: `n${i}`, addresses: [`192.0.2.${i}`], probes: [{ server: '192.0.2.123', stratum: 1, offset: 0.001 }] })));
    const r = run(['-'], healthy.join('\n'));
    expect(r.stdout).toContain('No cluster findings');
    expect(r.status).toBe(0);
  });

  it('usage errors: one line, exit 2, no ssh run for a destination that is an option', () => {
    for (const args of [[], ['--format', 'svg', FIX], ['--ssh', '-oProxyCommand=touch /tmp/pwned'], ['--parallel', '0', '--ssh', 'h'], ['/nonexistent']]) {
      const r = run(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.split('\n').filter(Boolean), args.join(' ')).toHaveLength(1);
      expect(r.stdout).toBe('');
    }
  });

  it('hostile hostnames: escaped in text, inert in dot', () => {
    writeFileSync(join(dir, 'evil.json'), JSON.stringify(report({ name: 'evil\u001b[31m"];\n}', addresses: ['192.0.2.9'] })));
    const text = run([join(dir, 'evil.json')]).stdout;
    expect(text).not.toContain('\u001b');
    expect(text).toContain('evil\\x1b[31m');
    const dot = renderClusterDot(judgeCluster(nodes([{ name: 'a"]; evil -> x; "\\', addresses: [] }]), clusterRules));
    expect(dot).toContain('"a\\"]; evil -> x; \\"\\\\";');
    // No edge statement came out of the name: every `->` there is inside one quoted ID.
    expect(dot.split('\n').filter((l) => /^ {2}"(?:[^"\\]|\\.)*" -> /.test(l))).toEqual([]);
  });
});
