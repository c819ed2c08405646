/**
 * The published JSON Schemas hold for what the CLI writes: every capture fixture through `analyze --json`, every
 * config fixture through `lint --json` (all formats of lint JSON), and every test that reads a `--json` output
 * validates it through test/_schema.ts (this file checks that they do, so a new test cannot forget).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CommandIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { ruleHelp } from '../../src/diagnose/help.js';
import { DISCARD_TESTS } from '../../src/ntp/tests.js';
import { assertSchema, parseReport } from '../_schema.js';
import { files, read, root } from './_files.js';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CommandIo = { stdout: (t) => (out += t), stderr: (t) => (err += t), isTTY: false };
  const code = await main(argv, io);
  return { code, out, err };
}

function fixtureFiles(dir: string, pattern: RegExp): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => pattern.test(f))
    .map((f) => join(root, dir, f))
    .sort();
}

describe('JSON Schemas', () => {
  it('every capture fixture: analyze --json matches schema/report.schema.json, and each finding links its page', async () => {
    const captures = fixtureFiles('fixtures', /\.pcap(ng)?$/);
    expect(captures.length).toBeGreaterThan(20);
    let findings = 0;
    for (const file of captures) {
      const r = await cli('analyze', file, '--json');
      expect(r.code, `${file}: ${r.err}`).toBeLessThanOrEqual(1);
      const report = parseReport<{ findings: Array<{ rule: string; help?: string }> }>(r.out, file);
      for (const f of report.findings) expect(f.help, `${file}: ${f.rule}`).toBe(ruleHelp(f.rule));
      findings += report.findings.length;
    }
    expect(findings).toBeGreaterThan(20);
  }, 120_000);

  it('every config fixture: lint --json and --format json/sarif hold', async () => {
    const configs = fixtureFiles('fixtures/configs', /\.conf$/);
    expect(configs.length).toBeGreaterThan(10);
    for (const file of configs) {
      const r = await cli('lint', file, '--json', '--local-ip', '192.168.1.100');
      expect(r.code, `${file}: ${r.err}`).toBeLessThanOrEqual(1);
      const json = await cli('lint', file, '--format', 'json', '--local-ip', '192.168.1.100');
      expect(json.out).toBe(r.out);
      parseReport(r.out, file);
    }
  }, 60_000);

  it('rejects what it does not document (the validator is really strict)', async () => {
    const r = await cli('analyze', join(root, 'fixtures/firewall-reject-hostprohib.pcap'), '--json');
    const doc = JSON.parse(r.out) as { findings: Array<Record<string, unknown>>; inputs: Array<Record<string, unknown>> };
    assertSchema('report', doc);
    const extra = structuredClone(doc);
    extra.findings[0]!.undocumented = 1;
    expect(() => assertSchema('report', extra)).toThrow(/undocumented/);
    const wrongKind = structuredClone(doc);
    wrongKind.inputs[0]!.kind = 'config';
    expect(() => assertSchema('report', wrongKind)).toThrow();
    const badTime = structuredClone(doc);
    badTime.inputs[0]!.firstFrameTime = 'yesterday';
    expect(() => assertSchema('report', badTime)).toThrow(/date-time/);
    expect(() => assertSchema('serve', { schema: 'ntpdoctor.serve/1', listen: [], stats: {}, clients: 0 })).toThrow();
  });

  it('every test that reads a --json output validates it through test/_schema.ts', () => {
    // test/cli/program.test.ts parses the word '--json' as an option, it reads no output.
    const readers = files('test').filter((f) => /\.test\.tsx?$/.test(f) && f !== join('test', 'cli', 'program.test.ts'));
    const missing = readers.filter((f) => /['"]--json['"]/.test(read(f)) && !/from '\.\.\/_schema\.js'/.test(read(f)));
    expect(missing).toEqual([]);
  });

  it('the schema knows every packet-test name a reply can fail (the probe\'s DISCARD_TESTS, the correlator\'s own)', () => {
    const schema = JSON.parse(read('schema/report.schema.json')) as { $defs: { exchange: { properties: { bogus: { items: { enum: string[] } } } } } };
    const known = new Set(schema.$defs.exchange.properties.bogus.items.enum);
    // The correlator names a reply's failed tests in one place (src/correlate/reply-tests.ts, failedTestNames).
    const correlator = [...read('src/correlate/reply-tests.ts').matchAll(/names\.push\('([a-z-]+)'\)/g)].map((m) => m[1]!);
    expect(correlator.length).toBeGreaterThanOrEqual(4);
    for (const name of [...DISCARD_TESTS, ...correlator]) expect(known.has(name), `bogus '${name}' is not in schema/report.schema.json`).toBe(true);
  });

  it('README states the versioning rule and names both schemas', () => {
    const readme = read('README.md');
    for (const s of ['schema/report.schema.json', 'schema/serve.schema.json', 'ntpdoctor.report/2', 'ntpdoctor.serve/1']) expect(readme, s).toContain(s);
  });
});
