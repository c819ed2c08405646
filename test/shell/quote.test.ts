/**
 * POSIX sh quoting (src/shell/quote.ts) as data, and by round trip through a real `sh -c`: each quoted word must
 * come back from `printf '%s\0' WORDS…` byte for byte, alone, with nothing run. Random words (a seeded fuzz over
 * ASCII, shell metacharacters, C1, BMP and astral code points) and a fixed hostile list.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { pasteHazard, quote } from '../../src/shell/quote.js';
import { mulberry32 } from '../seeded.js';

const HOSTILE = [
  'a;touch pwned;b',
  '$(touch pwned)',
  '`touch pwned`',
  "it's",
  '"double"',
  "'",
  "''",
  '\\',
  'back\\slash\\',
  'a b',
  '  leading and trailing  ',
  '*',
  '?',
  '[a]',
  '~',
  '~root',
  '-n',
  '--help',
  'a&b',
  'a|b',
  'a>b',
  '<x',
  '!x',
  '#comment',
  '${HOME}',
  '$HOME',
  '%s\\n',
  '{a,b}',
  'x=y',
  'é ü ✓ 🕒',
  'tab\there',
  'new\nline',
  '',
];

/** What sh makes of the quoted words: the argv printf receives, split back apart. */
function roundTrip(words: readonly string[]): { words: string[]; stderr: string; status: number | null } {
  const script = `printf '%s\\0' ${words.map(quote).join(' ')}`;
  const r = spawnSync('sh', ['-c', script], { encoding: 'utf8', cwd: '/', env: { PATH: '/usr/bin:/bin' } });
  const out = r.stdout.split('\0');
  out.pop();
  return { words: out, stderr: r.stderr, status: r.status };
}

function randomWord(rnd: () => number): string {
  const len = Math.floor(rnd() * 12);
  let w = '';
  for (let i = 0; i < len; i++) {
    const pick = rnd();
    if (pick < 0.45) w += `;&|<>()$\`\\"' \t*?[]{}~#!=%-\n`[Math.floor(rnd() * 32)] ?? '';
    else if (pick < 0.75) w += String.fromCharCode(1 + Math.floor(rnd() * 126));
    else if (pick < 0.85) w += String.fromCharCode(0x80 + Math.floor(rnd() * 0x780));
    else if (pick < 0.95) w += String.fromCharCode(0x800 + Math.floor(rnd() * 0xd000));
    else w += String.fromCodePoint(0x10000 + Math.floor(rnd() * 0xfffff));
  }
  return w;
}

describe('quote', () => {
  it('leaves words of the safe set alone and single-quotes the rest', () => {
    expect(quote('/etc/ntp.conf')).toBe('/etc/ntp.conf');
    expect(quote('--dport')).toBe('--dport');
    expect(quote('198.51.100.1:123')).toBe('198.51.100.1:123');
    expect(quote('server 127.127.1.0')).toBe("'server 127.127.1.0'");
    expect(quote("it's")).toBe(`'it'"'"'s'`);
    expect(quote('')).toBe("''");
    expect(quote('a;b')).toBe("'a;b'");
  });

  it('round-trips every hostile word through sh -c, each as one argument, nothing run', () => {
    const r = roundTrip(HOSTILE);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.words).toEqual(HOSTILE);
  });

  it('round-trips 2000 random words (seeded fuzz) through sh -c', () => {
    const rnd = mulberry32(11);
    for (let batch = 0; batch < 10; batch++) {
      const words = Array.from({ length: 200 }, () => randomWord(rnd));
      const r = roundTrip(words);
      expect(r.stderr).toBe('');
      expect(r.words).toEqual(words);
    }
  });
});

describe('pasteHazard', () => {
  it('names what a pasted line cannot carry: newline, CR, tab, ESC, DEL, C1, bidi and zero-width, lone surrogates', () => {
    for (const bad of ['a\nb', 'a\rb', 'a\tb', '\u001b[31m', 'a\u007f', 'a\u009bb', 'a\u202eb', 'a\u200bb', 'a\u2028b', 'a\ud800b', '\0']) {
      expect(pasteHazard(bad), JSON.stringify(bad)).toBeDefined();
    }
    for (const ok of ['a;b', '$(x)', "it's", 'é ü ✓ 🕒', '/srv/a b/ntp.conf', '']) expect(pasteHazard(ok), ok).toBeUndefined();
  });
});
