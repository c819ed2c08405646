import type { Report } from '../diagnose/types.js';

/**
 * Characters JSON allows raw inside strings that a terminal (or a JavaScript reader before ES2019) does not
 * take as inert: DEL and C1 (U+009B is CSI), the line/paragraph separators, bidi controls ("Trojan Source")
 * and the invisible U+200B/U+FEFF — the same set src/render/terminal.ts escapes in text. C0 is escaped by
 * JSON.stringify already, and so are lone surrogates (well-formed JSON.stringify, ES2019).
 */
const RAW_IN_JSON = /[\u007f-\u009f\u061c\u200b\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g;

/**
 * `JSON.stringify`, with those characters written as `\u00XX` escapes. They can only occur inside string
 * literals, so replacing them in the serialized text keeps the document valid and its values identical.
 */
export function toJson(value: unknown, indent: number | undefined = 2): string {
  const text = JSON.stringify(value, null, indent) ?? 'null';
  RAW_IN_JSON.lastIndex = 0;
  return RAW_IN_JSON.test(text) ? text.replace(RAW_IN_JSON, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`) : text;
}

/** Exactly one JSON document (README "The report" `--json` contract), terminal-inert. */
export function renderJson(report: Report): string {
  return `${toJson(report)}\n`;
}
