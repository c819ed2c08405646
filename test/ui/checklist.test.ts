/**
 * `ntpdoctor checklist [FILE]` and renderChecklist: Markdown, findings in the report's ranking, grouped by host,
 * one `- [ ]` per step with its exact commands and a `- [ ] verify:` box; the other ranked fixes as alternatives.
 * A capture (real fixtures) through the command itself, and this node through diagnoseNode with recorded
 * firewall output (the runner injection) and the lab's node0 config.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Report } from '../../src/diagnose/types.js';
import { diagnoseNode, type DiagnoseStep } from '../../src/run/node.js';
import type { CommandResult, Runner } from '../../src/inspect/run.js';
import { renderChecklist } from '../../src/render/checklist.js';
import { fixture, HEALTHY, MANY, REJECT, reportOf, ROOT } from './_reports.js';

async function cli(argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const status = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY: false });
  return { status, stdout, stderr };
}

/** Steps (`- [ ] Step N.`) in order, each with the lines under it up to the next step or heading. */
function steps(md: string): string[] {
  return md.split(/\n(?=- \[ \] Step \d+\.|#)/).filter((s) => s.startsWith('- [ ] Step'));
}

let many: Report;
beforeAll(async () => {
  many = await reportOf(...MANY);
});

describe('renderChecklist', () => {
  it('one step per finding that needs work, numbered in order, each with its commands and a verify box', () => {
    const md = renderChecklist(many);
    const all = steps(md);
    const needing = many.findings.filter((f) => f.severity !== 'info' || f.fixes.length > 0);
    expect(all).toHaveLength(needing.length);
    all.forEach((s, i) => expect(s.startsWith(`- [ ] Step ${i + 1}. `)).toBe(true));
    // Every first-ranked fix is there with each command verbatim, and its verify command.
    for (const f of needing) {
      const fix = f.fixes[0]!;
      const step = all.find((s) => s.includes(`[${fix.platform}] ${fix.title}`));
      expect(step, `${f.rule} on ${f.subject}`).toBeDefined();
      for (const cmd of fix.commands) expect(step).toContain(`\n  ${cmd}\n`);
      expect(step).toContain(`  - [ ] verify: \`${fix.verify}\``);
    }
  });

  it('groups by host, hosts in the order of their most important finding, findings numbered by their rank', () => {
    const md = renderChecklist(many);
    const hosts = [...md.matchAll(/^## (.+)$/gm)].map((m) => m[1]).filter((h) => !h!.startsWith('Notes'));
    const expected = [...new Set(many.findings.filter((f) => f.severity !== 'info' || f.fixes.length > 0).map((f) => f.subject))];
    expect(hosts).toEqual(expected);
    expect(new Set(hosts).size).toBe(hosts.length);
    // Within a host, the findings keep the report's ranking.
    for (const section of md.split(/^## /m).slice(1)) {
      const ranks = [...section.matchAll(/^### (\d+)\. /gm)].map((m) => Number(m[1]));
      expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    }
    // The report's first finding is the first finding of the first host.
    const first = many.findings[0]!;
    expect(md).toContain(`## ${first.subject}\n\n### 1. ${first.severity.toUpperCase()}: ${first.title} (\`${first.rule}\`)`);
  });

  it('lists other platforms\' fixes as alternatives, not as more boxes to tick', async () => {
    const reject = await reportOf(REJECT);
    const md = renderChecklist(reject);
    const f = reject.findings[0]!;
    expect(f.fixes.length).toBeGreaterThan(1);
    expect(md.match(/- \[ \]/g)).toHaveLength(2); // the step and its verify
    expect(md).toContain("- [ ] Step 1. [firewalld] On 198.51.100.100: allow the ntp service in firewalld");
    expect(md).toContain('  ```sh\n  firewall-cmd --permanent --add-service=ntp\n  firewall-cmd --reload\n  ```');
    expect(md).toContain('  - Not firewalld there? Instead of step 1, the fix for the platform it runs:');
    expect(md).toContain('      nft insert rule inet filter input udp dport 123 accept');
  });

  it('says there is nothing to fix for a healthy capture, and puts info-only findings in the notes', async () => {
    const healthy = await reportOf(HEALTHY);
    expect(renderChecklist(healthy)).toContain('Nothing to fix: no findings at warning or error.');
    expect(renderChecklist(healthy)).not.toContain('- [ ]');
    // Info findings with a fix (checksum offload: how to capture without the artifact) are steps too.
    const offload = await reportOf('checksum-offload-veth.pcap');
    expect(steps(renderChecklist(offload))).toHaveLength(offload.findings.length);
    // An info finding with nothing to do goes to the notes, with its first evidence, and is no box to tick.
    const reject = await reportOf(REJECT);
    const note = { rule: 'inspection-incomplete', severity: 'info' as const, confidence: 1, title: 'Not everything could be inspected: firewall', subject: 'this node', evidence: [{ text: 'firewall: nft: not installed' }], fixes: [] };
    const md = renderChecklist({ ...reject, findings: [...reject.findings, note] });
    expect(md).toContain('## Notes (nothing to do)\n\n- 2. info: Not everything could be inspected: firewall (`inspection-incomplete`, this node) — firewall: nft: not installed');
    expect(steps(md)).toHaveLength(1);
  });
});

describe('ntpdoctor checklist FILE', () => {
  it('prints the checklist of a capture, the same text renderChecklist gives (and the TUI writes), exit 1', async () => {
    const r = await cli(['checklist', fixture(REJECT)]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe(renderChecklist(await reportOf(REJECT)));
    expect(r.stdout).toContain('## 198.51.100.100');
  });

  it('exit 0 for a healthy capture; 2 with one line for a missing file or node options with a FILE', async () => {
    expect((await cli(['checklist', fixture(HEALTHY)])).status).toBe(0);
    const missing = await cli(['checklist', `${ROOT}fixtures/nope.pcap`]);
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    const mixed = await cli(['checklist', fixture(REJECT), '--server', '198.51.100.100']);
    expect(mixed).toMatchObject({ status: 2, stderr: 'ntpdoctor: --server, --config and --no-probe are for this node (no FILE)\n' });
  });
});

describe('the checklist of this node (diagnoseNode, recorded firewall output)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ndtui-node-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const FW = `${ROOT}fixtures/firewall/`;
  /** Replays what CentOS 7's iptables default gave in the lab (fixtures/firewall/README); other tools absent. */
  const runner: Runner = async (file, args) => {
    const command = [file, ...args].join(' ');
    const ok = (stdout: string): CommandResult => ({ ok: true, code: 0, stdout, stderr: '', command });
    if (command === 'nft -j list ruleset') return ok(readFileSync(`${FW}centos7-iptables.iptables-nft.json`, 'utf8'));
    if (command === 'iptables-save') return ok(readFileSync(`${FW}centos7-iptables.iptables-save.txt`, 'utf8'));
    return { ok: false, code: null, stdout: '', stderr: '', problem: 'not-found', command };
  };

  it('reports each stage through onStep, and the checklist opens node0\'s firewall and fixes self-sync, in rank order', async () => {
    const conf = join(dir, 'ntp.conf');
    writeFileSync(conf, readFileSync(`${ROOT}fixtures/configs/lab/node0-first.ntp.conf`, 'utf8').replaceAll('@DIR@', dir));
    writeFileSync(join(dir, 'stat'), 'btime 1700000000\n');
    const seen: DiagnoseStep[] = [];
    const report = await diagnoseNode({
      configs: [conf],
      runner,
      procRoot: dir,
      noProbe: true,
      addresses: [{ interface: 'eth0', address: '198.51.100.100', family: 4, network: '198.51.100.0/24', internal: false, linkLocal: false }],
      onStep: (s) => seen.push(s),
    });
    expect(seen.map((s) => `${s.id}:${s.status}`)).toEqual(['configs:running', 'configs:done', 'firewall:running', 'daemon:running', 'firewall:done', 'daemon:done']);
    expect(seen.find((s) => s.id === 'firewall' && s.status === 'done')!.detail).toBe('iptables: UDP 123 reject (icmp-host-prohibited)');
    expect(seen[1]!.detail).toBe(`1 config: ${conf}; no time daemon running`);

    const md = renderChecklist(report);
    const fw = report.findings.findIndex((f) => f.rule === 'firewall-blocks-ntp');
    const self = report.findings.findIndex((f) => f.rule === 'self-sync');
    expect(fw).toBeGreaterThanOrEqual(0);
    expect(self).toBeGreaterThan(fw);
    const section = md.slice(md.indexOf('## 198.51.100.100'));
    expect(section).toMatch(new RegExp(`### ${fw + 1}\\. ERROR: .*\\(\`firewall-blocks-ntp\`\\)`));
    expect(section).toContain('\n  iptables -I INPUT 5 -p udp --dport 123 -j ACCEPT\n');
    expect(section).toMatch(new RegExp(`### ${self + 1}\\. ERROR: .*\\(\`self-sync\`\\)`));
    expect(section.indexOf('firewall-blocks-ntp')).toBeLessThan(section.indexOf('self-sync'));
    expect(section).toContain(`  sed -i '14s/^/# /' ${conf}`);
  });
});
