// The checks of a lab capture, shared by test/lab/fixtures.test.ts (the committed ones: no root needed, so they run
// among the unit files) and test/lab/lab.test.ts (the ones the lab makes afresh).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { HEALTHY, type LabFixture } from './expected.js';
import { readFrames } from './frames.js';
import { parseReport } from '../_schema.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'dist/cli.js');

export function skipped(what: string, why: string): void {
  process.stderr.write(`SKIPPED: ${what} (${why})\n`);
}

export function has(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

export const haveTshark = has('tshark');
export const haveCli = existsSync(CLI);

export function checkPackets(dir: string, fixture: LabFixture): void {
  const frames = readFrames(join(dir, fixture.file));
  expect(frames.length, `${fixture.file}: frames`).toBeGreaterThan(0);
  for (const check of fixture.packets) {
    const count = frames.filter(check.match).length;
    expect(count, `${fixture.file}: ${check.what}`).toBeGreaterThanOrEqual(check.min);
    if (check.max !== undefined) expect(count, `${fixture.file}: ${check.what}`).toBeLessThanOrEqual(check.max);
  }
  if (fixture.clock !== undefined) {
    const clock = fixture.clock;
    const offsets = frames
      .filter(clock.match)
      .flatMap((f) => (f.ntp?.transmit === undefined ? [] : [f.ntp.transmit - f.time]))
      .sort((a, b) => a - b);
    expect(offsets.length, `${fixture.file}: ${clock.what} (samples)`).toBeGreaterThan(0);
    const median = offsets[Math.floor(offsets.length / 2)] ?? Number.NaN;
    expect(Math.abs(median - clock.seconds), `${fixture.file}: ${clock.what} (median ${median} s)`).toBeLessThanOrEqual(clock.tolerance);
  }
}

interface ReportFinding {
  rule: string;
  severity: string;
}

export function checkVerdict(dir: string, fixture: LabFixture): void {
  const args = [CLI, 'analyze', join(dir, fixture.file), '--json'];
  if (fixture.localIp !== undefined) args.push('--local-ip', fixture.localIp);
  const run = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  expect(run.status, `analyze ${fixture.file} exit status; stderr: ${run.stderr}`).not.toBe(2);
  const report = parseReport<{ schema: string; findings: ReportFinding[] }>(run.stdout);
  expect(report.schema).toBe('ntpdoctor.report/1');
  const rules = report.findings.map((f) => `${f.rule}:${f.severity}`).join(', ');
  if (fixture.expect === HEALTHY) {
    const serious = report.findings.filter((f) => f.severity === 'error' || f.severity === 'warning');
    expect(serious.map((f) => f.rule), `${fixture.file} should be healthy; findings: ${rules}`).toEqual([]);
  } else {
    expect(report.findings[0]?.rule, `${fixture.file}: first finding; all: ${rules}`).toBe(fixture.expect);
  }
}

