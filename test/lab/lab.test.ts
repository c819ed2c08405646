// test/lab/lab.test.ts — the capture fixtures, checked three ways:
//  1. fixtures/ holds every file of expected.ts, documented in fixtures/README.md (always);
//  2. each shows what it should, read by tshark (needs tshark), and gets the expected verdict from
//     `node dist/cli.js analyze F --json` (needs `npm run build`);
//  3. as root with network namespaces: make-fixtures.sh regenerates every scenario against real chronyd,
//     ntpsec ntpd, nftables/iptables into a temp dir, and the same checks run on the fresh captures.
// Missing preconditions skip the part that needs them with one `SKIPPED:` line on stderr.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEALTHY, LAB_FIXTURES, type LabFixture } from './expected.js';
import { readFrames } from './frames.js';
import { parseReport } from '../_schema.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = join(ROOT, 'fixtures');
const MAKE_FIXTURES = join(ROOT, 'test/lab/make-fixtures.sh');
const CLI = join(ROOT, 'dist/cli.js');
/** The whole lab runs its scenarios in parallel in ~30 s here; 10 minutes is the budget (ntpd is slow). */
const LAB_BUDGET_MS = 600_000;

function skipped(what: string, why: string): void {
  process.stderr.write(`SKIPPED: ${what} (${why})\n`);
}

function has(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

/** Why the lab cannot regenerate here, or undefined when it can (root, working `ip netns`, the tools). */
function labBlocker(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root';
  const probe = `ndlab-probe-${process.pid}`;
  if (spawnSync('ip', ['netns', 'add', probe], { stdio: 'ignore' }).status !== 0) return '`ip netns add` does not work here';
  spawnSync('ip', ['netns', 'del', probe], { stdio: 'ignore' });
  for (const tool of ['setpriv', 'tcpdump', 'dumpcap', 'tshark', 'chronyd', 'chronyc', 'ntpdig', 'ntpdate', 'nft', 'iptables', 'ethtool']) {
    if (!has(tool)) return `${tool} not installed`;
  }
  if (!existsSync('/opt/ntpsec/usr/sbin/ntpd')) return 'ntpsec ntpd not unpacked at /opt/ntpsec';
  if (!existsSync('/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1')) return 'libfaketime not installed';
  return undefined;
}

const haveTshark = has('tshark');
const haveCli = existsSync(CLI);
const blocker = labBlocker();
if (!haveTshark) skipped('fixture packet checks', 'tshark not installed');
if (!haveCli) skipped('analyze verdict checks on the fixtures', 'dist/cli.js not built yet: npm run build');
if (blocker !== undefined) skipped('lab regeneration of the fixtures', blocker);

function checkPackets(dir: string, fixture: LabFixture): void {
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

function checkVerdict(dir: string, fixture: LabFixture): void {
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

describe('fixtures/ (committed)', () => {
  it('holds every lab fixture, non-empty, each documented in fixtures/README.md', () => {
    const readme = readFileSync(join(FIXTURES, 'README.md'), 'utf8');
    for (const fixture of LAB_FIXTURES) {
      const path = join(FIXTURES, fixture.file);
      expect(existsSync(path), `${fixture.file} exists`).toBe(true);
      expect(statSync(path).size, `${fixture.file} size`).toBeGreaterThan(24);
      expect(statSync(path).size, `${fixture.file} stays small`).toBeLessThan(200 * 1024);
      expect(readme.includes(`\`${fixture.file}\``), `${fixture.file} in README.md`).toBe(true);
      expect(existsSync(join(FIXTURES, `${fixture.scenario}.client.txt`)), `${fixture.scenario}.client.txt`).toBe(true);
    }
  });

  describe.skipIf(!haveTshark)('show what they should (tshark)', () => {
    it.each(LAB_FIXTURES.map((f) => [f.file, f] as const))('%s', (_file, fixture) => checkPackets(FIXTURES, fixture), 30_000);
  });

  describe.skipIf(!haveCli)('get the expected verdict (analyze --json)', () => {
    it.each(LAB_FIXTURES.map((f) => [f.file, f] as const))('%s', (_file, fixture) => checkVerdict(FIXTURES, fixture), 60_000);
  });
});

describe.skipIf(blocker !== undefined)('lab: regenerate every scenario (root, netns, real daemons)', () => {
  let out = '';
  let lab: ReturnType<typeof spawnSync> | undefined;
  let labLog = '';

  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'ndlab-test-'));
    const started = Date.now();
    lab = spawnSync('bash', [MAKE_FIXTURES, '--out', out, '-j', '32'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: LAB_BUDGET_MS - 30_000,
      killSignal: 'SIGTERM',
    });
    labLog = `${String(lab.stdout)}${String(lab.stderr)}`;
    process.stderr.write(`lab: make-fixtures took ${((Date.now() - started) / 1000).toFixed(1)} s\n${labLog}`);
  }, LAB_BUDGET_MS);

  afterAll(() => {
    if (out !== '') rmSync(out, { recursive: true, force: true });
  });

  it('make-fixtures.sh succeeds for every scenario', () => {
    expect(lab?.error, labLog).toBeUndefined();
    expect(lab?.status, labLog).toBe(0);
    for (const fixture of LAB_FIXTURES) {
      expect(existsSync(join(out, fixture.file)), `${fixture.file} regenerated`).toBe(true);
    }
  });

  // labBlocker() requires tshark, so these always run here.
  it.each(LAB_FIXTURES.map((f) => [f.file, f] as const))('fresh %s shows what it should', (_file, fixture) => {
    checkPackets(out, fixture);
  }, 30_000);

  describe.skipIf(!haveCli)('verdicts on the fresh captures', () => {
    it.each(LAB_FIXTURES.map((f) => [f.file, f] as const))('%s', (_file, fixture) => checkVerdict(out, fixture), 60_000);
  });
});
