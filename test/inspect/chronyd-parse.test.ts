/**
 * The config reading against the real chronyd. Include globs: `chronyd -p` parses a config (following `include`) and prints it
 * without running (chronyd(8) -p; it never touches the clock, and runs here without CAP_SYS_TIME anyway). For each
 * pattern the files chronyd read must be the files ntpdoctor read, in the same order. Unknown directives: what
 * unknown-directive says of chronyd (it refuses to start) is what chronyd does. SKIPPED without chronyd.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { unknownWithSuggestions } from '../../src/inspect/config/directives.js';
import { loadConfig } from '../../src/inspect/config/load.js';
import type { ChronyConfig } from '../../src/model/config.js';

const CHRONYD = '/usr/sbin/chronyd';
const have = existsSync(CHRONYD) && existsSync('/usr/bin/setpriv');
if (!have) console.log('SKIPPED glob-chronyd: no /usr/sbin/chronyd or setpriv');

const dir = mkdtempSync(join(tmpdir(), 'ntpdoctor-glob-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Each file allows its own subnet, so the printed config says which files were read, in order. */
const FILES: Record<string, string> = { 'odd[': '10.1.0.0/16', 'b.conf': '10.2.0.0/16', '.h.conf': '10.3.0.0/16', 'x*y.conf': '10.4.0.0/16', 'a1.conf': '10.5.0.0/16', 'sub/c.conf': '10.6.0.0/16' };

function chronydParse(conf: string): { status: number; out: string } {
  const r = spawnSync('setpriv', ['--bounding-set', '-sys_time', '--inh-caps', '-sys_time', '--', CHRONYD, '-p', '-f', conf], { encoding: 'utf8', timeout: 10_000 });
  return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

function chronydReads(conf: string): string[] {
  const out = execFileSync('setpriv', ['--bounding-set', '-sys_time', '--inh-caps', '-sys_time', '--', CHRONYD, '-p', '-f', conf], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
  return out.split('\n').filter((l) => l.startsWith('allow ')).map((l) => l.slice(6).trim());
}

describe.skipIf(!have)('include globs: ntpdoctor reads what chronyd 4.x reads', () => {
  mkdirSync(join(dir, 'd/sub'), { recursive: true });
  for (const [name, subnet] of Object.entries(FILES)) writeFileSync(join(dir, 'd', name), `allow ${subnet}\n`);
  const patterns = ['d/*[', 'd/*', 'd/[!b]*', 'd/[^b]*', 'd/x\\*y.conf', 'd/?1.conf', 'd/[a-b]*.conf', 'd/*/*.conf', 'd/.*', 'd/nomatch*', 'd/********1.conf'];
  for (const pattern of patterns) {
    it(`include ${pattern}`, async () => {
      const conf = join(dir, 'chrony.conf');
      writeFileSync(conf, `server 127.0.0.1\ninclude ${join(dir, pattern)}\n`);
      const c = (await loadConfig(conf)) as ChronyConfig;
      expect(c.access.map((a) => a.subnet)).toEqual(chronydReads(conf));
    });
  }
});

describe.skipIf(!have)('unknown directives: chronyd refuses to start, as the finding says', () => {
  it('`makestpe 1 3`: chronyd -p exits 1 with "Invalid directive at line 2"; ntpdoctor finds it and suggests makestep', async () => {
    const conf = join(dir, 'typo-chrony.conf');
    writeFileSync(conf, 'server 127.0.0.1\nmakestpe 1 3\n');
    const r = chronydParse(conf);
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/Fatal error : Invalid directive (makestpe )?at line 2 in file/);
    const c = (await loadConfig(conf)) as ChronyConfig;
    expect(unknownWithSuggestions(c)).toEqual([{ directive: expect.objectContaining({ keyword: 'makestpe', line: 2 }), suggestion: 'makestep' }]);
  });

  it("Debian's packaged chrony.conf parses in chronyd and has no unknown directive for ntpdoctor", async () => {
    for (const f of ['/usr/share/chrony/chrony.conf', '/etc/chrony/chrony.conf'].filter(existsSync)) {
      expect(chronydParse(f).out).not.toContain('Invalid directive');
      expect(((await loadConfig(f)) as ChronyConfig).unknown).toEqual([]);
    }
  });
});
