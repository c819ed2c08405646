/**
 * Reads a config file and the files it pulls in, in order, keeping file and line for every directive:
 * ntpd `includefile` (ntp_misc(5); no glob in ntpd: the name is opened as written; NTPsec also takes a directory:
 * its *.conf files), chrony `include` (a glob(7) pattern, glob.ts), `confdir` (*.conf, first directory wins for a
 * name) and `sourcedir` (*.sources: server/pool/peer only).
 *
 * Bounded by construction: the include tree is walked with an explicit stack (no recursion), a file already
 * being read is a cycle (by st_dev:st_ino, so a symlink or `..` spelling is caught), nesting stops at the
 * daemon's own depth, and every cap in ReadLimits is applied and reported in `unreadable`, never silent.
 */
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { interpretChronyConf } from './chrony-conf.js';
import { expandGlob } from './glob.js';
import { splitDirectives, type CommentStyle } from './lex.js';
import { interpretNtpConf } from './ntp-conf.js';
import { DEFAULT_LIMITS, fsReader, reasonOf, type ReadLimits } from './read.js';
import type { ConfigReader, Directive, Located, TimeConfig, UnreadEntry } from '../../model/config.js';

export { fsReader } from './read.js';

/**
 * Include depth the daemons allow: ntpd MAXINCLUDELEVEL 5 (ntp_config.c), chronyd MAX_INCLUDE_LEVEL 10 (conf.c,
 * "Maximum include level reached" is fatal there). Deeper is what the daemon itself would not read.
 */
const MAX_DEPTH = { ntpd: 5, chrony: 10 } as const;

/** ntpd or chrony, from the file name, else from directives only one of them has. */
export function detectFlavor(path: string, text: string): 'ntpd' | 'chrony' {
  const name = path.toLowerCase();
  if (name.includes('chrony') || name.endsWith('.sources')) return 'chrony';
  if (/ntp[^/]*\.conf$/.test(name) || name.includes('/ntpsec/') || name.includes('/ntp.d/')) return 'ntpd';
  const keywords = new Set(splitDirectives(text, path, 'chrony').map((d) => d.keyword));
  const chronyOnly = ['makestep', 'allow', 'deny', 'rtcsync', 'local', 'cmdallow', 'bindcmdaddress', 'confdir', 'sourcedir', 'maxupdateskew', 'keyfile', 'include'];
  const ntpOnly = ['restrict', 'fudge', 'includefile', 'tos', 'tinker', 'disable', 'enable', 'keys', 'trustedkey', 'statsdir'];
  const c = chronyOnly.filter((k) => keywords.has(k)).length;
  const n = ntpOnly.filter((k) => keywords.has(k)).length;
  return c > n ? 'chrony' : 'ntpd';
}

interface LoadState {
  reader: ConfigReader;
  style: CommentStyle;
  limits: ReadLimits;
  files: string[];
  unreadable: UnreadEntry[];
  bytes: number;
  directives: number;
  /** Set once the directive cap is hit: nothing more is read. */
  stopped: boolean;
  /** Notes already made, by key, with how many more times the same thing happened (reported once, counted). */
  noted: Map<string, { entry: UnreadEntry; more: number }>;
}

/**
 * Records a note once: a cap (key = reason) or an unreadable file (key = file + reason) met again is counted, not
 * listed again, so a 20-way include fan-out gives a few lines, not thousands.
 */
function noteOnce(state: LoadState, entry: UnreadEntry, cap: boolean): void {
  const key = cap ? entry.reason : `${entry.file}\u0000${entry.reason}`;
  const seen = state.noted.get(key);
  if (seen) {
    seen.more++;
    return;
  }
  state.unreadable.push(entry);
  state.noted.set(key, { entry, more: 0 });
}

function finishNotes(state: LoadState): void {
  for (const { entry, more } of state.noted.values()) if (more > 0) entry.reason += ` (and ${more} more time${more > 1 ? 's' : ''})`;
}

/** A file being read: its directives and how far the walk got. */
interface Frame {
  items: Directive[];
  next: number;
  depth: number;
  id: string;
  /** chrony sourcedir: only source directives count (chrony.conf(5) sourcedir). */
  sourcesOnly: boolean;
}

/** Loads `path` (flavor detected unless given) with everything it includes. Never throws for includes; throws for the main file. */
export async function loadConfig(
  path: string,
  reader: ConfigReader = fsReader,
  flavor?: 'ntpd' | 'chrony',
  limits: ReadLimits = DEFAULT_LIMITS,
): Promise<TimeConfig> {
  const main = await reader.readFile(path, limits.fileBytes);
  const kind = flavor ?? detectFlavor(path, main.text);
  return build(path, main.text, main.id ?? resolve(path), main.bytes, kind, reader, limits);
}

/** Parses text given directly (lint of stdin, tests): includes are still followed through `reader`. */
export async function parseConfigText(
  path: string,
  text: string,
  flavor: 'ntpd' | 'chrony',
  reader: ConfigReader = fsReader,
  limits: ReadLimits = DEFAULT_LIMITS,
): Promise<TimeConfig> {
  return build(path, text, resolve(path), Buffer.byteLength(text), flavor, reader, limits);
}

async function build(path: string, text: string, id: string, bytes: number, flavor: 'ntpd' | 'chrony', reader: ConfigReader, limits: ReadLimits): Promise<TimeConfig> {
  const state: LoadState = { reader, style: flavor, limits, files: [], unreadable: [], bytes, directives: 0, stopped: false, noted: new Map() };
  const directives = await walk(path, text, id, state);
  finishNotes(state);
  const cfg = flavor === 'chrony' ? interpretChronyConf(path, state.files, directives) : interpretNtpConf(path, state.files, directives);
  cfg.unreadable = state.unreadable;
  return cfg;
}

/** Directives of `file`, cut at the directive cap (reported once). */
function directivesOf(text: string, file: string, state: LoadState): Directive[] {
  const all = splitDirectives(text, file, state.style);
  const room = state.limits.directives - state.directives;
  if (all.length > room) {
    const cutAt = all[room];
    state.unreadable.push({
      file,
      reason: `more than ${state.limits.directives} directives in all: read up to line ${cutAt ? cutAt.line - 1 : '?'}, the rest ignored`,
    });
    state.stopped = true;
    all.length = Math.max(0, room);
  }
  state.directives += all.length;
  return all;
}

/** Depth-first over the include tree with an explicit stack: a file's directives, each include spliced in where it stands. */
async function walk(path: string, text: string, id: string, state: LoadState): Promise<Directive[]> {
  const out: Directive[] = [];
  state.files.push(path);
  const stack: Frame[] = [{ items: directivesOf(text, path, state), next: 0, depth: 0, id, sourcesOnly: false }];
  // Include targets still to read for the directive on top: [directive, remaining targets].
  const pending: Array<{ from: Directive; targets: string[]; frameDepth: number }> = [];
  while (stack.length > 0) {
    const top = pending.at(-1);
    if (top && top.frameDepth === stack.length) {
      const target = top.targets.shift();
      if (target === undefined) {
        pending.pop();
        continue;
      }
      const child = await openInclude(target, top.from, stack, state);
      if (child) stack.push(child);
      continue;
    }
    const frame = stack[stack.length - 1] as Frame;
    const d = frame.items[frame.next++];
    if (d === undefined) {
      stack.pop();
      continue;
    }
    if (frame.sourcesOnly && !['server', 'pool', 'peer'].includes(d.keyword)) continue;
    out.push(d);
    if (state.stopped) continue;
    const targets = await includeTargets(d, state);
    if (targets.length) pending.push({ from: d, targets, frameDepth: stack.length });
  }
  return out;
}

/** Reads one include target into a frame, or notes why not (cycle, depth, caps, not a regular file, errors). */
async function openInclude(target: string, d: Directive, stack: Frame[], state: LoadState): Promise<Frame | undefined> {
  const from: Located = { file: d.file, line: d.line, text: d.text };
  const note = (reason: string, cap = false) => {
    noteOnce(state, { file: target, reason, from }, cap);
    return undefined;
  };
  if (state.stopped) return undefined;
  const depth = stack.length;
  const maxDepth = MAX_DEPTH[state.style];
  if (depth > maxDepth) return note(`includes nested deeper than ${maxDepth} (${state.style === 'chrony' ? 'chronyd' : 'ntpd'} stops there too)`, true);
  if (state.files.length >= state.limits.files) return note(`more than ${state.limits.files} files included in all: not read`, true);
  const room = state.limits.totalBytes - state.bytes;
  if (room <= 0) return note(`more than ${state.limits.totalBytes} bytes of config in all: not read`, true);
  let read;
  try {
    read = await state.reader.readFile(target, Math.min(state.limits.fileBytes, room));
  } catch (err) {
    // chronyd opens an include with UTI_OpenFile(..., 'R'): a failure is fatal there, not skipped (conf.c).
    const code = (err as NodeJS.ErrnoException)?.code ?? '';
    const openFails = ['ENOENT', 'EACCES', 'EPERM', 'ELOOP', 'ENOTDIR', 'ENAMETOOLONG'].includes(code);
    const fatal = state.style === 'chrony' && d.keyword === 'include' && openFails ? ': chronyd refuses to start ("Could not open")' : '';
    return note(`${reasonOf(err)}${fatal}`);
  }
  const id = read.id ?? resolve(target);
  if (stack.some((f) => f.id === id)) return note('include cycle: already being read');
  state.bytes += read.bytes;
  state.files.push(target);
  return { items: directivesOf(read.text, target, state), next: 0, depth, id, sourcesOnly: d.keyword === 'sourcedir' };
}

async function includeTargets(d: Directive, state: LoadState): Promise<string[]> {
  const base = dirname(d.file);
  const abs = (p: string) => (isAbsolute(p) ? p : join(base, p));
  const { limits } = state;
  // Past the file cap no include can be read: skip the directory reads and globbing, and let openInclude count it.
  const includes = state.style === 'ntpd' ? ['includefile'] : ['include', 'confdir', 'sourcedir'];
  if (state.files.length >= limits.files) return includes.includes(d.keyword) && d.args[0] !== undefined ? [abs(d.args[0])] : [];
  if (state.style === 'ntpd') {
    if (d.keyword !== 'includefile' || d.args[0] === undefined) return [];
    const target = abs(d.args[0]);
    // NTPsec: an included directory contributes its *.conf files in name order.
    const names = await listDir(target, d, state);
    return names ? capped(names.filter((n) => n.endsWith('.conf')).sort(), target, d, state).map((n) => join(target, n)) : [target];
  }
  if (d.keyword === 'include' && d.args[0] !== undefined) {
    const { paths, notes } = await expandGlob(resolve(base, d.args[0]), state.reader, { matches: limits.globMatches, entries: limits.dirEntries });
    for (const n of notes) noteOnce(state, { ...n, from: { file: d.file, line: d.line, text: d.text } }, false);
    return paths;
  }
  if (d.keyword === 'confdir' || d.keyword === 'sourcedir') {
    const suffix = d.keyword === 'confdir' ? '.conf' : '.sources';
    const byName = new Map<string, string>();
    for (const dir of d.args.map(abs)) {
      const names = (await listDir(dir, d, state)) ?? [];
      // "If multiple directories contain a file with the same name, only the first file is included."
      for (const n of names) if (n.endsWith(suffix) && !n.startsWith('.') && !byName.has(n)) byName.set(n, join(dir, n));
    }
    return capped([...byName.keys()].sort(), d.args.join(' '), d, state).map((n) => byName.get(n) as string);
  }
  return [];
}

function capped(names: string[], where: string, d: Directive, state: LoadState): string[] {
  const max = state.limits.globMatches;
  if (names.length <= max) return names;
  noteOnce(state, { file: where, reason: `${names.length} files to include: only the first ${max} read`, from: { file: d.file, line: d.line, text: d.text } }, false);
  return names.slice(0, max);
}

/** Directory entries; undefined when `dir` is missing or not a directory (a plain file is fine for includefile). */
async function listDir(dir: string, d: Directive, state: LoadState): Promise<string[] | undefined> {
  const from = { file: d.file, line: d.line, text: d.text };
  try {
    const { names, truncated } = await state.reader.readdir(dir, state.limits.dirEntries);
    if (truncated) noteOnce(state, { file: dir, reason: `directory has more than ${state.limits.dirEntries} entries: only the first ${state.limits.dirEntries} looked at`, from }, false);
    return names;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException)?.code;
    if (code !== 'ENOTDIR' && code !== 'ENOENT') noteOnce(state, { file: dir, reason: reasonOf(err), from }, false);
    return undefined;
  }
}
