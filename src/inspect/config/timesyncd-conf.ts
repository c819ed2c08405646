/**
 * systemd-timesyncd's configuration (timesyncd.conf(5), systemd 252): /etc/systemd/timesyncd.conf, then the
 * *.conf drop-ins of /etc, /run, /usr/local/lib and /usr/lib `systemd/timesyncd.conf.d/`, sorted by file name
 * across all of them (a name in an earlier directory masks the same name in a later one: that is how /etc
 * overrides /usr/lib, and a symlink to /dev/null disables a vendor file). Single-value settings: the last
 * assignment wins. NTP= and FallbackNTP= are lists: entries accumulate, an empty assignment resets the list.
 * Pure parsing plus one loader over a ConfigReader.
 */
import { join } from 'node:path';
import type { ConfigReader, ConfigSource, Located, TimesyncdConfig, TimesyncdSetting, TimesyncdValue } from '../../model/config.js';

export const TIMESYNCD_MAIN = '/etc/systemd/timesyncd.conf';
/** conf_files_list() order: earlier directories mask same-named files in later ones. */
export const TIMESYNCD_DROPIN_DIRS = [
  '/etc/systemd/timesyncd.conf.d',
  '/run/systemd/timesyncd.conf.d',
  '/usr/local/lib/systemd/timesyncd.conf.d',
  '/usr/lib/systemd/timesyncd.conf.d',
] as const;

/** Compiled-in defaults (timesyncd.conf(5); src/timesync/timesyncd-manager.h). */
export const TIMESYNCD_DEFAULTS = {
  rootDistanceMaxSec: 5,
  pollIntervalMinSec: 32,
  pollIntervalMaxSec: 2048,
  connectionRetrySec: 30,
  saveIntervalSec: 60,
} as const satisfies Record<TimesyncdSetting, number>;

const UNIT_SECONDS: Array<[RegExp, number]> = [
  [/^(us|usec|µs|μs)$/, 1e-6],
  [/^(ms|msec)$/, 1e-3],
  [/^(s|sec|second|seconds)$/, 1],
  [/^(m|min|minute|minutes)$/, 60],
  [/^(h|hr|hour|hours)$/, 3600],
  [/^(d|day|days)$/, 86400],
  [/^(w|week|weeks)$/, 7 * 86400],
  [/^(M|month|months)$/, 2629800],
  [/^(y|year|years)$/, 31557600],
];

/**
 * systemd.time(5) time span, default unit seconds: "5", "1.5s", "2min 30s", "34min 8s", "500ms".
 * Undefined for anything else (timesyncd then logs a parse error and keeps the previous value).
 */
export function parseTimespan(text: string): number | undefined {
  const t = text.trim();
  if (t === '' || t.length > 100) return undefined;
  if (t === 'infinity') return Infinity;
  let total = 0;
  const re = /\s*(\d+(?:\.\d+)?)\s*([a-zA-Zµμ]*)/y;
  let pos = 0;
  while (pos < t.length) {
    re.lastIndex = pos;
    const m = re.exec(t);
    if (!m || m[0].length === 0) return undefined;
    const unit = m[2] ?? '';
    const mult = unit === '' ? 1 : UNIT_SECONDS.find(([r]) => r.test(unit))?.[1];
    if (mult === undefined) return undefined;
    total += Number(m[1]) * mult;
    pos = re.lastIndex;
    while (t[pos] === ' ') pos++;
  }
  return total;
}

const SETTING_KEYS: Record<string, TimesyncdSetting> = {
  RootDistanceMaxSec: 'rootDistanceMaxSec',
  PollIntervalMinSec: 'pollIntervalMinSec',
  PollIntervalMaxSec: 'pollIntervalMaxSec',
  ConnectionRetrySec: 'connectionRetrySec',
  SaveIntervalSec: 'saveIntervalSec',
};

/** At most this many servers per list: a hostile file cannot make the probe list unbounded. */
const MAX_SERVERS = 64;

function serverSource(at: Located, address: string): ConfigSource {
  return { ...at, directive: 'server', address, options: [], iburst: false, prefer: false, noselect: false };
}

/** systemd.syntax(7) lines: `#`/`;` comments, a trailing backslash continues the line. */
function logicalLines(text: string): Array<{ line: number; text: string }> {
  const out: Array<{ line: number; text: string }> = [];
  const raw = text.split(/\r?\n/);
  for (let i = 0; i < raw.length; i++) {
    const start = i + 1;
    let l = (raw[i] ?? '').trim();
    if (l.startsWith('#') || l.startsWith(';')) continue;
    while (l.endsWith('\\') && i + 1 < raw.length) {
      const next = (raw[++i] ?? '').trim();
      // A comment line inside a continuation is skipped, as systemd does.
      l = l.slice(0, -1) + ' ' + (next.startsWith('#') || next.startsWith(';') ? '' : next);
    }
    if (l.endsWith('\\')) l = l.slice(0, -1);
    if (l !== '') out.push({ line: start, text: l.trim() });
  }
  return out;
}

/** Applies the files in order; `files` are { file, text } as timesyncd would read them. */
export function parseTimesyncdConf(files: ReadonlyArray<{ file: string; text: string }>, main = TIMESYNCD_MAIN): TimesyncdConfig {
  const settings = Object.fromEntries(Object.entries(TIMESYNCD_DEFAULTS).map(([k, v]) => [k, { value: v }])) as Record<TimesyncdSetting, TimesyncdValue>;
  const cfg: TimesyncdConfig = { flavor: 'timesyncd', file: main, files: files.map((f) => f.file), ntp: [], fallback: [], fallbackCompiledIn: true, settings, invalid: [], unknown: [], unreadable: [] };
  for (const { file, text } of files) {
    let section = '';
    for (const { line, text: l } of logicalLines(text)) {
      const at: Located = { file, line, text: l.slice(0, 400) };
      const sec = /^\[([^\]]*)\]$/.exec(l);
      if (sec) {
        section = sec[1] ?? '';
        continue;
      }
      const eq = l.indexOf('=');
      if (section !== 'Time' || eq < 0) {
        cfg.unknown.push(at);
        continue;
      }
      const key = l.slice(0, eq).trim();
      const value = l.slice(eq + 1).trim();
      if (key === 'NTP' || key === 'FallbackNTP') {
        const list = key === 'NTP' ? cfg.ntp : cfg.fallback;
        if (value === '') {
          list.length = 0;
          continue;
        }
        if (key === 'FallbackNTP') cfg.fallbackCompiledIn = false;
        for (const name of value.split(/\s+/)) {
          // dns_name_is_valid / in_addr_from_string: skip what is neither (timesyncd logs and ignores it).
          if (!/^[A-Za-z0-9._:%-]{1,253}$/.test(name)) {
            cfg.invalid.push({ ...at, why: `"${name.slice(0, 64)}" is not a host name or address: ignored` });
            continue;
          }
          if (list.length < MAX_SERVERS && !list.some((s) => s.address === name)) list.push(serverSource(at, name));
        }
        continue;
      }
      const setting = SETTING_KEYS[key];
      if (!setting) {
        cfg.unknown.push(at);
        continue;
      }
      const secs = parseTimespan(value);
      if (secs === undefined) {
        cfg.invalid.push({ ...at, why: `"${value.slice(0, 64)}" is not a time span: the previous value stays` });
        continue;
      }
      settings[setting] = { value: secs, at };
    }
  }
  validate(cfg);
  return cfg;
}

/** manager_parse_config_file(): out-of-range values fall back to defaults, with a warning. */
function validate(cfg: TimesyncdConfig): void {
  const s = cfg.settings;
  const reset = (k: TimesyncdSetting, why: string, value: number = TIMESYNCD_DEFAULTS[k]) => {
    const at = s[k].at;
    if (at) cfg.invalid.push({ ...at, why });
    s[k] = { value };
  };
  if (s.pollIntervalMinSec.value < 16) reset('pollIntervalMinSec', 'PollIntervalMinSec= below 16 s: timesyncd uses the default 32 s');
  if (s.pollIntervalMaxSec.value < s.pollIntervalMinSec.value) {
    reset('pollIntervalMaxSec', 'PollIntervalMaxSec= is smaller than PollIntervalMinSec=: timesyncd uses the default', Math.max(2048, s.pollIntervalMinSec.value * 32));
  }
  if (s.connectionRetrySec.value < 1) reset('connectionRetrySec', 'ConnectionRetrySec= below 1 s: timesyncd uses the default 30 s');
}

/** The main file, then the drop-ins by name across the directories (first directory wins a name). */
export async function timesyncdFiles(reader: ConfigReader): Promise<{ files: string[]; unreadable: Array<{ file: string; reason: string }> }> {
  const byName = new Map<string, string>();
  const unreadable: Array<{ file: string; reason: string }> = [];
  for (const dir of TIMESYNCD_DROPIN_DIRS) {
    let names: string[];
    try {
      names = (await reader.readdir(dir, 1000)).names;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') unreadable.push({ file: dir, reason: code === 'EACCES' ? 'permission denied' : (code ?? String(err)) });
      continue;
    }
    for (const n of names.slice(0, 1000)) if (n.endsWith('.conf') && !n.startsWith('.') && !byName.has(n)) byName.set(n, join(dir, n));
  }
  const dropins = [...byName.keys()].sort().map((n) => byName.get(n) as string);
  return { files: [TIMESYNCD_MAIN, ...dropins], unreadable };
}

/** Per-file size bound: a hostile or huge file is cut, not read whole into the report. */
const MAX_FILE_CHARS = 256 * 1024;

/** Reads every file timesyncd would; a missing main file is normal (defaults only). Undefined when none exists. */
export async function loadTimesyncdConfig(reader: ConfigReader): Promise<TimesyncdConfig | undefined> {
  const { files, unreadable } = await timesyncdFiles(reader);
  const read: Array<{ file: string; text: string }> = [];
  for (const file of files) {
    try {
      read.push({ file, text: (await reader.readFile(file, MAX_FILE_CHARS)).text.slice(0, MAX_FILE_CHARS) });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') continue;
      unreadable.push({ file, reason: code === 'EACCES' ? 'permission denied' : (code ?? String(err)) });
    }
  }
  if (read.length === 0 && unreadable.length === 0) return undefined;
  const cfg = parseTimesyncdConf(read);
  cfg.unreadable = unreadable;
  return cfg;
}

/**
 * The servers timesyncd polls from its config: NTP= when set, else FallbackNTP= (timesyncd.conf(5)). Servers a
 * network manager hands in per link (systemd-networkd, DHCP option 42) come on top and are not in the files.
 */
export function configuredServers(cfg: TimesyncdConfig): { which: 'system' | 'fallback'; servers: ConfigSource[] } {
  return cfg.ntp.length ? { which: 'system', servers: cfg.ntp } : { which: 'fallback', servers: cfg.fallback };
}
