/**
 * unknown-directive: a line the daemon does not know, with "did you mean" for near misses. The known lists must
 * be complete: every real config here (fixtures, Debian's chrony.conf, NTPsec's ntp.conf) gives no finding.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import localClockMissing from '../../rules/local-clock-missing.js';
import rule from '../../rules/unknown-directive.js';
import { editDistance, suggestDirective, CHRONY_DIRECTIVES, NTPD_DIRECTIVES } from '../../src/inspect/config/directives.js';
import { detectFlavor } from '../../src/inspect/config/load.js';
import { CONFIGS, chronyConfig, iface, LOOPBACK, localAddresses, ntpdConfig } from '../node/_build.js';
import { findingsOf } from './_build.js';
import { ruleTester } from './_tester.js';

describe('unknown-directive', () => {
  it('`sever 10.0.0.1 iburst` in ntp.conf: did you mean `server`, with the line fixed or commented out', () => {
    const [f, ...rest] = findingsOf(rule, [ntpdConfig('ntp.conf', 'sever 10.0.0.1 iburst\nrestrict default noquery\n')]);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ rule: 'unknown-directive', severity: 'warning', subject: '/etc/ntp.conf:1' });
    expect(f!.title).toBe('`sever` (/etc/ntp.conf:1) is not a directive ntpd knows: did you mean `server`?');
    expect(f!.evidence[0]).toMatchObject({ file: '/etc/ntp.conf', line: 1 });
    expect(f!.evidence[0]!.text).toContain('`sever 10.0.0.1 iburst`');
    expect(f!.fixes.map((x) => x.title)).toEqual(['Correct the keyword: `server 10.0.0.1 iburst`', 'Comment out line 1 (the daemon ignores it anyway)']);
    // The corrected line keeps the arguments as written.
    expect(f!.fixes[0]!.commands.join('\n')).toContain('server 10.0.0.1 iburst');
  });

  it('chrony: an error, since chronyd refuses to start ("Invalid directive")', () => {
    const [f] = findingsOf(rule, [chronyConfig('chrony.conf', 'server 10.0.0.1 iburst\nmakestpe 1 3\n')]);
    expect(f).toMatchObject({ severity: 'error', subject: '/etc/chrony.conf:2' });
    expect(f!.title).toContain('did you mean `makestep`?');
    expect(f!.evidence[1]!.text).toContain('chronyd refuses to start');
  });

  it('a word far from every directive gets no guess, only the comment-out fix', () => {
    const [f] = findingsOf(rule, [chronyConfig('chrony.conf', 'frobnicate 1 2\n')]);
    expect(f!.title).toBe('`frobnicate` (/etc/chrony.conf:1) is not a directive chronyd knows');
    expect(f!.fixes).toHaveLength(1);
  });

  it('a flood of unknown lines gives 20 findings and one that counts the rest', () => {
    const text = Array.from({ length: 500 }, (_, i) => `junk${i} x`).join('\n');
    const fs = findingsOf(rule, [ntpdConfig('ntp.conf', text)]);
    expect(fs).toHaveLength(21);
    expect(fs.filter((f) => f.title === '480 more lines in /etc/ntp.conf that ntpd does not know')).toHaveLength(1);
  });

  it('is silent on every real config: the fixtures, Debian’s packaged chrony.conf, NTPsec’s ntp.conf', () => {
    const files: string[] = [];
    const walk = (d: string) => {
      for (const n of readdirSync(d)) {
        const p = join(d, n);
        if (statSync(p).isDirectory()) walk(p);
        else if (n !== 'README.md') files.push(p);
      }
    };
    walk(CONFIGS);
    for (const extra of ['/usr/share/chrony/chrony.conf', '/etc/chrony/chrony.conf', '/opt/ntpsec/etc/ntpsec/ntp.conf']) if (existsSync(extra)) files.push(extra);
    expect(files.length).toBeGreaterThan(15);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      // fixtures/configs/include/chrony.conf keeps one deliberate unknown line (`frobnicate`).
      const body = text.replace(/^frobnicate.*$/m, '');
      const o = detectFlavor(file, text) === 'chrony' ? chronyConfig(file, body) : ntpdConfig(file, body);
      expect(findingsOf(rule, [o]).map((f) => f.title), file).toEqual([]);
    }
  });

  it('with a misspelled server, local-clock-missing still fires (the daemon has no upstream) but as a warning at 50% that points at the typo', () => {
    const text = 'sever 10.0.0.1 iburst\nrestrict 192.168.1.0 mask 255.255.255.0 nomodify notrap\n';
    const obs = [localAddresses([iface(), LOOPBACK]), ntpdConfig('ntp.conf', text)];
    const [f] = findingsOf(localClockMissing, obs);
    expect(f).toMatchObject({ severity: 'warning', confidence: 0.5 });
    expect(f!.evidence.map((e) => e.text).join('\n')).toContain('if `server` was meant, that is the missing upstream');
    // Without the typo it stays an error at full confidence.
    const [g] = findingsOf(localClockMissing, [localAddresses([iface(), LOOPBACK]), ntpdConfig('ntp.conf', 'restrict 192.168.1.0 mask 255.255.255.0 nomodify notrap\n')]);
    expect(g).toMatchObject({ severity: 'error', confidence: 0.8 });
  });
});

describe('suggestDirective', () => {
  it('Damerau-Levenshtein: a transposition counts one', () => {
    expect(editDistance('sever', 'server', 2)).toBe(1);
    expect(editDistance('sevrer', 'server', 2)).toBe(1);
    expect(editDistance('abc', 'xyz', 2)).toBe(3);
  });

  it('finds near misses in the flavor’s own list, none for far words or short words one letter off', () => {
    expect(suggestDirective('sever', NTPD_DIRECTIVES)).toBe('server');
    expect(suggestDirective('restict', NTPD_DIRECTIVES)).toBe('restrict');
    expect(suggestDirective('driftfle', CHRONY_DIRECTIVES)).toBe('driftfile');
    expect(suggestDirective('alow', CHRONY_DIRECTIVES)).toBe('allow');
    expect(suggestDirective('frobnicate', CHRONY_DIRECTIVES)).toBeUndefined();
    expect(suggestDirective('x'.repeat(10_000), CHRONY_DIRECTIVES)).toBeUndefined();
  });
});

ruleTester.run('unknown-directive', rule, {
  valid: [
    { name: 'every directive known (ntp.conf)', observations: () => [ntpdConfig('ntp.conf', 'server 10.0.0.1 iburst\nrestrict default noquery\n')] },
    { name: 'every directive known (chrony.conf)', observations: () => [chronyConfig('chrony.conf', 'server 10.0.0.1 iburst\nmakestep 1 3\n')] },
  ],
  invalid: [
    {
      name: '`sever` in ntp.conf',
      observations: () => [ntpdConfig('ntp.conf', 'sever 10.0.0.1 iburst\nrestrict default noquery\n')],
      findings: [
        {
          subject: '/etc/ntp.conf:1',
          severity: 'warning',
          title: 'did you mean `server`?',
          evidence: ['/etc/ntp.conf:1: `sever 10.0.0.1 iburst`: ntpd does not know `sever`', 'ntpd logs a syntax error for line 1 and runs without it'],
        },
      ],
    },
    {
      name: '`makestpe` in chrony.conf: an error, chronyd refuses to start',
      observations: () => [chronyConfig('chrony.conf', 'server 10.0.0.1 iburst\nmakestpe 1 3\n')],
      findings: [{ subject: '/etc/chrony.conf:2', severity: 'error', evidence: ['/etc/chrony.conf:2: `makestpe 1 3`'] }],
    },
  ],
});
