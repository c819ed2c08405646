// test/lab/lab.test.ts — as root with network namespaces: make-fixtures.sh regenerates every scenario against real
// chronyd, ntpsec ntpd, nftables/iptables into a temp dir, and the checks of the committed captures
// (test/lab/fixtures.test.ts, test/lab/_checks.ts) run on the fresh ones. Missing preconditions skip it with one
// `SKIPPED:` line on stderr.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB_FIXTURES } from './expected.js';
import { checkPackets, checkVerdict, has, haveCli, ROOT, skipped } from './_checks.js';

const MAKE_FIXTURES = join(ROOT, 'test/lab/make-fixtures.sh');
/** The whole lab runs its scenarios in parallel in ~30 s here; 10 minutes is the budget (ntpd is slow). */
const LAB_BUDGET_MS = 600_000;

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

const blocker = labBlocker();
if (blocker !== undefined) skipped('lab regeneration of the fixtures', blocker);

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
