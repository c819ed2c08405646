/** Suppression comments as data: where each applies, what it silences, and every way one can be wrong. */
import { describe, expect, it } from 'vitest';
import type { Finding, Report } from '../../src/diagnose/types.js';
import { applySuppressions, parseSuppression, scanSuppressions } from '../../src/lint/suppress.js';

const KNOWN = new Set(['noquery-missing', 'single-upstream', 'local-clock-mismatch', 'chrony-allow-missing']);

function finding(rule: string, places: Array<[string, number?]>, subject = 'ntp.conf'): Finding {
  return {
    rule,
    severity: 'warning',
    confidence: 0.8,
    title: rule,
    subject,
    evidence: places.map(([file, line]) => (line === undefined ? { text: 't', file } : { text: 't', file, line })),
    fixes: [],
  };
}

function report(findings: Finding[]): Report {
  return { schema: 'ntpdoctor.report/1', findings, exchanges: [], exchangesOmitted: 0, inputs: [{ kind: 'config', name: 'ntp.conf', flavor: 'ntpd', files: ['ntp.conf', 'inc.conf'], directives: 2 }] };
}

describe('parseSuppression', () => {
  it('takes one or several ids and the reason after --', () => {
    expect(parseSuppression('# ntpdoctor: ignore noquery-missing -- closed at the firewall', KNOWN)).toEqual({ ok: true, rules: ['noquery-missing'], reason: 'closed at the firewall' });
    expect(parseSuppression('#ntpdoctor:ignore noquery-missing, single-upstream --  lab', KNOWN)).toEqual({ ok: true, rules: ['noquery-missing', 'single-upstream'], reason: 'lab' });
  });

  it.each([
    ['# ntpdoctor: ignore noquery-missing', /reason is required/],
    ['# ntpdoctor: ignore noquery-missing --   ', /reason is required/],
    ['# ntpdoctor: ignore -- why', /no rule id/],
    ['# ntpdoctor: disable noquery-missing -- why', /not a suppression/],
    ['# ntpdoctor: ignore noquery-mising -- why', /unknown rule 'noquery-mising' \(did you mean noquery-missing\?/],
  ])('%s is refused', (text, problem) => {
    const r = parseSuppression(text, KNOWN);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toMatch(problem);
  });
});

describe('scanSuppressions', () => {
  it('ntpd: above a directive, after it on the same line, and at the top (with a blank line) for the file', () => {
    const text = [
      '# ntpdoctor: ignore single-upstream -- one upstream on purpose', // 1: file
      '',
      'driftfile /var/lib/ntp/drift', // 3
      '# ntpdoctor: ignore local-clock-mismatch -- staged change', // 4: next directive, past a comment and a blank
      '# a plain comment',
      '',
      'fudge 127.127.1.0 stratum 10', // 7
      'restrict default nomodify "#x" # ntpdoctor: ignore noquery-missing -- firewall', // 8: this line (a quoted # is no comment)
    ].join('\n');
    const { ok, bad } = scanSuppressions(text, 'ntp.conf', 'ntpd', KNOWN);
    expect(bad).toEqual([]);
    expect(ok.map((s) => [s.line, s.scope, s.appliesTo, s.rules.join(',')])).toEqual([
      [1, 'file', undefined, 'single-upstream'],
      [4, 'line', 7, 'local-clock-mismatch'],
      [8, 'line', 8, 'noquery-missing'],
    ]);
  });

  it('a suppression right above the first directive (no blank line) is for that directive only', () => {
    const { ok } = scanSuppressions('# ntpdoctor: ignore single-upstream -- x\nserver a\n', 'f', 'ntpd', KNOWN);
    expect(ok).toMatchObject([{ scope: 'line', appliesTo: 2 }]);
  });

  it('chrony: a trailing comment is not a comment to chronyd, so it is refused with the reason', () => {
    const { ok, bad } = scanSuppressions('server a iburst # ntpdoctor: ignore single-upstream -- x\n! ntpdoctor is not read after !\n', 'c', 'chrony', KNOWN);
    expect(ok).toEqual([]);
    expect(bad).toMatchObject([{ line: 1, problem: expect.stringMatching(/chronyd reads a comment only at the start of a line/) as unknown }]);
  });

  it('nothing after it: refused', () => {
    const { bad } = scanSuppressions('server a\n# ntpdoctor: ignore single-upstream -- x\n\n', 'f', 'ntpd', KNOWN);
    expect(bad[0]?.problem).toMatch(/no directive follows/);
  });

  it('stays bounded on a hostile file: at most 1000 per file, a huge comment cut', () => {
    const text = Array.from({ length: 5000 }, () => `server a # ntpdoctor: ignore single-upstream -- ${'r'.repeat(10)}`).join('\n');
    const { ok, bad } = scanSuppressions(text, 'f', 'ntpd', KNOWN);
    expect(ok.length).toBe(1000);
    expect(bad).toHaveLength(1);
    // Linear in the file: 1000 suppressions each above a directive far from the next one.
    const wide = Array.from({ length: 1000 }, () => `# ntpdoctor: ignore single-upstream -- r\n${'# filler\n'.repeat(200)}server a`).join('\n');
    const started = performance.now();
    expect(scanSuppressions(wide, 'f', 'ntpd', KNOWN).ok).toHaveLength(1000);
    expect(performance.now() - started).toBeLessThan(5000);
    const long = scanSuppressions(`# ntpdoctor: ${'x'.repeat(100_000)}\nserver a`, 'f', 'ntpd', KNOWN);
    expect(long.bad[0]!.text.length).toBeLessThan(600);
  });
});

describe('applySuppressions', () => {
  it('moves covered findings to suppressed, counts use, keeps the rest in order', () => {
    const { ok } = scanSuppressions(
      ['# ntpdoctor: ignore single-upstream -- lab', '', 'server a', 'restrict default # ntpdoctor: ignore noquery-missing -- fw', 'fudge x'].join('\n'),
      'ntp.conf',
      'ntpd',
      KNOWN,
    );
    const r = applySuppressions(
      report([
        finding('local-clock-mismatch', [['ntp.conf', 5]]),
        finding('noquery-missing', [['ntp.conf', 4], ['ntp.conf']]),
        finding('noquery-missing', [['inc.conf', 4]], 'inc.conf'), // another file's line 4: not covered
        finding('single-upstream', [['ntp.conf', 3]]),
        finding('single-upstream', []), // no place at all: about the file lint was given
      ]),
      ok,
      'ntp.conf',
    );
    expect(r.findings.map((f) => `${f.rule}@${f.subject}`)).toEqual(['local-clock-mismatch@ntp.conf', 'noquery-missing@inc.conf']);
    expect(r.suppressed?.map((s) => `${s.finding.rule}:${s.by.line}`)).toEqual(['noquery-missing:4', 'single-upstream:1', 'single-upstream:1']);
    expect(ok.map((s) => s.used)).toEqual([2, 1]);
  });

  it('a file-wide suppression in an included file covers findings there only', () => {
    const { ok } = scanSuppressions('# ntpdoctor: ignore noquery-missing -- included defaults\n\nrestrict default\n', 'inc.conf', 'ntpd', KNOWN);
    const r = applySuppressions(report([finding('noquery-missing', [['inc.conf', 3]], 'inc.conf'), finding('noquery-missing', [['ntp.conf', 2]])]), ok, 'ntp.conf');
    expect(r.findings.map((f) => f.subject)).toEqual(['ntp.conf']);
  });
});
