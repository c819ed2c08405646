/** Config parsers and the include loader, on the seed's configs and the packaged defaults (fixtures/configs). */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { detectFlavor, loadConfig, parseConfigText } from '../../src/inspect/config/load.js';
import { splitDirectives } from '../../src/inspect/config/lex.js';
import type { ChronyConfig, ConfigReader, NtpdConfig } from '../../src/model/config.js';

const dir = fileURLToPath(new URL('../../fixtures/configs/', import.meta.url));
const ntpd = async (name: string) => (await loadConfig(dir + name)) as NtpdConfig;
const chrony = async (name: string) => (await loadConfig(dir + name)) as ChronyConfig;

describe('ntp.conf', () => {
  it("reads the seed's first node0 config: one restrict with a mask, one server, file and line kept", async () => {
    const c = await ntpd('seed000-node0-first.ntp.conf');
    expect(c.flavor).toBe('ntpd');
    expect(c.restricts).toEqual([
      { file: dir + 'seed000-node0-first.ntp.conf', line: 2, text: 'restrict 192.168.1.0 mask 255.255.255.0 nomodify notrap', address: '192.168.1.0', mask: '255.255.255.0', family: 4, flags: ['nomodify', 'notrap'] },
    ]);
    expect(c.sources.map((s) => [s.line, s.directive, s.address, s.iburst])).toEqual([[10, 'server', '192.168.1.100', true]]);
    // The commented pool lines are comments, not directives.
    expect(c.directives).toHaveLength(2);
  });

  it("reads the seed's final config: local clock unit 1, fudge unit 0 stratum 10, disable monitor, keys, an includefile", async () => {
    const c = await ntpd('seed000-node0-final.ntp.conf');
    const local = c.sources.find((s) => s.refclock);
    expect(local).toMatchObject({ line: 31, address: '127.127.1.1', refclock: { type: 1, unit: 1 } });
    expect(c.fudges).toMatchObject([{ line: 32, address: '127.127.1.0', refclock: { type: 1, unit: 0 }, stratum: 10 }]);
    expect(c.disabled.map((d) => [d.flag, d.line])).toEqual([['monitor', 66]]);
    expect(c.keys).toMatchObject({ path: '/etc/ntp/keys', line: 48 });
    expect(c.restricts.map((r) => r.address)).toEqual(['default', '127.0.0.1', '::1', '192.168.1.0']);
    expect(c.restricts[0]!.family).toBeUndefined();
    expect(c.restricts[2]!.family).toBe(6);
    // `includefile /etc/ntp/crypto/pw` is not on this machine: noted, never fatal.
    expect(c.unreadable).toEqual([{ file: '/etc/ntp/crypto/pw', reason: 'no such file', from: { file: dir + 'seed000-node0-final.ntp.conf', line: 44, text: 'includefile /etc/ntp/crypto/pw' } }]);
  });

  it('reads `restrict -6 default` and a trailing comment on a server line (seed 002)', async () => {
    const c = await ntpd('seed002-server.ntp.conf');
    expect(c.restricts[1]).toMatchObject({ address: 'default', family: 6, flags: ['kod', 'nomodify', 'notrap', 'nopeer', 'noquery'] });
    const local = c.sources.find((s) => s.address === '127.127.1.0');
    expect(local?.text).toBe('server  127.127.1.0');
    expect(c.sources.filter((s) => !s.refclock).map((s) => s.address)).toEqual(['192.168.146.225', '0.centos.pool.ntp.org', '1.centos.pool.ntp.org', '2.centos.pool.ntp.org']);
  });

  it('reads NTPsec syntax: refclock local with an inline stratum, restrict with a CIDR', async () => {
    const c = await ntpd('ntpsec-refclock-local.ntp.conf');
    expect(c.sources).toMatchObject([{ directive: 'refclock', address: 'local', refclock: { type: 1, unit: 0, driver: 'local' }, stratum: 10 }]);
    expect(c.restricts.at(-1)).toMatchObject({ address: '192.168.1.0/24', family: 4, flags: ['nomodify', 'nopeer'] });
  });

  it('keeps unknown directives and reads tos orphan and tinker', async () => {
    const c = (await parseConfigText('/x/ntp.conf', 'tos orphan 10 minclock 3\ntinker panic 0\nfrobnicate 1 2\n', 'ntpd')) as NtpdConfig;
    expect(c.orphan).toMatchObject({ stratum: 10, line: 1 });
    expect(c.tinker).toMatchObject([{ name: 'panic', value: 0 }]);
    expect(c.unknown).toMatchObject([{ keyword: 'frobnicate', args: ['1', '2'], line: 3 }]);
  });

  it('follows includefile in order, stops at a cycle and notes a missing file', async () => {
    const c = await ntpd('include/main.ntp.conf');
    expect(c.files).toEqual([dir + 'include/main.ntp.conf', dir + 'include/crypto.conf']);
    expect(c.sources.map((s) => [s.file.replace(dir, ''), s.line, s.address])).toEqual([
      ['include/crypto.conf', 4, '192.168.1.101'],
      ['include/main.ntp.conf', 5, '192.168.1.100'],
    ]);
    expect(c.trustedKeys).toEqual([4, 8, 42]);
    expect(c.unreadable.map((u) => [u.file.replace(dir, ''), u.reason])).toEqual([
      ['include/main.ntp.conf', 'include cycle: already being read'],
      ['/nonexistent/ntpdoctor/missing.conf', 'no such file'],
    ]);
  });
});

describe('chrony.conf', () => {
  it("reads Debian's packaged chrony.conf: pool, makestep, confdir/sourcedir", async () => {
    const c = await chrony('debian12-chrony.conf');
    expect(c.flavor).toBe('chrony');
    expect(c.sources).toMatchObject([{ directive: 'pool', address: '2.debian.pool.ntp.org', iburst: true }]);
    expect(c.makestep).toMatchObject({ threshold: 1, limit: 3 });
    expect(c.access).toEqual([]);
    expect(c.unknown).toEqual([]);
  });

  it('reads allow/deny with and without `all`, local, and a deny all after an allow', async () => {
    const c = await chrony('chrony-server-deny-all.conf');
    expect(c.access.map((a) => [a.verb, a.all, a.subnet, a.line])).toEqual([
      ['allow', false, '192.168.1.0/24', 5],
      ['deny', true, undefined, 8],
    ]);
    expect(c.local).toMatchObject({ stratum: 10, orphan: false, line: 6 });
  });

  it('expands include (glob), confdir and sourcedir in order; sourcedir keeps only source lines; unknown kept', async () => {
    const c = await chrony('include/chrony.conf');
    expect(c.files.map((f) => f.replace(dir, ''))).toEqual([
      'include/chrony.conf',
      'include/conf.d/10-local.conf',
      'include/conf.d/20-deny.conf',
      'include/conf.d/10-local.conf',
      'include/conf.d/20-deny.conf',
      'include/sources.d/lan.sources',
    ]);
    expect(c.sources.map((s) => [s.directive, s.address])).toEqual([
      ['server', '192.168.1.101'],
      ['pool', 'pool.example.invalid'],
    ]);
    // `allow all` in a .sources file is not a source directive: dropped (chrony.conf(5) sourcedir).
    expect(c.access.map((a) => `${a.verb} ${a.subnet}`)).toEqual(['deny 192.168.1.128/25', 'deny 192.168.1.128/25', 'allow 192.168.1.0/24']);
    expect(c.local?.stratum).toBe(10);
    expect(c.unknown.map((d) => d.keyword)).toEqual(['frobnicate']);
  });

  it('treats only line-leading ! ; # % as comments (chrony), but # anywhere for ntpd', () => {
    const text = '! c1\n  ; c2\n% c3\nserver a.example iburst # not a comment for chrony\n';
    expect(splitDirectives(text, 'f', 'chrony').map((d) => d.args)).toEqual([['a.example', 'iburst', '#', 'not', 'a', 'comment', 'for', 'chrony']]);
    expect(splitDirectives('server a # comment\n', 'f', 'ntpd')[0]!.args).toEqual(['a']);
    expect(splitDirectives('includefile "/a b/c"\n', 'f', 'ntpd')[0]!.args).toEqual(['/a b/c']);
  });

  it('guards against include cycles through a reader that only knows the files (no disk)', async () => {
    const files: Record<string, string> = { '/e/chrony.conf': 'include /e/a.conf\nallow 10.0.0.0/8\n', '/e/a.conf': 'include /e/chrony.conf\nlocal\n' };
    const reader: ConfigReader = {
      readFile: async (p) => {
        const t = files[p];
        if (t === undefined) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
        return { text: t, bytes: t.length };
      },
      readdir: async () => ({ names: [], truncated: false }),
    };
    const c = (await loadConfig('/e/chrony.conf', reader)) as ChronyConfig;
    expect(c.local?.stratum).toBe(10);
    expect(c.unreadable).toMatchObject([{ file: '/e/chrony.conf', reason: 'include cycle: already being read' }]);
  });
});

describe('detectFlavor', () => {
  it('goes by the file name, else by directives only one daemon has', () => {
    expect(detectFlavor('/etc/chrony/chrony.conf', '')).toBe('chrony');
    expect(detectFlavor('/etc/ntpsec/ntp.conf', '')).toBe('ntpd');
    expect(detectFlavor('/tmp/x.conf', 'makestep 1 3\nallow 10/8\nserver a')).toBe('chrony');
    expect(detectFlavor('/tmp/x.conf', 'restrict default ignore\nserver a\nfudge 127.127.1.0 stratum 10')).toBe('ntpd');
  });
});
