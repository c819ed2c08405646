/**
 * Terminal-safe text: the one sanitizer every human-facing output goes through (text reports, checklists,
 * probe and trace transcripts, error lines, the TUI). Refids, mode 6 values, config lines, file names and
 * server replies are attacker-chosen bytes; written raw, `ESC [2J` clears the screen, `ESC ] 52 ; c ; … BEL`
 * writes the user's clipboard (OSC 52), a C1 CSI (U+009B) does the same as `ESC [` on terminals that honour
 * 8-bit controls, and `\r` lets a later part of a line overwrite what the reader saw first.
 *
 * By construction: renderers build lines (`TextLine[]`); `toTerminal` escapes every span and puts the only
 * line breaks between lines, and its result is a `TerminalString` — the only kind of text the CLI boundary
 * (src/cli/io.ts `CommandOut.text`) accepts. A renderer that forgot cannot be wired to stdout without a cast,
 * and test/meta/terminal.test.ts forbids that cast outside this file.
 */

/**
 * What gets escaped, and why:
 * - C0 (U+0000–U+001F) and DEL (U+007F): cursor movement, escape sequences, BEL, NUL. `\t` too: a tab pasted
 *   into an interactive shell without bracketed paste triggers completion, and it breaks column alignment;
 *   `\n` and `\r` inside a value would forge a line or overwrite one.
 * - C1 (U+0080–U+009F): U+009B is CSI, U+009D OSC, U+0090 DCS on terminals that accept 8-bit controls.
 * - Bidi controls (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069) — "Trojan Source" (CVE-2021-42574):
 *   they reorder how a line is displayed, so a printed fix could read differently from what a paste runs.
 * - U+2028/U+2029 (line/paragraph separators) break lines in some viewers and JavaScript before ES2019;
 *   U+200B and U+FEFF are invisible and hide text inside a name.
 * - Lone surrogates (U+D800–U+DFFF not in a pair): not text; stdout's UTF-8 encoder would turn them silently
 *   into U+FFFD, so the reader would see something other than what was received.
 * The backslash itself is left alone: fix commands contain real backslashes (`sed '1c\…'`) and must stay
 * exactly what a shell runs; `--json` is the exact, unambiguous form.
 */
const UNSAFE =
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const NAMED: Record<number, string> = { 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t' };

/** The escape for one unsafe UTF-16 unit: C0 and DEL as \xNN (as bash and Python show them), the rest \uNNNN. */
function escapeUnit(code: number): string {
  return NAMED[code] ?? (code < 0x80 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
}

/** C0, DEL and C1 escapes made once: a capture full of controls costs a lookup per unit, not a format. */
const LOW_ESCAPES: readonly string[] = Array.from({ length: 0xa0 }, (_, c) => escapeUnit(c));

function unsafeBmp(c: number): boolean {
  return (
    c < 0x20 ||
    (c >= 0x7f && c <= 0x9f) ||
    c === 0x061c ||
    c === 0x200b ||
    c === 0x200e ||
    c === 0x200f ||
    (c >= 0x2028 && c <= 0x202e) ||
    (c >= 0x2066 && c <= 0x2069) ||
    c === 0xfeff
  );
}

/** Every unsafe code point of `s` shown escaped (`\x1b`, `\u009b`, `\n`); one pass, `s` itself when clean. */
export function escapeControls(s: string): string {
  if (!UNSAFE.test(s)) return s;
  let out = '';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      // A pair (an emoji, a CJK extension) is text: skip its low half. NaN past the end is no low half.
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
    } else if (!(c >= 0xdc00 && c <= 0xdfff) && !unsafeBmp(c)) {
      continue;
    }
    out += s.slice(from, i) + (c < 0xa0 ? (LOW_ESCAPES[c] as string) : escapeUnit(c));
    from = i + 1;
  }
  return out + s.slice(from);
}

/** True when `s` holds nothing `escapeControls` would change. */
export function isTerminalSafe(s: string): boolean {
  return !UNSAFE.test(s);
}

/** Colours a renderer may ask for; the SGR codes are added here, after the text is escaped. */
export type Style = 'error' | 'warning' | 'info' | 'ok';

const SGR: Record<Style, string> = { error: '\x1b[31;1m', warning: '\x1b[33;1m', info: '\x1b[36m', ok: '\x1b[32;1m' };
const RESET = '\x1b[0m';

export interface Span {
  text: string;
  style?: Style;
}

/** One output line: plain text, or spans with styles. A `\n` inside is data, so it is escaped like the rest. */
export type TextLine = string | readonly Span[];

declare const terminalBrand: unique symbol;
/** Text that went through `toTerminal`: safe to write to a terminal as it is. */
export type TerminalString = string & { readonly [terminalBrand]: true };

export interface TerminalOptions {
  /** Add the styles' SGR colour codes (a terminal that wants colour); default plain. */
  color?: boolean;
}

/** Lines → one terminal-safe text: each span escaped, styled only when asked, `\n` after every line. */
export function toTerminal(lines: readonly TextLine[], options: TerminalOptions = {}): TerminalString {
  let out = '';
  for (const line of lines) {
    if (typeof line === 'string') {
      out += escapeControls(line);
    } else {
      for (const span of line) {
        const text = escapeControls(span.text);
        out += options.color && span.style && text ? `${SGR[span.style]}${text}${RESET}` : text;
      }
    }
    out += '\n';
  }
  return out as TerminalString;
}

/** Longest error or notice line, in UTF-16 units: a hostile file name of megabytes must not become one. */
export const MAX_LINE = 2000;

/**
 * Exactly one line (no `\n` at the end): everything escaped, `\n` included, and cut at `max` units with a
 * note of how much was left out. For stderr, where nothing is meant to be pasted.
 */
export function oneLine(message: string, max = MAX_LINE): string {
  const cut = message.length > max ? message.slice(0, max) : message;
  // Do not leave half a surrogate pair at the cut (it would be escaped as a lone surrogate, wrongly).
  const whole = cut.length < message.length && /[\ud800-\udbff]$/.test(cut) ? cut.slice(0, -1) : cut;
  const escaped = escapeControls(whole);
  return whole.length < message.length ? `${escaped}… (${message.length - whole.length} more characters)` : escaped;
}

/**
 * Strings of `value` (a report, a step) escaped, deep; the rest kept. For the TUI, which keeps data and
 * measures it. Objects with nothing to escape come back as they are (same identity), so clean data costs no copy.
 */
export function escapeDeep<T>(value: T): T {
  return escapeValue(value, 0) as T;
}

function escapeValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return escapeControls(value);
  // Reports are shallow trees; the bound only guards against a cycle someone adds later.
  if (value === null || typeof value !== 'object' || depth > 64) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((v, i) => {
      const e = escapeValue(v, depth + 1);
      if (e !== v) (copy ??= [...value])[i] = e;
    });
    return copy ?? value;
  }
  if (value instanceof Date || ArrayBuffer.isView(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(value)) {
    const e = escapeValue(v, depth + 1);
    if (e !== v) (copy ??= { ...value })[k] = e;
  }
  return copy ?? value;
}
