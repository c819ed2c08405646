import { describe, expect, it } from 'vitest';
import { clean, fitLine, lineText, lineWidth, textWidth, truncate, wrap } from '../../src/ui/text.js';

const nonSpace = (s: string) => s.replace(/\s+/g, '');

describe('text fitting', () => {
  it('counts terminal cells as Ink does (string-width): wide CJK 2, combining marks 0, ❌ 2, emoji with a modifier 2', () => {
    expect(textWidth('a')).toBe(1);
    expect(textWidth('❌')).toBe(2);
    expect(textWidth('👍🏽')).toBe(2);
    expect(textWidth('🇫🇷')).toBe(2);
    expect(textWidth('✔ ✘ ⚠')).toBe(5);
    expect(textWidth('时间服务器')).toBe(10);
    expect(textWidth('e\u0301')).toBe(1);
    expect(textWidth('µs θ δ ▁█ ⠋')).toBe(11);
  });

  it('truncates to the width with an ellipsis, and leaves short text alone', () => {
    expect(truncate('firewall-reject', 8)).toBe('firewal…');
    expect(textWidth(truncate('时间服务器时间服务器', 7))).toBeLessThanOrEqual(7);
    expect(truncate('short', 80)).toBe('short');
    expect(truncate('x', 0)).toBe('');
    // A cut never splits a grapheme: the modifier stays with its emoji, the flag's two halves together.
    expect(truncate('👍🏽👍🏽👍🏽', 5)).toBe('👍🏽👍🏽…');
    expect(truncate('🇫🇷🇫🇷🇫🇷', 4)).toBe('🇫🇷…');
    expect(textWidth(truncate('❌❌❌❌', 6))).toBeLessThanOrEqual(6);
  });

  it('wraps at word boundaries with a hanging indent, never past the width, never dropping a character', () => {
    const text =
      'ICMP type 3 code 10 (host administratively prohibited) from 198.51.100.100 answering 7 requests 198.51.100.130:57524→198.51.100.100:123';
    const lines = wrap(text, 40, '  • ', '    ');
    expect(lines[0]!.startsWith('  • ICMP')).toBe(true);
    for (const l of lines.slice(1)) expect(l.startsWith('    ')).toBe(true);
    for (const l of lines) expect(textWidth(l)).toBeLessThanOrEqual(40);
    expect(nonSpace(lines.join('')).replace('•', '')).toBe(nonSpace(text));
  });

  it('splits a word longer than the line (a command, a path) across lines instead of cutting it', () => {
    const path = '/work/main/fixtures/configs/seed000-node0-final.ntp.conf';
    const lines = wrap(`sed -i '31c\\server 127.127.1.0 iburst' ${path}`, 24, '$ ', '  ');
    for (const l of lines) expect(textWidth(l)).toBeLessThanOrEqual(24);
    expect(nonSpace(lines.join('').slice(2))).toBe(nonSpace(`sed -i '31c\\server 127.127.1.0 iburst' ${path}`));
  });

  it('makes control characters visible so they cannot move the cursor', () => {
    expect(clean('a\x1b[2Jb\tc\u009bd')).toBe('a\\x1b[2Jb\\tc\\u009bd');
    expect(wrap('x\x1by', 10)).toEqual(['x\\x1by']);
  });

  it('fits a styled line by cutting its last visible segment', () => {
    const line = [{ text: '› ', bold: true }, { text: 'ERROR ', tone: 'error' as const }, { text: 'a very long finding title indeed' }];
    const fitted = fitLine(line, 20);
    expect(lineWidth(fitted)).toBe(20);
    expect(lineText(fitted)).toBe('› ERROR a very long…');
    expect(fitted[1]!.tone).toBe('error');
    expect(fitLine(line, 100)).toBe(line);
  });
});
