/**
 * `diagnose --format prometheus` (issue 16 item 2): the text exposition format, checked by the real promtool
 * (`promtool check metrics`), on the lab's recorded reports and on hostile subjects; the shipped alert rules
 * checked and unit-tested with `promtool test rules`. Without promtool (Debian's `prometheus` package) it SKIPs.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkReport } from '../../src/cluster/load.js';
import type { Report } from '../../src/diagnose/types.js';
import { labelValue, renderPrometheus } from '../../src/render/prometheus.js';
import { report } from './_build.js';

const ROOT = join(__dirname, '../..');
const hasPromtool = spawnSync('sh', ['-c', 'command -v promtool']).status === 0;
if (!hasPromtool) process.stderr.write('SKIPPED: prometheus exposition and alert rules (promtool not installed: apt-get install prometheus)\n');

function promtool(args: string[], input?: string): { status: number | null; out: string } {
  const r = spawnSync('promtool', args, { encoding: 'utf8', timeout: 60_000, cwd: join(ROOT, 'contrib/prometheus'), ...(input !== undefined ? { input } : {}) });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

const recorded = (tag: string, node: string): Report => {
  const r = checkReport(JSON.parse(readFileSync(join(ROOT, 'fixtures/cluster', tag, `${node}.json`), 'utf8')));
  if (typeof r === 'string') throw new Error(r);
  return r;
};

describe('prometheus exposition (pure)', () => {
  it("a client behind node0's firewall: its findings, the probe's reach, no offset without an accepted reply", () => {
    const text = renderPrometheus(recorded('firewall', 'node1'), 1_800_000_000);
    expect(text).toContain('ntpdoctor_finding{rule="firewall-reject",severity="error",subject="198.51.100.100"} 1\n');
    expect(text).toContain('ntpdoctor_last_run_timestamp_seconds 1800000000\n');
    expect(text).toContain('ntpdoctor_source_reach_ratio{source="198.51.100.100:123"} 0\n');
    expect(text).not.toMatch(/^ntpdoctor_source_offset_seconds\{/m);
  });

  it('a synchronized source: reach 1, its stratum, the median offset', () => {
    const text = renderPrometheus(report({ name: 'n', addresses: [], probes: [{ server: '192.0.2.5', stratum: 2, offset: 0.01 }] }), 0);
    expect(text).toContain('ntpdoctor_source_reach_ratio{source="192.0.2.5:123"} 1\n');
    expect(text).toContain('ntpdoctor_source_stratum{source="192.0.2.5:123"} 2\n');
    expect(text).toContain('ntpdoctor_source_offset_seconds{source="192.0.2.5:123"} 0.0102\n');
  });

  it('label values: quotes and backslashes escaped, controls and bidi replaced, one series per label set', () => {
    expect(labelValue('a"b\\c\nd\u001be\u202ef')).toBe('a\\"b\\\\c?d?e?f');
    const r = report({ name: 'n', addresses: [], findings: [{ rule: 'x', subject: 'same' }, { rule: 'x', subject: 'same' }] });
    expect(renderPrometheus(r, 0).match(/^ntpdoctor_finding\{/gm)).toHaveLength(1);
  });
});

describe.skipIf(!hasPromtool)('promtool', () => {
  it('check metrics: every recorded report of the lab, and hostile subjects, are valid and lint-clean', () => {
    const hostile = report({ name: 'n', addresses: [], findings: [{ rule: 'x', subject: '"}\n# TYPE evil counter\nevil 1 \\' }, { rule: 'y', subject: '\u001b]8;;http://x\u0007\u202e' }] });
    const all = ['firewall', 'self-sync'].flatMap((t) => ['node0', 'node1', 'node2', 'node3'].map((n) => recorded(t, n)));
    for (const r of [...all, hostile]) {
      const { status, out } = promtool(['check', 'metrics'], renderPrometheus(r));
      expect(out.trim(), out).toBe('');
      expect(status).toBe(0);
    }
    // And it can fail: a duplicate family is an error promtool reports.
    expect(promtool(['check', 'metrics'], `${renderPrometheus(hostile)}# TYPE ntpdoctor_findings gauge\n`).status).not.toBe(0);
  });

  it('the CLI: diagnose --no-probe --format prometheus (no network) passes promtool', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), 'diagnose', '--no-probe', '--format', 'prometheus'], { encoding: 'utf8', timeout: 120_000 });
    expect([0, 1]).toContain(r.status);
    expect(r.stdout).toMatch(/^# HELP ntpdoctor_finding /);
    expect(promtool(['check', 'metrics'], r.stdout).status).toBe(0);
  }, 130_000);

  it('the shipped alert rules: promtool check rules and test rules', () => {
    const check = promtool(['check', 'rules', 'ntpdoctor.rules.yml']);
    expect(check.out).toContain('SUCCESS: 3 rules found');
    const test = promtool(['test', 'rules', 'ntpdoctor.rules.test.yml']);
    expect(test.out).toContain('SUCCESS');
    expect(test.status).toBe(0);
  }, 60_000);
});
