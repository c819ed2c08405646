/**
 * The published JSON Schemas (schema/*.schema.json, draft 2020-12) checked with a standard validator (ajv): every
 * `--json` output a test reads goes through `parseReport` / `parseServe`, so a field the schema does not
 * document, or a value of the wrong shape, fails the test that produced it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

const root = fileURLToPath(new URL('../', import.meta.url));
// ajv-formats is CommonJS: its default export arrives wrapped once more under some loaders.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => Ajv2020;

let ajv: Ajv2020 | undefined;
const compiled = new Map<string, ValidateFunction>();

type SchemaName = 'report' | 'serve' | 'cluster';

function validator(name: SchemaName): ValidateFunction {
  let v = compiled.get(name);
  if (!v) {
    if (!ajv) {
      ajv = addFormats(new Ajv2020({ strict: true, allErrors: true }));
      // The cluster schema refers to the report schema by its $id (each node's report is a report/1 document).
      ajv.addSchema(JSON.parse(readFileSync(`${root}schema/report.schema.json`, 'utf8')) as object);
    }
    v = name === 'report' ? ajv.getSchema('urn:ntpdoctor:schema:report:1') : ajv.compile(JSON.parse(readFileSync(`${root}schema/${name}.schema.json`, 'utf8')) as object);
    if (!v) throw new Error(`schema/${name}.schema.json did not compile`);
    compiled.set(name, v);
  }
  return v;
}

/** Throws with every schema violation (path and message) when `value` does not match schema/NAME.schema.json. */
export function assertSchema(name: SchemaName, value: unknown, what = `${name} JSON`): void {
  const v = validator(name);
  if (v(value)) return;
  const errors = (v.errors ?? []).slice(0, 20).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
  throw new Error(`${what} does not match schema/${name}.schema.json:\n  ${errors.join('\n  ')}`);
}

/** `JSON.parse` of a `--json` report (analyze, diagnose, probe, trace, capture, lint), validated against the report schema. */
export function parseReport<T = unknown>(text: string, what?: string): T {
  const value = JSON.parse(text) as unknown;
  assertSchema('report', value, what);
  return value as T;
}

/** `JSON.parse` of `serve --json`'s document, validated against the serve schema. */
export function parseServe<T = unknown>(text: string, what?: string): T {
  const value = JSON.parse(text) as unknown;
  assertSchema('serve', value, what);
  return value as T;
}

/** `JSON.parse` of `cluster --format json`, validated against schema/cluster.schema.json (node reports as report/1). */
export function parseCluster<T = unknown>(text: string, what?: string): T {
  const value = JSON.parse(text) as unknown;
  assertSchema('cluster', value, what);
  return value as T;
}
