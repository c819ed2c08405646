/**
 * Node reports in: files, a directory of *.json, or NDJSON (one report per line, stdin). Every report is hostile
 * input: it is size-bounded, parsed, and checked field by field for what the cluster reads; a report that fails
 * is kept as an 'invalid' node that says why, never dropped in silence.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Finding, Report } from '../diagnose/types.js';
import type { ReportInput } from '../model/report-input.js';
import { InputError } from '../errors.js';
import { boundedRead } from './bounded.js';
import type { ClusterNode } from './types.js';

/** One node's report is a few hundred kB at most (200 exchanges): 16 MiB is far past any honest one. */
export const MAX_REPORT_BYTES = 16 * 1024 * 1024;
/** Nodes one cluster run takes at most (files, lines or ssh hosts). */
export const MAX_NODES = 10_000;

/** A raw report text as it arrived, with where it came from and a fallback name. */
export interface RawReport {
  from: string;
  /** Name when the report does not give one (file stem, ssh destination). */
  label: string;
  text: string;
}

/** Files and directories (their *.json, sorted, not recursive) → raw reports. */
export function readReportFiles(paths: readonly string[]): RawReport[] {
  const out: RawReport[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch (err) {
      throw new InputError(`${p}: ${(err as NodeJS.ErrnoException).code ?? 'cannot stat'}`);
    }
    const files = st.isDirectory()
      ? readdirSync(p)
          .filter((f) => f.endsWith('.json'))
          .sort()
          .map((f) => join(p, f))
      : [p];
    for (const f of files) {
      // A file holds one report (diagnose --json > node.json) or NDJSON, one a line (cat *.json | jq -c).
      out.push(...splitNdjson(boundedRead(f, MAX_REPORT_BYTES * 16), `file:${f}`, basename(f).replace(/\.(nd)?json$/, '')));
      if (out.length > MAX_NODES) throw new InputError(`more than ${MAX_NODES} reports`);
    }
  }
  return out;
}

/** NDJSON: one report per non-empty line (a pretty-printed single report is taken whole as well). */
export function splitNdjson(text: string, from = 'stdin', label = from): RawReport[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  // `diagnose --json` pretty-prints: one multi-line document is one report, not many broken lines.
  if (!trimmed.includes('\n') || (trimmed.startsWith('{') && isJson(trimmed))) return [{ from, label, text: trimmed }];
  const out: RawReport[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    if (out.length >= MAX_NODES) throw new InputError(`${from}: more than ${MAX_NODES} reports`);
    out.push({ from: `${from}:${i + 1}`, label: `${label}:${i + 1}`, text: line });
  });
  return out;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Raw reports → cluster nodes, each checked; names made unique (namespaces and containers share hostnames). */
export function toNodes(raws: readonly RawReport[]): ClusterNode[] {
  const nodes = raws.map(toNode);
  const count = new Map<string, number>();
  for (const n of nodes) count.set(n.name, (count.get(n.name) ?? 0) + 1);
  const seen = new Map<string, number>();
  for (const [i, n] of nodes.entries()) {
    if ((count.get(n.name) ?? 0) < 2) continue;
    // Same hostname twice: tell them apart by where they came from (file stem, ssh destination), else by address.
    const raw = raws[i]!;
    const tag = raw.label !== n.name ? raw.label : (n.addresses[0] ?? String(i + 1));
    n.name = `${n.name}/${tag}`;
    const k = (seen.get(n.name) ?? 0) + 1;
    seen.set(n.name, k);
    if (k > 1) n.name = `${n.name}#${k}`;
  }
  return nodes;
}

function toNode(raw: RawReport): ClusterNode {
  let value: unknown;
  try {
    value = JSON.parse(raw.text);
  } catch (err) {
    return { name: raw.label, from: raw.from, addresses: [], status: 'invalid', error: `not JSON: ${(err as Error).message}` };
  }
  const checked = checkReport(value);
  if (typeof checked === 'string') return { name: raw.label, from: raw.from, addresses: [], status: 'invalid', error: checked };
  const node = checked.inputs.find((i) => i.kind === 'node');
  const addresses = Array.isArray(node?.addresses) ? node.addresses.filter((a): a is string => typeof a === 'string').slice(0, 256) : [];
  const name = typeof node?.name === 'string' && node.name.trim() !== '' ? node.name.slice(0, 253) : raw.label;
  return { name, from: raw.from, addresses, status: 'ok', report: checked };
}

const SEVERITIES = new Set(['error', 'warning', 'info']);

/**
 * The report's shape, checked where the cluster reads it: a `ntpdoctor.report/1` with findings (rule, severity,
 * subject, title as strings), inputs and exchanges as arrays. Returns the report or why it is not one.
 */
export function checkReport(value: unknown): Report | string {
  if (!isObject(value)) return 'not a JSON object';
  if (value.schema !== 'ntpdoctor.report/1') return `schema is ${JSON.stringify(String(value.schema)).slice(0, 60)}, not ntpdoctor.report/1`;
  if (!Array.isArray(value.findings) || !Array.isArray(value.inputs)) return 'findings or inputs missing';
  const findings: Finding[] = [];
  for (const [i, f] of value.findings.entries()) {
    if (!isObject(f)) return `findings[${i}] is not an object`;
    for (const k of ['rule', 'subject', 'title'] as const) if (typeof f[k] !== 'string') return `findings[${i}].${k} is not a string`;
    if (!SEVERITIES.has(f.severity as string)) return `findings[${i}].severity is not error, warning or info`;
    findings.push({
      ...(f as unknown as Finding),
      confidence: typeof f.confidence === 'number' && f.confidence >= 0 && f.confidence <= 1 ? f.confidence : 0.5,
      evidence: Array.isArray(f.evidence) ? f.evidence.filter((e) => isObject(e) && typeof e.text === 'string') : [],
      fixes: Array.isArray(f.fixes) ? f.fixes.filter(isFix) : [],
    });
  }
  const inputs = value.inputs.filter((x): x is ReportInput => isObject(x) && typeof x.kind === 'string' && typeof x.name === 'string');
  const exchanges = Array.isArray(value.exchanges) ? value.exchanges.filter(isExchange) : [];
  return { schema: 'ntpdoctor.report/1', findings, exchanges, exchangesOmitted: typeof value.exchangesOmitted === 'number' ? value.exchangesOmitted : 0, inputs };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isFix(v: unknown): v is Finding['fixes'][number] {
  return (
    isObject(v) &&
    typeof v.title === 'string' &&
    typeof v.platform === 'string' &&
    typeof v.verify === 'string' &&
    Array.isArray(v.commands) &&
    v.commands.every((c) => typeof c === 'string')
  );
}

/** The exchange fields the graph reads: endpoints as strings, numbers where numbers are read. */
function isExchange(v: unknown): v is Report['exchanges'][number] {
  if (!isObject(v) || !isObject(v.client) || !isObject(v.server)) return false;
  if (typeof v.server.ip !== 'string' || typeof v.client.ip !== 'string' || typeof v.outcome !== 'string') return false;
  if (v.offset !== undefined && typeof v.offset !== 'number') return false;
  if (v.reply !== undefined) {
    if (!isObject(v.reply)) return false;
    const r = v.reply;
    if (typeof r.stratum !== 'number' || typeof r.leap !== 'number' || typeof r.refidText !== 'string') return false;
  }
  return true;
}
