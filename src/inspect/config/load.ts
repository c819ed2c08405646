/**
 * Reads a config file and the files it pulls in, in order, keeping file and line for every directive:
 * ntpd `includefile` (ntp_misc(5); ntpsec also takes a directory: its *.conf files), chrony `include` (glob),
 * `confdir` (*.conf, first directory wins for a name) and `sourcedir` (*.sources: server/pool/peer only).
 * A file already being read is never read again (cycle), and nesting stops at a fixed depth.
 */
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { readFile, readdir } from 'node:fs/promises';
import { interpretChronyConf } from './chrony-conf.js';
import { splitDirectives, type CommentStyle } from './lex.js';
import { interpretNtpConf } from './ntp-conf.js';
import type { ConfigReader, Directive, Located, TimeConfig } from './types.js';

/** ntpd's MAXINCLUDELEVEL is 5 (ntp_config.c); chrony does not say: the same bound keeps cycles finite. */
const MAX_DEPTH = 5;

export const fsReader: ConfigReader = {
  readFile: (p) => readFile(p, 'utf8'),
  readdir: (p) => readdir(p),
};

/** ntpd or chrony, from the file name, else from directives only one of them has. */
export function detectFlavor(path: string, text: string): 'ntpd' | 'chrony' {
  const name = path.toLowerCase();
  if (name.includes('chrony') || name.endsWith('.sources')) return 'chrony';
  if (/ntp[^/]*\.conf$/.test(name) || name.includes('/ntpsec/') || name.includes('/ntp.d/')) return 'ntpd';
  const keywords = new Set(splitDirectives(text, path, 'chrony').map((d) => d.keyword));
  const chronyOnly = ['makestep', 'allow', 'deny', 'rtcsync', 'local', 'cmdallow', 'bindcmdaddress', 'confdir', 'sourcedir', 'maxupdateskew', 'keyfile'];
  const ntpOnly = ['restrict', 'fudge', 'includefile', 'tos', 'tinker', 'disable', 'enable', 'keys', 'trustedkey', 'statsdir'];
  const c = chronyOnly.filter((k) => keywords.has(k)).length;
  const n = ntpOnly.filter((k) => keywords.has(k)).length;
  return c > n ? 'chrony' : 'ntpd';
}

interface LoadState {
  reader: ConfigReader;
  style: CommentStyle;
  files: string[];
  reading: Set<string>;
  unreadable: Array<{ file: string; reason: string; from?: Located }>;
}

function reasonOf(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return 'no such file';
  if (e?.code === 'EACCES' || e?.code === 'EPERM') return 'permission denied';
  if (e?.code === 'EISDIR') return 'is a directory';
  return e?.code ?? (e?.message || String(err));
}

/** Loads `path` (flavor detected unless given) with everything it includes. Never throws for includes; throws for the main file. */
export async function loadConfig(path: string, reader: ConfigReader = fsReader, flavor?: 'ntpd' | 'chrony'): Promise<TimeConfig> {
  const text = await reader.readFile(path);
  const kind = flavor ?? detectFlavor(path, text);
  const state: LoadState = { reader, style: kind, files: [], reading: new Set(), unreadable: [] };
  const directives = await expand(path, text, state, 0);
  const cfg = kind === 'chrony' ? interpretChronyConf(path, state.files, directives) : interpretNtpConf(path, state.files, directives);
  cfg.unreadable = state.unreadable;
  return cfg;
}

/** Parses text given directly (lint of stdin, tests): includes are still followed through `reader`. */
export async function parseConfigText(
  path: string,
  text: string,
  flavor: 'ntpd' | 'chrony',
  reader: ConfigReader = fsReader,
): Promise<TimeConfig> {
  const state: LoadState = { reader, style: flavor, files: [], reading: new Set(), unreadable: [] };
  const directives = await expand(path, text, state, 0);
  const cfg = flavor === 'chrony' ? interpretChronyConf(path, state.files, directives) : interpretNtpConf(path, state.files, directives);
  cfg.unreadable = state.unreadable;
  return cfg;
}

async function expand(path: string, text: string, state: LoadState, depth: number): Promise<Directive[]> {
  const key = resolve(path);
  state.files.push(path);
  state.reading.add(key);
  const out: Directive[] = [];
  try {
    for (const d of splitDirectives(text, path, state.style)) {
      out.push(d);
      const targets = await includeTargets(d, path, state);
      for (const target of targets) {
        const from: Located = { file: d.file, line: d.line, text: d.text };
        if (state.reading.has(resolve(target))) {
          state.unreadable.push({ file: target, reason: 'include cycle: already being read', from });
          continue;
        }
        if (depth + 1 > MAX_DEPTH) {
          state.unreadable.push({ file: target, reason: `includes nested deeper than ${MAX_DEPTH}`, from });
          continue;
        }
        let inner: string;
        try {
          inner = await state.reader.readFile(target);
        } catch (err) {
          state.unreadable.push({ file: target, reason: reasonOf(err), from });
          continue;
        }
        let sub = await expand(target, inner, state, depth + 1);
        // A sourcedir file may only hold source directives (chrony.conf(5) sourcedir).
        if (d.keyword === 'sourcedir') sub = sub.filter((s) => ['server', 'pool', 'peer'].includes(s.keyword));
        out.push(...sub);
      }
    }
  } finally {
    state.reading.delete(key);
  }
  return out;
}

async function includeTargets(d: Directive, from: string, state: LoadState): Promise<string[]> {
  const base = dirname(from);
  const abs = (p: string) => (isAbsolute(p) ? p : join(base, p));
  if (state.style === 'ntpd') {
    if (d.keyword !== 'includefile' || d.args[0] === undefined) return [];
    const target = abs(d.args[0]);
    // ntpsec: an included directory contributes its *.conf files in name order.
    const names = await listDir(target, state, d);
    return names ? names.filter((n) => n.endsWith('.conf')).sort().map((n) => join(target, n)) : [target];
  }
  if (d.keyword === 'include' && d.args[0] !== undefined) return glob(abs(d.args[0]), d, state);
  if (d.keyword === 'confdir' || d.keyword === 'sourcedir') {
    const suffix = d.keyword === 'confdir' ? '.conf' : '.sources';
    const byName = new Map<string, string>();
    for (const dir of d.args.map(abs)) {
      const names = (await listDir(dir, state, d)) ?? [];
      // "If multiple directories contain a file with the same name, only the first file is included."
      for (const n of names) if (n.endsWith(suffix) && !byName.has(n)) byName.set(n, join(dir, n));
    }
    return [...byName.keys()].sort().map((n) => byName.get(n) as string);
  }
  return [];
}

/** Directory entries; undefined when `dir` is missing or not a directory (a plain file is fine for includefile). */
async function listDir(dir: string, state: LoadState, d: Directive): Promise<string[] | undefined> {
  try {
    return await state.reader.readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException)?.code;
    if (code !== 'ENOTDIR' && code !== 'ENOENT') {
      state.unreadable.push({ file: dir, reason: reasonOf(err), from: { file: d.file, line: d.line, text: d.text } });
    }
    return undefined;
  }
}

/** chrony `include` takes a glob(7) pattern; wildcards are honoured in the last path component. */
async function glob(pattern: string, d: Directive, state: LoadState): Promise<string[]> {
  const dir = dirname(pattern);
  const last = pattern.slice(dir.length + 1);
  if (!/[*?[]/.test(last)) return [pattern];
  const re = new RegExp(
    `^${last
      .replace(/[.+^${}()|\\]/g, '\\$&')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '[^/]')}$`,
  );
  const names = (await listDir(dir, state, d)) ?? [];
  return names.filter((n) => re.test(n) && !n.startsWith('.')).sort().map((n) => join(dir, n));
}
