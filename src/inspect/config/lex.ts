/**
 * Splits a config file into directives (keyword + arguments, with file and line). The two daemons differ in
 * comments: ntpd's scanner ends a line at `#` anywhere (ntp.conf(5)); chrony only treats a line whose first
 * non-blank character is `!`, `;`, `#` or `%` as a comment (chrony.conf(5), CPS_NormalizeLine).
 */
import type { Directive } from '../../model/config.js';

export type CommentStyle = 'ntpd' | 'chrony';

export function splitDirectives(text: string, file: string, style: CommentStyle): Directive[] {
  const out: Directive[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as string;
    const body = style === 'ntpd' ? stripNtpComment(raw) : stripChronyComment(raw);
    const tokens = tokenize(body);
    const [keyword, ...args] = tokens;
    if (keyword === undefined) continue;
    out.push({ file, line: i + 1, keyword: keyword.toLowerCase(), args, text: body.trim() });
  }
  return out;
}

function stripNtpComment(line: string): string {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') quoted = !quoted;
    else if (c === '#' && !quoted) return line.slice(0, i);
  }
  return line;
}

function stripChronyComment(line: string): string {
  const t = line.trimStart();
  return t !== '' && '!;#%'.includes(t[0] as string) ? '' : line;
}

/** Whitespace-separated tokens; a double-quoted token may hold blanks (ntpd file names). */
function tokenize(s: string): string[] {
  const tokens: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  for (let m = re.exec(s); m; m = re.exec(s)) tokens.push(m[1] ?? (m[2] as string));
  return tokens;
}
