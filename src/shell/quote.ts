/**
 * POSIX sh quoting of one word, as Python's shlex.quote does it: a word made only of characters no shell treats
 * specially is left as it is; anything else goes in single quotes, where sh interprets nothing (XCU 2.2.2), and
 * each `'` inside becomes `'"'"'` (close, a double-quoted quote, reopen).
 *
 * Quoting makes a word safe for `sh -c`, not for a human pasting it into a terminal: a newline or carriage return
 * ends the pasted line (the rest runs as a second command), a tab triggers completion, NUL cannot be in argv at
 * all, and bidirectional or invisible format characters make the printed command read differently from what
 * runs. `pasteHazard` names those; builders turn such a value into a plain-language step instead of a command.
 */

/** shlex.quote's safe set: letters, digits and `@%+=:,./_-`. */
const SAFE_WORD = /^[A-Za-z0-9@%+=:,./_-]+$/;

export function quote(word: string): string {
  if (SAFE_WORD.test(word)) return word;
  return `'${word.replace(/'/g, `'"'"'`)}'`;
}

/**
 * Why `text` cannot appear in a command meant to be pasted, or undefined when it can: C0 controls (newline, CR,
 * tab, ESC, NUL…), DEL, C1 controls (U+0080–U+009F: U+009B is CSI on many terminals), line/paragraph separators,
 * bidi controls and zero-width characters (Unicode category Cf), and lone surrogates (not encodable as UTF-8).
 */
export function pasteHazard(text: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  const control = /[\u0000-\u001f\u007f-\u009f]/.exec(text);
  if (control) return `it contains the control character ${codePoint(control[0])}`;
  const format = /[\p{Cf}\u2028\u2029]/u.exec(text);
  if (format) return `it contains the invisible character ${codePoint(format[0])}`;
  if (LONE_SURROGATE.test(text)) return 'it is not valid Unicode (a lone surrogate)';
  return undefined;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function codePoint(ch: string): string {
  return `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}
