// test/lab/fixtures.test.ts — the committed lab captures (fixtures/): every file of expected.ts is there and
// documented in fixtures/README.md (always), shows what it should when tshark reads it (needs tshark), and gets the
// expected verdict from `node dist/cli.js analyze F --json` (needs `npm run build`). No root, no namespace: a unit file.
// test/lab/lab.test.ts regenerates the same captures against real daemons and runs these checks on them.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAB_FIXTURES } from './expected.js';
import { checkPackets, checkVerdict, haveCli, haveTshark, ROOT, skipped } from './_checks.js';

const FIXTURES = join(ROOT, 'fixtures');
if (!haveTshark) skipped('fixture packet checks', 'tshark not installed');
if (!haveCli) skipped('analyze verdict checks on the fixtures', 'dist/cli.js not built yet: npm run build');

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

