/**
 * glob(7) for chrony's `include` pattern, as chronyd gets it from glibc glob(pattern, GLOB_NOMAGIC | GLOB_ERR)
 * (chrony conf.c parse_include): no regular expression is ever built from the pattern.
 * - `*` any run, `?` one character, `[...]` a class (`!` or `^` negates, `a-z` ranges, `]` first is literal,
 *   `[:alpha:]` named classes), `\x` a literal x. None of them matches `/`, nor a leading `.` (FNM_PERIOD).
 * - An unterminated `[` matches a literal `[` (glibc fnmatch; POSIX leaves it to the implementation).
 * - GLOB_NOMAGIC: a pattern without wildcards is returned as it is, found or not (chronyd then opens it and
 *   fails if it is missing). A pattern with wildcards that matches nothing yields nothing (GLOB_NOMATCH: chronyd
 *   reads nothing, silently).
 * - Matched segment by segment; each directory is read through the bounded reader (entry cap), results sorted.
 * Matching is O(name × segment) with one saved `*` position (no exponential backtracking), runs of `*` folded.
 */
import type { ConfigReader } from '../../model/config.js';

type Token = { t: 'lit'; c: string } | { t: 'any' } | { t: 'star' } | { t: 'class'; negate: boolean; test: (c: string) => boolean };

const NAMED: Record<string, (c: string) => boolean> = {
  alpha: (c) => /^[A-Za-z]$/.test(c),
  digit: (c) => c >= '0' && c <= '9',
  alnum: (c) => /^[A-Za-z0-9]$/.test(c),
  upper: (c) => c >= 'A' && c <= 'Z',
  lower: (c) => c >= 'a' && c <= 'z',
  xdigit: (c) => /^[0-9A-Fa-f]$/.test(c),
  space: (c) => ' \t\n\v\f\r'.includes(c),
  blank: (c) => c === ' ' || c === '\t',
  punct: (c) => c.length === 1 && c > ' ' && c < '\x7f' && !/^[A-Za-z0-9]$/.test(c),
  print: (c) => c >= ' ' && c < '\x7f',
  graph: (c) => c > ' ' && c < '\x7f',
  cntrl: (c) => c < ' ' || c === '\x7f',
};

/** One path segment compiled; `unterminated` when a `[` had no `]` (taken literally, as glibc does). */
export interface SegmentPattern {
  tokens: Token[];
  magic: boolean;
  unterminated: boolean;
  /** Characters a name needs at least (non-star tokens). */
  minLength: number;
}

/** Parses `[...]` starting at i (the `[`); undefined when there is no closing `]`. */
function parseClass(s: string, i: number): { token: Token; end: number } | undefined {
  let j = i + 1;
  let negate = false;
  if (s[j] === '!' || s[j] === '^') {
    negate = true;
    j++;
  }
  const singles = new Set<string>();
  const ranges: Array<[string, string]> = [];
  const named: Array<(c: string) => boolean> = [];
  let first = true;
  while (j < s.length) {
    let c = s[j] as string;
    if (c === ']' && !first) {
      const test = (x: string) => singles.has(x) || ranges.some(([a, b]) => x >= a && x <= b) || named.some((f) => f(x));
      return { token: { t: 'class', negate, test }, end: j + 1 };
    }
    first = false;
    if (c === '[' && s[j + 1] === ':') {
      const close = s.indexOf(':]', j + 2);
      const fn = close > 0 ? NAMED[s.slice(j + 2, close)] : undefined;
      if (fn) {
        named.push(fn);
        j = close + 2;
        continue;
      }
    }
    if (c === '\\' && j + 1 < s.length) c = s[++j] as string;
    if (s[j + 1] === '-' && s[j + 2] !== undefined && s[j + 2] !== ']') {
      let hi = s[j + 2] as string;
      let k = j + 3;
      if (hi === '\\' && s[j + 3] !== undefined) {
        hi = s[j + 3] as string;
        k = j + 4;
      }
      ranges.push([c, hi]);
      j = k;
      continue;
    }
    singles.add(c);
    j++;
  }
  return undefined;
}

/** Compiles one path segment (no `/` in it). */
export function compileSegment(seg: string): SegmentPattern {
  const tokens: Token[] = [];
  let magic = false;
  let unterminated = false;
  for (let i = 0; i < seg.length; ) {
    const c = seg[i] as string;
    if (c === '\\' && i + 1 < seg.length) {
      tokens.push({ t: 'lit', c: seg[i + 1] as string });
      i += 2;
    } else if (c === '*') {
      magic = true;
      // `**` is `*` in glob(7): fold runs so a pattern of many stars costs what one does.
      if (tokens.at(-1)?.t !== 'star') tokens.push({ t: 'star' });
      i++;
    } else if (c === '?') {
      magic = true;
      tokens.push({ t: 'any' });
      i++;
    } else if (c === '[') {
      const cls = parseClass(seg, i);
      if (cls) {
        magic = true;
        tokens.push(cls.token);
        i = cls.end;
      } else {
        unterminated = true;
        tokens.push({ t: 'lit', c: '[' });
        i++;
      }
    } else {
      tokens.push({ t: 'lit', c });
      i++;
    }
  }
  return { tokens, magic, unterminated, minLength: tokens.filter((t) => t.t !== 'star').length };
}

function one(tok: Token, c: string, leadingDot: boolean): boolean {
  if (tok.t === 'lit') return tok.c === c;
  // FNM_PERIOD: only a literal `.` matches a name's leading `.`; nothing but a literal matches `/`.
  if (leadingDot || c === '/') return false;
  if (tok.t === 'any') return true;
  if (tok.t === 'class') return tok.test(c) !== tok.negate;
  return false;
}

/** Does `name` (one path segment) match? Iterative, one saved `*` position: O(|name| × |pattern|), no blow-up. */
export function matchSegment(p: SegmentPattern, name: string): boolean {
  if (name.length < p.minLength) return false;
  const toks = p.tokens;
  let ti = 0;
  let ni = 0;
  let starT = -1;
  let starN = 0;
  while (ni < name.length) {
    const tok = toks[ti];
    const c = name[ni] as string;
    const leadingDot = ni === 0 && c === '.';
    if (tok && tok.t === 'star' && !leadingDot) {
      starT = ti++;
      starN = ni;
    } else if (tok && tok.t !== 'star' && one(tok, c, leadingDot)) {
      ti++;
      ni++;
    } else if (starT >= 0) {
      // Backtrack: let the last `*` swallow one more character (never `/`, never the leading dot).
      ti = starT + 1;
      ni = ++starN;
      if (name[starN - 1] === '/') return false;
    } else return false;
  }
  while (toks[ti]?.t === 'star') ti++;
  return ti === toks.length;
}

/** Byte order, as strcmp in the C locale chronyd runs in (glob sorts with it). */
function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface GlobResult {
  paths: string[];
  /** Notes for the report: malformed pattern, caps hit, directories that could not be read. */
  notes: Array<{ file: string; reason: string }>;
}

/**
 * Expands an absolute pattern. `limits.matches` bounds the paths returned and the candidates carried from one
 * segment to the next; `limits.entries` bounds each directory listing.
 */
export async function expandGlob(pattern: string, reader: ConfigReader, limits: { matches: number; entries: number }): Promise<GlobResult> {
  const notes: GlobResult['notes'] = [];
  const segments = pattern.split('/');
  const compiled = segments.map(compileSegment);
  if (compiled.some((s) => s.unterminated)) {
    notes.push({ file: pattern, reason: 'glob pattern has a `[` without `]`: taken as a literal `[`, as glibc glob() (chronyd) does' });
  }
  // GLOB_NOMAGIC: no wildcard at all → the pattern itself, found or not.
  if (!compiled.some((s) => s.magic)) return { paths: [unescape(pattern)], notes };
  let candidates = [''];
  // Directory reads per pattern: `/*/*/*…` through a symlink loop would otherwise read one directory per segment.
  let reads = 0;
  const maxReads = limits.matches * 4;
  for (let i = 0; i < segments.length; i++) {
    const seg = compiled[i] as SegmentPattern;
    const raw = segments[i] as string;
    const last = i === segments.length - 1;
    if (i === 0 && raw === '') continue; // the root of an absolute path
    const next: string[] = [];
    for (const base of candidates) {
      if (!seg.magic) {
        next.push(`${base}/${unescape(raw)}`);
        continue;
      }
      const dir = base === '' ? '/' : base;
      if (++reads > maxReads) {
        notes.push({ file: pattern, reason: `glob pattern needs more than ${maxReads} directory reads: stopped there` });
        return { paths: [], notes };
      }
      let names: string[];
      try {
        const listing = await reader.readdir(dir, limits.entries);
        names = listing.names;
        if (listing.truncated) notes.push({ file: dir, reason: `directory has more than ${limits.entries} entries: only the first ${limits.entries} looked at` });
      } catch {
        // GLOB_ERR would make chronyd fail here only for real read errors; a missing or plain-file
        // component simply matches nothing.
        continue;
      }
      for (const n of names.filter((x) => matchSegment(seg, x)).sort(byteOrder)) next.push(`${base}/${n}`);
    }
    if (next.length > limits.matches) {
      notes.push({ file: pattern, reason: `glob pattern matches more than ${limits.matches} ${last ? 'files' : 'directories'}: only the first ${limits.matches} read` });
      next.length = limits.matches;
    }
    candidates = next;
    if (candidates.length === 0) break;
  }
  return { paths: candidates.sort(byteOrder), notes };
}

/** `\x` → x in a segment without wildcards. */
function unescape(s: string): string {
  return s.replace(/\\(.)/g, '$1');
}
