/**
 * GNU sed edits of a config file, built as commands (command.ts): each value is escaped for sed first (regex
 * metacharacters, the `/` delimiter, `&` and `\` in replacements, `\` in `c\` text), then the whole script is
 * quoted once for the shell. Line-addressed edits keep every other line where it was, so several edits of one
 * file compose in any order.
 */
import { type Command, cmd, file, show } from './command.js';

/** A literal string inside an ERE (`sed -E`) delimited by `/`: every metacharacter and the delimiter escaped. */
export function ereLiteral(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}/]/g, '\\$&');
}

/** A literal string in the replacement of `s/…/…/`: `\`, `&` (the match) and the `/` delimiter escaped. */
export function replacementLiteral(text: string): string {
  return text.replace(/[\\&/]/g, '\\$&');
}

/** Text after GNU sed's one-line `c\`: a backslash starts an escape there (`\t` is a tab), so each is doubled. */
export function changeTextLiteral(text: string): string {
  return text.replace(/\\/g, '\\\\');
}

function lineNumber(line: number): string {
  if (!Number.isSafeInteger(line) || line < 1) throw new RangeError(`not a line number: ${line}`);
  return String(line);
}

/** `sed -i 'Ns/^/# /' FILE`: comment out line N. */
export function commentOutLine(path: string, line: number): Command {
  return { ...cmd('sed', '-i', `${lineNumber(line)}s/^/# /`, file(path)), says: `in ${show(path)}, put "# " at the start of line ${line}`, edit: { file: path, action: 'comment', line } };
}

/** `sed -i 'Nc\TEXT' FILE`: replace line N with TEXT. */
export function replaceLine(path: string, line: number, text: string): Command {
  return { ...cmd('sed', '-i', `${lineNumber(line)}c\\${changeTextLiteral(text)}`, file(path)), says: `in ${show(path)}, replace line ${line} with ${show(text)}`, edit: { file: path, action: 'replace', line, text } };
}

/** `sed -i 'Ns/$/ WORDS/' FILE`: add words at the end of line N. */
export function appendToLine(path: string, line: number, words: string): Command {
  return { ...cmd('sed', '-i', `${lineNumber(line)}s/$/ ${replacementLiteral(words)}/`, file(path)), says: `in ${show(path)}, add ${show(` ${words}`)} at the end of line ${line}`, edit: { file: path, action: 'change', line } };
}

/** `sed -i 'Ns/[[:space:]]WORD\b//' FILE`: drop one option word from line N. */
export function dropWordOnLine(path: string, line: number, word: string): Command {
  return {
    ...cmd('sed', '-i', `${lineNumber(line)}s/[[:space:]]${ereLiteral(word)}\\b//`, file(path)),
    says: `in ${show(path)}, delete the word ${show(word)} from line ${line}`,
    edit: { file: path, action: 'change', line },
  };
}

/**
 * `sed -i -E '/^(server|pool|peer)[[:space:]]+HOST([[:space:]]|$)/ s/PATTERN//g' FILE`: on the source lines naming
 * HOST, delete what PATTERN (an ERE written by the rule, never from input) matches.
 */
export function editSourceLines(path: string, host: string, pattern: string, says: string): Command {
  const address = `/^(server|pool|peer)[[:space:]]+${ereLiteral(host)}([[:space:]]|$)/`;
  return { ...cmd('sed', '-i', '-E', `${address} s/${pattern}//g`, file(path)), says: `in ${show(path)}, ${says}`, edit: { file: path, action: 'pattern' } };
}

/** `sed -i -E 's/^((server|peer|pool)[[:space:]]+HOST)([[:space:]]|$)/# \1\3/' FILE`: comment out the lines naming HOST. */
export function commentOutSourceLines(path: string, host: string): Command {
  return {
    ...cmd('sed', '-i', '-E', `s/^((server|peer|pool)[[:space:]]+${ereLiteral(host)})([[:space:]]|$)/# \\1\\3/`, file(path)),
    says: `in ${show(path)}, put "# " at the start of each server/peer/pool line naming ${show(host)}`,
    edit: { file: path, action: 'pattern' },
  };
}

/** `sed -i -E '/^restrict/ s/[[:space:]]+WORD\b//' FILE`: drop an option word from every restrict line. */
export function dropWordOnRestrictLines(path: string, word: string): Command {
  return {
    ...cmd('sed', '-i', '-E', `/^restrict/ s/[[:space:]]+${ereLiteral(word)}\\b//`, file(path)),
    says: `in ${show(path)}, delete the word ${show(word)} from every restrict line`,
    edit: { file: path, action: 'pattern' },
  };
}

/** `sed -i -E 's/^peer([[:space:]]+HOST([[:space:]]|$))/server\1/' FILE`: the `peer HOST` lines become `server HOST` (client mode). */
export function peerToServer(path: string, host: string): Command {
  return {
    ...cmd('sed', '-i', '-E', `s/^peer([[:space:]]+${ereLiteral(host)}([[:space:]]|$))/server\\1/`, file(path)),
    says: `in ${show(path)}, turn each "peer ${host}" line into "server ${host}"`,
    edit: { file: path, action: 'pattern' },
  };
}
