/**
 * The hostile corpus for terminal safety (issue 11 item 2): what a crafted capture, config, file name or
 * server reply can carry to a terminal, and the checks every output must pass.
 */
import { expect } from 'vitest';

/** Each value is something a terminal would act on, or a reader would misread, if printed raw. */
export const HOSTILE = {
  /** ED: clears the screen. */
  clear: '\x1b[2J',
  /** OSC 52: writes the clipboard (here "rm -rf ~"), terminated by BEL. */
  osc52: '\x1b]52;c;cm0gLXJmIH4K\x07',
  bel: '\x07',
  /** C1 CSI (8-bit `ESC [`), then SGR red. */
  csi8: '\u009b31m',
  /** C1 OSC and ST. */
  osc8: '\u009d0;title\u009c',
  nul: '\x00',
  del: '\x7f',
  /** `\r` then a shorter text: the reader sees "FAKE" over what came first. */
  overwrite: 'real value\rFAKE',
  newline: 'one\ntwo',
  tab: 'a\tb',
  /** Trojan Source: right-to-left override and isolates (CVE-2021-42574). */
  rlo: 'txt\u202eexe.sh\u202c',
  isolate: '\u2067evil\u2069',
  /** Line separator (a line break to some readers). */
  lsep: 'a\u2028b',
  /** Lone surrogates: not text at all. */
  loneHigh: 'x\ud800y',
  loneLow: 'x\udc00y',
  long: 'L'.repeat(100_000),
} as const;

/** All of them in one string (without the long one). */
export const ALL = Object.entries(HOSTILE)
  .filter(([k]) => k !== 'long')
  .map(([, v]) => v)
  .join('|');

/** A file name component with as much of the corpus as a Linux name can hold (no NUL, no '/', ≤ 255 bytes). */
export const HOSTILE_NAME = `n${HOSTILE.clear}${HOSTILE.osc52}${HOSTILE.csi8}${HOSTILE.del}${HOSTILE.overwrite}${HOSTILE.rlo}${HOSTILE.newline}${HOSTILE.tab}.x`;

/**
 * What may never reach a terminal: C0 except `\n` (tabs are escaped too), DEL, C1, bidi controls, U+2028/9,
 * U+200B, U+FEFF and lone surrogates.
 */
const UNSAFE =
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The unsafe code points of `text`, as `U+XXXX@offset` (empty when clean). */
export function unsafeChars(text: string): string[] {
  return [...text.matchAll(UNSAFE)].map((m) => `U+${m[0].charCodeAt(0).toString(16).padStart(4, '0')}@${m.index}`);
}

export function expectTerminalSafe(text: string, what = 'output'): void {
  expect(unsafeChars(text).slice(0, 10), `${what} holds raw control characters`).toEqual([]);
}

/** Exactly one line on stderr (ending in `\n`), and a safe one. */
export function expectOneLine(stderr: string, what = 'stderr'): void {
  expect(stderr.endsWith('\n'), `${what} ends with a newline`).toBe(true);
  expect(stderr.slice(0, -1).includes('\n'), `${what} is one line: ${JSON.stringify(stderr.slice(0, 300))}`).toBe(false);
  expectTerminalSafe(stderr, what);
}

/** Every stderr line safe (commands may write one notice per input). */
export function expectSafeLines(stderr: string, what = 'stderr'): void {
  expectTerminalSafe(stderr, what);
}

/**
 * JSON that stays inert in a terminal: parses, holds no raw DEL/C1/bidi/line separator (C0 is always escaped
 * by JSON itself), and `find` locates the original hostile value in it (the exact round trip).
 */
export function expectSafeJson(text: string, what = 'json'): unknown {
  expectTerminalSafe(text, what);
  return JSON.parse(text) as unknown;
}

/** Every string of `value`, deep (to look for a round-tripped value). */
export function allStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) allStrings(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) allStrings(v, out);
  return out;
}

/** Fields that hold one of a few fixed words the renderers switch on: kept, so every branch still renders. */
const ENUMS = new Set(['severity', 'kind', 'outcome', 'unit', 'end', 'via', 'offsetMethod', 'status', 'refidKind']);

/**
 * `value` with every string given the corpus (before and after it), deep, except the enum-like fields: a
 * report (or probe, or trace) as hostile as it gets, with its shape intact.
 */
export function poison<T>(value: T, payload = ALL): T {
  const walk = (v: unknown, key = ''): unknown => {
    if (typeof v === 'string') return ENUMS.has(key) ? v : `${payload}${v}${payload}`;
    if (Array.isArray(v)) return v.map((x) => walk(x, key));
    if (v && typeof v === 'object' && !ArrayBuffer.isView(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    return v;
  };
  return walk(value) as T;
}
