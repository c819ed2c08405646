/**
 * The checklist is followed top to bottom, each step's first-ranked fix applied in turn: the steps must not undo or
 * repeat each other. Two rules can each want the same config change (self-sync and local-clock-missing both add
 * the local clock; local-clock-mismatch rewrites the very line another step adds). From the fixes' `edits`:
 * - a line number is edited by the first step that touches it only (line numbers stay valid: edits are in place
 *   or appended at the end);
 * - a directive (`server 127.127.1.0`, `fudge 127.127.1.0`, `local`) is written once per file: a rewrite of an
 *   existing line wins over an append of the same directive (it reuses the line), else the first append does.
 * Left-out commands are returned with the reason, for the checklist to say so.
 */
import type { ConfigEdit, Fix } from '../diagnose/types.js';

export interface Omission {
  command: number;
  reason: string;
}

/** For each step (its first-ranked fix, or undefined), the commands to leave out. */
export function planSteps(fixes: ReadonlyArray<Fix | undefined>, stepNumbers: readonly number[]): Omission[][] {
  const out: Omission[][] = fixes.map(() => []);
  const stepOf = (i: number) => stepNumbers[i] ?? i + 1;
  // 1. One step per edited line.
  const lineOwner = new Map<string, number>();
  const alive: Array<{ step: number; e: ConfigEdit }> = [];
  fixes.forEach((fix, step) => {
    for (const e of fix?.edits ?? []) {
      if (e.line !== undefined && e.action !== 'append') {
        const at = `${e.file}\u0000${e.line}`;
        const owner = lineOwner.get(at);
        if (owner !== undefined && owner !== step) {
          out[step]!.push({ command: e.command, reason: `step ${stepOf(owner)} already changes line ${e.line} of ${e.file}` });
          continue;
        }
        lineOwner.set(at, step);
      }
      alive.push({ step, e });
    }
  });
  // 2. One write per directive and file: a rewrite in place first, else the first append.
  const writers = new Map<string, Array<{ step: number; e: ConfigEdit }>>();
  for (const w of alive) {
    if ((w.e.action !== 'append' && w.e.action !== 'replace') || w.e.text === undefined) continue;
    const k = `${w.e.file}\u0000${directiveKey(w.e.text)}`;
    const list = writers.get(k);
    if (list) list.push(w);
    else writers.set(k, [w]);
  }
  for (const list of writers.values()) {
    if (list.length < 2) continue;
    const keep = list.find((w) => w.e.action === 'replace') ?? list[0]!;
    for (const w of list) {
      if (w === keep || w.e.action === 'replace') continue;
      const how = keep.e.action === 'replace' ? `writes it on line ${keep.e.line}` : 'adds it';
      out[w.step]!.push({ command: w.e.command, reason: `\`${w.e.text}\`: step ${stepOf(keep.step)} ${how}` });
    }
  }
  for (const o of out) o.sort((a, b) => a.command - b.command);
  return out;
}

/** Directives that may appear once, whatever their arguments. */
const SINGLE = new Set(['local', 'makestep', 'maxdistance', 'driftfile', 'orphan', 'ratelimit', 'port']);

/**
 * What makes two config lines the same directive: the keyword and its first argument (`server 127.127.1.0`,
 * `fudge 127.127.1.0`, `restrict -4 default`, `tos maxdist`), the keyword alone for single-valued directives.
 */
export function directiveKey(text: string): string {
  const t = text.trim().toLowerCase().split(/\s+/);
  const head = t[0] ?? '';
  if (SINGLE.has(head)) return head;
  if (head === 'refclock' && t[1] === 'local') return 'refclock local';
  if (head === 'restrict' && (t[1] === '-4' || t[1] === '-6')) return `${head} ${t[1]} ${t[2] ?? ''}`;
  return `${head} ${t[1] ?? ''}`;
}
