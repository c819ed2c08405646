/** `ntpdoctor lint --format gcc|json|sarif` and suppressions end to end (in process, through main()). */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { afterAll, describe, expect, it } from 'vitest';
import type { CommandIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { rules } from '../../rules/index.js';
import { parseReport } from '../_schema.js';
import { expectSafeJson, expectTerminalSafe, HOSTILE } from '../hostile.js';

const CONFIGS = join(__dirname, '..', '..', 'fixtures', 'configs');
const dir = mkdtempSync(join(tmpdir(), 'ntpdoctor-lint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function lint(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CommandIo = { stdout: (t) => (out += t), stderr: (t) => (err += t), isTTY: false };
  const code = await main(['lint', ...argv], io);
  return { code, out, err };
}

/** The SARIF 2.1.0 schema (test/lint/README.md): draft-04, read by ajv's default draft with its `id` renamed. */
function sarifValidator() {
  const schema = JSON.parse(readFileSync(join(__dirname, 'sarif-2.1.0-rtm.5.json'), 'utf8')) as Record<string, unknown>;
  schema.$id = schema.id;
  delete schema.id;
  delete schema.$schema;
  const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv) => Ajv;
  return addFormats(new Ajv({ allErrors: true, strict: false, unicodeRegExp: false })).compile(schema);
}

const SEED_FINAL = join(CONFIGS, 'seed000-node0-final.ntp.conf');

describe('lint --format', () => {
  it('gcc: FILE:LINE:COL: SEVERITY: MESSAGE [RULE], one line per finding, exit status as the report', async () => {
    const r = await lint(SEED_FINAL, '--format', 'gcc');
    expect(r.code).toBe(1);
    const lines = r.out.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).toMatch(/^.+:\d+:\d+: (error|warning|note): .+ \[[a-z0-9-]+\]$/);
    const text = readFileSync(SEED_FINAL, 'utf8').split('\n');
    const mismatch = lines.find((l) => l.endsWith('[local-clock-mismatch]'))!;
    const [, line, col] = /:(\d+):(\d+): warning: /.exec(mismatch)!;
    // The line a gcc-style jump lands on is the directive the finding cites, at its first non-blank column.
    expect(text[Number(line) - 1]).toMatch(/^\s*(server|fudge) 127\.127\.1\./);
    expect(Number(col)).toBe((text[Number(line) - 1] as string).search(/\S/) + 1);
    expect(mismatch).not.toContain(`${SEED_FINAL}:${line}: \``); // the title's own FILE:LINE prefix is not repeated
  });

  it('json is --json; a bad format or a conflict is a usage error (exit 2, one line)', async () => {
    const a = await lint(SEED_FINAL, '--format', 'json');
    const b = await lint(SEED_FINAL, '--json');
    expect(a.out).toBe(b.out);
    parseReport(a.out);
    for (const bad of [['--format', 'xml'], ['--json', '--format', 'gcc']]) {
      const r = await lint(SEED_FINAL, ...bad);
      expect(r.code).toBe(2);
      expect(r.err.split('\n')).toHaveLength(2);
    }
  });

  it('sarif: valid SARIF 2.1.0 for every config fixture, every rule described, results located', async () => {
    const validate = sarifValidator();
    expect(validate({ version: '2.1.0', runs: [{ results: [] }] }), 'the SARIF schema rejects a run without a tool').toBe(false);
    for (const name of ['seed000-node0-final.ntp.conf', 'seed000-node0-first.ntp.conf', 'chrony-server-no-allow.conf', 'ntp-default-ignore.ntp.conf', 'seed002-server.ntp.conf']) {
      const r = await lint(join(CONFIGS, name), '--format', 'sarif', '--local-ip', '192.168.1.100');
      const log = JSON.parse(r.out) as { version: string; runs: Array<{ tool: { driver: { rules: Array<{ id: string }> } }; results: Array<{ ruleId: string; ruleIndex: number; level: string; locations: unknown[] }> }> };
      expect(validate(log), `${name}: ${JSON.stringify(validate.errors?.slice(0, 5))}`).toBe(true);
      const run = log.runs[0]!;
      expect(run.tool.driver.rules.map((x) => x.id)).toEqual(rules.map((x) => x.meta.id));
      const json = parseReport<{ findings: Array<{ rule: string; severity: string }> }>((await lint(join(CONFIGS, name), '--json', '--local-ip', '192.168.1.100')).out);
      expect(run.results.map((x) => x.ruleId)).toEqual(json.findings.map((f) => f.rule));
      for (const x of run.results) {
        expect(run.tool.driver.rules[x.ruleIndex]!.id).toBe(x.ruleId);
        expect(x.locations).toHaveLength(1);
      }
    }
  });
});

describe('hostile input', () => {
  it('a file name and a reason full of controls stay escaped in gcc and text, inert in SARIF and JSON', async () => {
    const conf = join(dir, `x${HOSTILE.osc52}.ntp.conf`);
    writeFileSync(conf, `server 10.0.0.1 # ntpdoctor: ignore single-upstream -- why${HOSTILE.csi8}\nfudge 127.127.1.0 stratum 10 # ntpdoctor: ignore nope\x1b[2J -- x\n`);
    for (const format of ['gcc', 'text']) {
      const r = await lint(conf, '--format', format);
      expect(r.code).toBeLessThanOrEqual(1);
      expectTerminalSafe(r.out, `lint --format ${format}`);
      expect(r.out).toContain('\\x1b');
    }
    for (const format of ['json', 'sarif']) {
      const r = await lint(conf, '--format', format);
      expectSafeJson(r.out, `lint --format ${format}`);
    }
    parseReport((await lint(conf, '--json')).out);
  });
});

describe('suppressions', () => {
  const conf = join(dir, 'ntp.conf');
  writeFileSync(
    conf,
    [
      '# ntpdoctor: ignore single-upstream -- this lab node has one upstream on purpose',
      '',
      'driftfile /var/lib/ntp/drift',
      'restrict default nomodify notrap nopeer # ntpdoctor: ignore noquery-missing -- mode 6 closed at the firewall',
      'server 127.127.1.1 iburst',
      '# ntpdoctor: ignore local-clock-mismatch',
      'fudge 127.127.1.0 stratum 10',
      'server 192.168.1.100',
      '',
    ].join('\n'),
  );

  it('text: suppressed findings one line each with the reason; a suppression without a reason silences nothing', async () => {
    const r = await lint(conf);
    expect(r.code).toBe(1); // local-clock-mismatch stays: its suppression has no reason
    expect(r.out).toContain('Suppressed (2):');
    expect(r.out).toMatch(/- \[warning\] noquery-missing: .* — by .*ntp\.conf:4 \(line 4\): mode 6 closed at the firewall/);
    expect(r.out).toMatch(/- \[info\] single-upstream: .* \(whole file\): this lab node has one upstream on purpose/);
    expect(r.out).toMatch(/suppression ignored at .*ntp\.conf:6: a reason is required/);
    expect(r.out).toMatch(/1\. \[WARNING\] .*fudge 127\.127\.1\.0/);
  });

  it('json: suppressed [{ finding, by }] and the config input lists every suppression, used or not', async () => {
    const report = parseReport<{
      findings: Array<{ rule: string }>;
      suppressed: Array<{ finding: { rule: string }; by: { line: number; reason: string; used: number } }>;
      inputs: Array<{ suppressions: Array<{ line: number; used: number }>; badSuppressions: Array<{ line: number }> }>;
    }>((await lint(conf, '--json')).out);
    expect(report.findings.map((f) => f.rule)).toEqual(['local-clock-mismatch']);
    expect(report.suppressed.map((s) => [s.finding.rule, s.by.line])).toEqual([['noquery-missing', 4], ['single-upstream', 1]]);
    expect(report.inputs[0]!.suppressions.map((s) => [s.line, s.used])).toEqual([[1, 1], [4, 1]]);
    expect(report.inputs[0]!.badSuppressions.map((s) => s.line)).toEqual([6]);
  });

  it('exit 0 once everything at warning or worse is suppressed with reasons; SARIF keeps them as inSource suppressions', async () => {
    const quiet = join(dir, 'quiet.ntp.conf');
    writeFileSync(quiet, readFileSync(conf, 'utf8').replace('# ntpdoctor: ignore local-clock-mismatch', '# ntpdoctor: ignore local-clock-mismatch -- migrating to unit 0'));
    expect((await lint(quiet)).code).toBe(0);
    expect((await lint(quiet, '-f', 'gcc')).out).toBe('');
    const log = JSON.parse((await lint(quiet, '--format', 'sarif')).out) as { runs: Array<{ results: Array<{ ruleId: string; suppressions?: Array<{ kind: string; justification: string }> }> }> };
    expect(sarifValidator()(log)).toBe(true);
    const results = log.runs[0]!.results;
    expect(results.map((x) => x.ruleId).sort()).toEqual(['local-clock-mismatch', 'noquery-missing', 'single-upstream']);
    for (const x of results) expect(x.suppressions?.[0]?.kind).toBe('inSource');
    expect(results.find((x) => x.ruleId === 'local-clock-mismatch')!.suppressions![0]!.justification).toBe('migrating to unit 0');
  });

  it('gcc names an unused suppression as a note', async () => {
    const unused = join(dir, 'unused.ntp.conf');
    writeFileSync(unused, 'server 10.0.0.1\nserver 10.0.0.2\n# ntpdoctor: ignore restrict-notrust -- old\nrestrict default kod limited nomodify notrap nopeer noquery\n');
    const r = await lint(unused, '-f', 'gcc');
    expect(r.out).toMatch(/unused\.ntp\.conf:3:1: note: unused suppression: ignore restrict-notrust silenced nothing \[ntpdoctor-suppression\]/);
  });
});
