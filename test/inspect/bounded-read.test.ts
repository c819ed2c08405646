/**
 * Hostile config inputs (issue 11): FIFOs, devices, directories, huge files, include fan-out, deep and cyclic
 * includes, glob patterns built to blow up a regex. Each is asserted by outcome — the load completes, the rest
 * of the config is still read, the cap or refusal is reported — never by wall time.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, parseConfigText } from '../../src/inspect/config/load.js';
import { DEFAULT_LIMITS, readRegularFile, type ReadLimits } from '../../src/inspect/config/read.js';
import type { ChronyConfig, ConfigReader, NtpdConfig } from '../../src/model/config.js';
import { lintConfig } from '../../src/run/lint.js';
import { discoverNode } from '../../src/inspect/node.js';
import { renderText } from '../../src/render/text.js';
import type { ConfigInput } from '../../src/model/report-input.js';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ntpdoctor-cfg-'));
  execFileSync('mkfifo', [join(dir, 'fifo.conf')]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

/** An in-memory reader: a file's text, or a thrown errno code. */
function mapReader(files: Record<string, string>): ConfigReader & { reads: number } {
  const r = {
    reads: 0,
    readFile: async (p: string, max: number) => {
      r.reads++;
      const t = files[p];
      if (t === undefined) throw Object.assign(new Error('no'), { code: 'ENOENT' });
      if (t.length > max) throw Object.assign(new Error('big'), { code: 'EFBIG' });
      return { text: t, bytes: t.length };
    },
    readdir: async () => {
      throw Object.assign(new Error('no'), { code: 'ENOTDIR' });
    },
  };
  return r;
}

describe('the main file', () => {
  it('a FIFO is refused at once with one line (no open() that waits for a writer)', async () => {
    await expect(readRegularFile(join(dir, 'fifo.conf'), 1024)).rejects.toMatchObject({ code: 'ENOTREG' });
    await expect(lintConfig(join(dir, 'fifo.conf'), { addresses: [] })).rejects.toThrow(/^[^\n]*fifo\.conf: is a FIFO \(named pipe\): not read$/);
  });

  it('a character device (/dev/zero) and a directory are refused before any byte is read', async () => {
    await expect(lintConfig('/dev/zero', { addresses: [] })).rejects.toThrow('/dev/zero: is a character device: not read');
    await expect(lintConfig(dir, { addresses: [] })).rejects.toThrow(`${dir}: is a directory`);
  });

  it('a file over the per-file cap is refused; a procfs-like file that lies about its size is caught while reading', async () => {
    const big = write('big.conf', 'x'.repeat(5000));
    await expect(readRegularFile(big, 4096)).rejects.toMatchObject({ code: 'EFBIG' });
    // /proc/self/status says size 0 but has content: the read stops one byte past the cap.
    await expect(readRegularFile('/proc/self/status', 16)).rejects.toMatchObject({ code: 'EFBIG' });
    expect((await readRegularFile('/proc/self/status', 1 << 20)).text).toContain('Name:');
  });
});

describe('includes', () => {
  it('FIFO, /dev/zero and a directory as includes: each noted, the rest of the config still read', async () => {
    const conf = write(
      'fifo-inc.chrony.conf',
      `server 10.0.0.1 iburst\ninclude ${join(dir, 'fifo.conf')}\ninclude /dev/zero\ninclude ${dir}\nallow 10.0.0.0/8\nlocal stratum 10\n`,
    );
    const c = (await loadConfig(conf)) as ChronyConfig;
    expect(c.access.map((a) => a.subnet)).toEqual(['10.0.0.0/8']);
    expect(c.local?.stratum).toBe(10);
    expect(c.unreadable.map((u) => [u.file, u.reason, u.from?.line])).toEqual([
      [join(dir, 'fifo.conf'), 'is a FIFO (named pipe): not read', 2],
      ['/dev/zero', 'is a character device: not read', 3],
      [dir, 'is a directory', 4],
    ]);
  });

  it('a chrony include that cannot be opened is fatal for chronyd, and the note says so; ntpd just goes on', async () => {
    const c = (await parseConfigText('/e/chrony.conf', 'include /nonexistent/x.conf\n', 'chrony', mapReader({}))) as ChronyConfig;
    expect(c.unreadable[0]!.reason).toBe('no such file: chronyd refuses to start ("Could not open")');
    const n = (await parseConfigText('/e/ntp.conf', 'includefile /nonexistent/x.conf\n', 'ntpd', mapReader({}))) as NtpdConfig;
    expect(n.unreadable[0]!.reason).toBe('no such file');
  });

  it('lint text lists what could not be read, not only --json', async () => {
    const conf = write('text.ntp.conf', `server 10.0.0.1 iburst\nincludefile ${join(dir, 'fifo.conf')}\nrestrict default noquery\n`);
    const report = await lintConfig(conf, { addresses: [] });
    const text = renderText(report, { width: 1000 });
    expect(text).toContain(`could not read: ${join(dir, 'fifo.conf')} (is a FIFO (named pipe): not read; named at ${conf}:2)`);
    expect((report.inputs[0] as ConfigInput).unreadable).toEqual([{ file: join(dir, 'fifo.conf'), reason: 'is a FIFO (named pipe): not read', from: `${conf}:2` }]);
  });

  it('diagnose text lists unreadable config files of the node input the same way', () => {
    const text = renderText({
      schema: 'ntpdoctor.report/1',
      findings: [],
      exchanges: [],
      inputs: [{ kind: 'node', name: 'node0', daemons: [], configs: [], firewall: [], addresses: [], unreadable: [{ file: '/etc/chrony/conf.d/x.conf', reason: 'permission denied' }] }],
    });
    expect(text.split('\n')[1]).toBe('  could not read: /etc/chrony/conf.d/x.conf (permission denied)');
  });

  it('diagnose: a FIFO as --config and as an include become config gaps that name the file (never a hang)', async () => {
    const conf = write('node.chrony.conf', `server 10.0.0.1\ninclude ${join(dir, 'fifo.conf')}\n`);
    const facts = await discoverNode({ configs: [join(dir, 'fifo.conf'), conf], addresses: [], resolve: async () => [] });
    expect(facts.gaps.filter((g) => g.file !== undefined).map((g) => [g.file, g.why])).toEqual([
      [join(dir, 'fifo.conf'), 'is a FIFO (named pipe): not read'],
      [join(dir, 'fifo.conf'), 'is a FIFO (named pipe): not read'],
    ]);
    expect(facts.configs.map((c) => c.config.file)).toEqual([conf]);
  });

  it('a cycle is caught by file identity, whatever the spelling (symlink, ..)', async () => {
    mkdirSync(join(dir, 'cyc'));
    const a = write('cyc/a.conf', `include ${join(dir, 'cyc/link.conf')}\nallow 10.1.0.0/16\n`);
    symlinkSync(a, join(dir, 'cyc/link.conf'));
    write('cyc/b.conf', `include ${join(dir, 'cyc/../cyc/a.conf')}\n`);
    const c = (await loadConfig(join(dir, 'cyc/b.conf'), undefined, 'chrony')) as ChronyConfig;
    expect(c.unreadable.map((u) => u.reason)).toEqual(['include cycle: already being read']);
    expect(c.access.map((a) => a.subnet)).toEqual(['10.1.0.0/16']);
  });

  it('nesting stops at the daemon’s own depth: ntpd 5 (MAXINCLUDELEVEL), chronyd 10 (MAX_INCLUDE_LEVEL)', async () => {
    const chain = (n: number, kw: string) => {
      const files: Record<string, string> = {};
      for (let i = 0; i < n; i++) files[`/c/${i}.conf`] = `server 10.0.0.${i}\n${kw} /c/${i + 1}.conf\n`;
      files[`/c/${n}.conf`] = 'server 10.0.1.1\n';
      return files;
    };
    const ntpd = (await loadConfig('/c/0.conf', mapReader(chain(12, 'includefile')), 'ntpd')) as NtpdConfig;
    expect(ntpd.files).toHaveLength(6);
    expect(ntpd.unreadable).toMatchObject([{ file: '/c/6.conf', reason: expect.stringContaining('deeper than 5') }]);
    const chrony = (await loadConfig('/c/0.conf', mapReader(chain(12, 'include')), 'chrony')) as ChronyConfig;
    expect(chrony.files).toHaveLength(11);
    expect(chrony.unreadable[0]!.reason).toContain('deeper than 10');
  });

  it('a 20-way fan-out five levels deep (3.2 M includes) completes: the file cap stops it, iteratively, and says so', async () => {
    const files: Record<string, string> = {};
    for (let level = 0; level < 5; level++) files[`/f/${level}.conf`] = `server 10.0.${level}.1\n${`includefile /f/${level + 1}.conf\n`.repeat(20)}`;
    files['/f/5.conf'] = 'server 10.9.9.9\n';
    const reader = mapReader(files);
    const c = (await loadConfig('/f/0.conf', reader, 'ntpd')) as NtpdConfig;
    expect(c.files).toHaveLength(DEFAULT_LIMITS.files);
    expect(reader.reads).toBeLessThanOrEqual(DEFAULT_LIMITS.files + 1);
    // Reported once, with how many more includes it stopped: a few lines, not thousands.
    const capped = c.unreadable.filter((u) => u.reason.startsWith(`more than ${DEFAULT_LIMITS.files} files included in all: not read`));
    expect(capped).toHaveLength(1);
    expect(capped[0]!.reason).toMatch(/\(and \d+ more times\)$/);
    expect(c.unreadable.length).toBeLessThan(10);
    expect(c.directives.length).toBeLessThanOrEqual(DEFAULT_LIMITS.directives);
  });

  it('the directive cap and the total-bytes cap are reported with where reading stopped', async () => {
    const limits: ReadLimits = { ...DEFAULT_LIMITS, directives: 50, totalBytes: 3000 };
    const c = (await parseConfigText('/m.conf', 'server 10.0.0.1\n'.repeat(80), 'ntpd', mapReader({}), limits)) as NtpdConfig;
    expect(c.sources).toHaveLength(50);
    expect(c.unreadable).toEqual([{ file: '/m.conf', reason: 'more than 50 directives in all: read up to line 50, the rest ignored' }]);
    const files = { '/a.conf': 'x'.repeat(2000), '/b.conf': 'y'.repeat(2000) };
    const t = (await parseConfigText('/m.conf', 'includefile /a.conf\nincludefile /b.conf\nserver 10.0.0.2\n', 'ntpd', mapReader(files), limits)) as NtpdConfig;
    expect(t.files).toEqual(['/m.conf', '/a.conf']);
    expect(t.unreadable.map((u) => u.file)).toEqual(['/b.conf']);
    expect(t.sources.map((s) => s.address)).toEqual(['10.0.0.2']);
  });
});

describe('glob includes', () => {
  it('`include /etc/*[` is a note, not a failed run; 8 stars on a real directory complete', async () => {
    const conf = write('glob.chrony.conf', `include /etc/*[\ninclude /etc/********a\ninclude ${join(dir, 'g')}/*.conf\nallow 10.2.0.0/16\n`);
    mkdirSync(join(dir, 'g'));
    write('g/10-a.conf', 'local stratum 8\n');
    write('g/.hidden.conf', 'local stratum 3\n');
    const report = await lintConfig(conf, { addresses: [] });
    const unread = (report.inputs[0] as ConfigInput).unreadable as Array<{ file: string; reason: string }>;
    expect(unread.map((u) => u.file)).toEqual(['/etc/*[']);
    expect(unread[0]!.reason).toContain('taken as a literal `[`');
    const c = (await loadConfig(conf)) as ChronyConfig;
    expect(c.local?.stratum).toBe(8);
    expect(c.access.map((a) => a.subnet)).toEqual(['10.2.0.0/16']);
  });
});

describe('size', () => {
  it('100 k server lines are read and judged (every rule linear: restrict-notrust no longer searches the sources per server)', async () => {
    const lines = ['restrict default notrust nomodify', ...Array.from({ length: 99_998 }, (_, i) => `server 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255} iburst`)];
    const conf = write('big.ntp.conf', `${lines.join('\n')}\n`);
    const report = await lintConfig(conf, { addresses: [] });
    expect((report.inputs[0] as ConfigInput).directives).toBe(99_999);
    expect(report.findings.map((f) => f.rule)).toContain('restrict-notrust');
  }, 60_000);
});
