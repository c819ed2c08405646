/**
 * The directives each daemon knows, complete, so that only a word the daemon itself would not take is reported
 * unknown, and "did you mean" has the real list to look in.
 * - chrony 4.x: CNF_ParseLine in conf.c (chrony.conf(5)); `commandkey`, `generatecommandkey`, `linux_freq_scale`,
 *   `linux_hz` are accepted with "no longer supported". Anything else: chronyd exits with
 *   "Invalid directive NAME at line N in file F" (other_parse_error → LOG_FATAL).
 * - classic ntpd 4.2.8: the command keywords of ntp_parser.y / keyword-gen.c (ntp.conf(5), ntp_misc(5), ntp_acc(5),
 *   ntp_auth(5), ntp_mon(5), ntp_clock(5)). ntpd logs "syntax error in ntp.conf line N, column M" and goes on
 *   without the line.
 *   The list is the newest 4.x's: a directive newer than the chronyd installed (leapseclist, ntsaeads, opencommands,
 *   ptpdomain, refresh are not in 4.3) is not flagged — a false "unknown" would be worse than a missed one.
 * - NTPsec: its ntp.conf(5) adds `refclock`, `nts`, `unrestrict`, `serverresponse` and drops some; both lists are
 *   merged for the ntpd flavor, since the loader cannot always tell them apart.
 */

export const CHRONY_DIRECTIVES: readonly string[] = [
  'acquisitionport', 'allow', 'authselectmode', 'bindacqaddress', 'bindacqdevice', 'bindaddress', 'bindcmdaddress',
  'bindcmddevice', 'binddevice', 'broadcast', 'clientloglimit', 'clockprecision', 'cmdallow', 'cmddeny', 'cmdport',
  'cmdratelimit', 'combinelimit', 'confdir', 'corrtimeratio', 'deny', 'driftfile', 'dscp', 'dumpdir', 'dumponexit',
  'fallbackdrift', 'hwclockfile', 'hwtimestamp', 'hwtstimeout', 'include', 'initstepslew', 'keyfile', 'leapsecmode',
  'leapsectz', 'leapseclist', 'local', 'lock_all', 'log', 'logbanner', 'logchange', 'logdir', 'mailonchange',
  'makestep', 'manual', 'maxchange', 'maxclockerror', 'maxdistance', 'maxdrift', 'maxjitter', 'maxntsconnections',
  'maxsamples', 'maxslewrate', 'maxupdateskew', 'minsamples', 'minsources', 'nocerttimecheck', 'noclientlog',
  'nosystemcert', 'ntpsigndsocket', 'ntsaeads', 'ntsratelimit', 'ntscachedir', 'ntsdumpdir', 'ntsntpserver',
  'ntsport', 'ntsprocesses', 'ntsrefresh', 'ntsrotate', 'ntsservercert', 'ntsserverkey', 'ntstrustedcerts',
  'opencommands', 'peer', 'pidfile', 'pool', 'port', 'ptpdomain', 'ptpport', 'ratelimit', 'refclock', 'refresh',
  'reselectdist', 'rtcautotrim', 'rtcdevice', 'rtcfile', 'rtconutc', 'rtcsync', 'sched_priority', 'server',
  'smoothtime', 'sourcedir', 'stratumweight', 'tempcomp', 'user',
  // Accepted with a warning ("no longer supported").
  'commandkey', 'generatecommandkey', 'linux_freq_scale', 'linux_hz',
];

export const NTPD_DIRECTIVES: readonly string[] = [
  // Associations (ntp.conf(5), ntp_clock(5)).
  'server', 'pool', 'peer', 'broadcast', 'manycastclient', 'unpeer', 'unconfig', 'broadcastclient',
  'manycastserver', 'multicastclient', 'mdnstries', 'fudge', 'device', 'refclock',
  // Authentication (ntp_auth(5)).
  'automax', 'controlkey', 'crypto', 'keys', 'keysdir', 'ntpsigndsocket', 'requestkey', 'revoke', 'trustedkey',
  'authenticate',
  // Access control, monitoring (ntp_acc(5), ntp_mon(5)).
  'restrict', 'unrestrict', 'discard', 'mru', 'statistics', 'statsdir', 'filegen',
  // Miscellaneous (ntp_misc(5)).
  'tos', 'tinker', 'enable', 'disable', 'rlimit', 'broadcastdelay', 'calldelay', 'tick', 'nonvolatile',
  'driftfile', 'leapfile', 'leapsmearinterval', 'logconfig', 'logfile', 'pidfile', 'saveconfigdir', 'setvar',
  'trap', 'ttl', 'phone', 'reset', 'includefile', 'interface', 'nic', 'dscp', 'qos', 'pollskewlist', 'simulate',
  // NTPsec (ntp.conf(5) of NTPsec).
  'nts', 'serverresponse', 'limit',
];

/** Damerau-Levenshtein distance (optimal string alignment), stopping early once it exceeds `max`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row = new Array<number>(b.length + 1);
    row[0] = i;
    rows.push(row);
  }
  const first = rows[0] as number[];
  for (let j = 0; j <= b.length; j++) first[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[];
    const prev = rows[i - 1] as number[];
    let best = Infinity;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, (rows[i - 2]![j - 2] as number) + 1);
      row[j] = v;
      if (v < best) best = v;
    }
    if (best > max) return max + 1;
  }
  return (rows[a.length] as number[])[b.length] as number;
}

/** The known directive nearest to `word` (distance ≤ 2; ties: the first in the list, sources come first). */
export function suggestDirective(word: string, known: readonly string[]): string | undefined {
  // A keyword longer than any directive by more than 2 cannot be a near miss; skip the work on hostile input.
  if (word.length > 40) return undefined;
  let best: { name: string; d: number } | undefined;
  for (const name of known) {
    // One letter changed in a 3-letter word is a different word, not a typo: scale the bound for short words.
    const max = Math.min(2, Math.max(1, Math.floor(name.length / 3)));
    const d = editDistance(word, name, max);
    if (d <= max && (!best || d < best.d)) best = { name, d };
  }
  return best?.name;
}

export function knownDirectives(flavor: 'ntpd' | 'chrony'): readonly string[] {
  return flavor === 'chrony' ? CHRONY_DIRECTIVES : NTPD_DIRECTIVES;
}

const CHRONY_SET = new Set(CHRONY_DIRECTIVES);
const NTPD_SET = new Set(NTPD_DIRECTIVES);

export function isKnownDirective(flavor: 'ntpd' | 'chrony', keyword: string): boolean {
  return (flavor === 'chrony' ? CHRONY_SET : NTPD_SET).has(keyword);
}

/** An unknown directive and the known one it is nearest to, if any. */
export interface UnknownDirective {
  directive: { file: string; line: number; keyword: string; text: string };
  suggestion?: string;
}

/** The config's unknown directives with their nearest known directive (distance ≤ 2). */
export function unknownWithSuggestions(cfg: { flavor: 'ntpd' | 'chrony'; unknown: ReadonlyArray<UnknownDirective['directive']> }): UnknownDirective[] {
  const known = knownDirectives(cfg.flavor);
  // One search per distinct word: a flood of the same typo costs one.
  const cache = new Map<string, string | undefined>();
  return cfg.unknown.map((d) => {
    if (!cache.has(d.keyword)) cache.set(d.keyword, suggestDirective(d.keyword, known));
    const suggestion = cache.get(d.keyword);
    return suggestion ? { directive: d, suggestion } : { directive: d };
  });
}
