/**
 * The glob(7) matcher for chrony `include`: glibc semantics (fnmatch with FNM_PERIOD, unterminated `[` literal,
 * GLOB_NOMAGIC), checked against a reference DP matcher written here independently, and bounded on hostile
 * patterns (runs of `*`, long names) by outcome, not by wall time.
 */
import { describe, expect, it } from 'vitest';
import { compileSegment, expandGlob, matchSegment } from '../../src/inspect/config/glob.js';
import type { ConfigReader } from '../../src/model/config.js';

const m = (pattern: string, name: string) => matchSegment(compileSegment(pattern), name);

/** Reference: the textbook DP over pattern × name for `*`, `?` and literal characters only (no classes). */
function reference(p: string, s: string): boolean {
  const dp: boolean[][] = Array.from({ length: p.length + 1 }, () => Array<boolean>(s.length + 1).fill(false));
  dp[0]![0] = true;
  for (let i = 1; i <= p.length; i++) dp[i]![0] = dp[i - 1]![0]! && p[i - 1] === '*';
  for (let i = 1; i <= p.length; i++) {
    for (let j = 1; j <= s.length; j++) {
      const c = p[i - 1];
      if (c === '*') dp[i]![j] = dp[i - 1]![j]! || dp[i]![j - 1]!;
      else dp[i]![j] = dp[i - 1]![j - 1]! && (c === '?' || c === s[j - 1]);
    }
  }
  return dp[p.length]![s.length]!;
}

describe('matchSegment', () => {
  it('matches *, ? and literals as glob(7) says', () => {
    expect(m('*.conf', 'ntp.conf')).toBe(true);
    expect(m('*.conf', 'ntp.conf.bak')).toBe(false);
    expect(m('?0-*.conf', '10-local.conf')).toBe(true);
    expect(m('?0-*.conf', '0-local.conf')).toBe(false);
    expect(m('a*b*c', 'abc')).toBe(true);
    expect(m('a*b*c', 'axxbyyc')).toBe(true);
    expect(m('a*b*c', 'axxbyy')).toBe(false);
    expect(m('', '')).toBe(true);
  });

  it('classes: ranges, ! and ^ negation, ] first, named classes, escapes', () => {
    expect(m('[0-9][0-9]-*', '10-x')).toBe(true);
    expect(m('[0-9][0-9]-*', 'a0-x')).toBe(false);
    expect(m('[!0-9]*', 'a1')).toBe(true);
    expect(m('[!0-9]*', '1a')).toBe(false);
    expect(m('[^0-9]*', '1a')).toBe(false);
    expect(m('[]a]', ']')).toBe(true);
    expect(m('[]a]', 'a')).toBe(true);
    expect(m('[[:digit:]]x', '7x')).toBe(true);
    expect(m('[[:alpha:]]x', '7x')).toBe(false);
    expect(m('\\*', '*')).toBe(true);
    expect(m('\\*', 'a')).toBe(false);
    expect(m('[a-]', '-')).toBe(true);
  });

  it('a leading dot is matched only by a literal dot (FNM_PERIOD, as glob() without GLOB_PERIOD)', () => {
    expect(m('*', '.hidden')).toBe(false);
    expect(m('?hidden', '.hidden')).toBe(false);
    expect(m('[.]hidden', '.hidden')).toBe(false);
    expect(m('.*', '.hidden')).toBe(true);
    expect(m('a*', 'a.b')).toBe(true);
  });

  it('an unterminated `[` is a literal `[` (glibc fnmatch), and says so', () => {
    const seg = compileSegment('*[');
    expect(seg.unterminated).toBe(true);
    expect(matchSegment(seg, 'x[')).toBe(true);
    expect(matchSegment(seg, 'x')).toBe(false);
    expect(compileSegment('foo[').magic).toBe(false);
  });

  it('agrees with the reference DP on 3000 random patterns and names', () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let k = 0; k < 3000; k++) {
      const p = Array.from({ length: rnd(8) }, () => 'ab*?'[rnd(4)]).join('');
      const s = Array.from({ length: rnd(10) }, () => 'ab'[rnd(2)]).join('');
      expect(m(p, s), `${p} ~ ${s}`).toBe(reference(p, s));
    }
  });

  it('does not blow up: 8 (or 400) stars against a 255-character name that almost matches', () => {
    const name = 'a'.repeat(254) + 'b';
    expect(m('********a', name)).toBe(false);
    expect(m(`${'*a'.repeat(200)}*c`, name)).toBe(false);
    expect(m(`${'*'.repeat(400)}b`, name)).toBe(true);
    // Folded: 400 stars compile to one token.
    expect(compileSegment('*'.repeat(400)).tokens).toHaveLength(1);
  });
});

/** A reader over an in-memory tree: directories are objects, files strings. */
function treeReader(tree: Record<string, string[]>): ConfigReader & { dirReads: number } {
  const r = {
    dirReads: 0,
    readFile: async () => {
      throw Object.assign(new Error('no'), { code: 'ENOENT' });
    },
    readdir: async (p: string, max: number) => {
      r.dirReads++;
      const names = tree[p];
      if (!names) throw Object.assign(new Error('no'), { code: 'ENOENT' });
      return { names: names.slice(0, max), truncated: names.length > max };
    },
  };
  return r;
}

describe('expandGlob', () => {
  const limits = { matches: 256, entries: 4096 };

  it('expands segment by segment, sorted, wildcards in directories too', async () => {
    const reader = treeReader({ '/etc': ['chrony', 'ntp'], '/etc/chrony': ['b.conf', 'a.conf', '.x.conf', 'c.txt'], '/etc/ntp': ['z.conf'] });
    expect((await expandGlob('/etc/*/*.conf', reader, limits)).paths).toEqual(['/etc/chrony/a.conf', '/etc/chrony/b.conf', '/etc/ntp/z.conf']);
  });

  it('a pattern without wildcards is returned as is (GLOB_NOMAGIC), found or not, without reading directories', async () => {
    const reader = treeReader({});
    expect(await expandGlob('/etc/chrony/extra.conf', reader, limits)).toEqual({ paths: ['/etc/chrony/extra.conf'], notes: [] });
    expect(reader.dirReads).toBe(0);
  });

  it('`/etc/*[` is no error: a literal `[`, a note, and nothing matched', async () => {
    const reader = treeReader({ '/etc': ['chrony', 'hosts', 'odd['] });
    const r = await expandGlob('/etc/*[', reader, limits);
    expect(r.paths).toEqual(['/etc/odd[']);
    expect(r.notes[0]!.reason).toContain('without `]`');
  });

  it('caps the matches and the entries looked at, and says so', async () => {
    const many = Array.from({ length: 600 }, (_, i) => `f${String(i).padStart(3, '0')}.conf`);
    const r = await expandGlob('/d/*.conf', treeReader({ '/d': many }), { matches: 256, entries: 500 });
    expect(r.paths).toHaveLength(256);
    expect(r.paths[0]).toBe('/d/f000.conf');
    expect(r.notes.map((n) => n.reason).join('\n')).toMatch(/more than 500 entries[\s\S]*more than 256 files/);
  });

  it('a pattern walking a symlink loop (`/l/*/*/*…`) stops at the directory-read budget and says so', async () => {
    const loop: ConfigReader = {
      readFile: async () => ({ text: '', bytes: 0 }),
      readdir: async () => ({ names: ['loop'], truncated: false }),
    };
    const r = await expandGlob(`/l${'/*'.repeat(5000)}`, loop, { matches: 8, entries: 16 });
    expect(r.paths).toEqual([]);
    expect(r.notes[0]!.reason).toBe('glob pattern needs more than 32 directory reads: stopped there');
  });

  it('a missing directory matches nothing (GLOB_NOMATCH: chronyd reads nothing)', async () => {
    expect((await expandGlob('/nope/*.conf', treeReader({}), limits)).paths).toEqual([]);
  });
});
