/** Where a lint finding points: the first directive its evidence cites, else the file it is about. */
import type { Finding } from '../diagnose/types.js';

export interface Place {
  file: string;
  /** Absent when the finding is about the whole file (a directive that is missing). */
  line?: number;
  column?: number;
}

/** The directive's first non-blank character, 1-based: what gcc-style `:col:` and SARIF `startColumn` say. */
function columnOf(lines: ReadonlyMap<string, readonly string[]>, file: string, line: number): number {
  const text = lines.get(file)?.[line - 1];
  if (text === undefined) return 1;
  const at = text.search(/\S/);
  return at < 0 ? 1 : at + 1;
}

export function placeOf(f: Finding, mainFile: string, readFiles: readonly string[], lines: ReadonlyMap<string, readonly string[]>): Place {
  const cited = f.evidence.find((e) => e.file !== undefined && e.line !== undefined);
  if (cited) return { file: cited.file as string, line: cited.line as number, column: columnOf(lines, cited.file as string, cited.line as number) };
  const named = f.evidence.find((e) => e.file !== undefined);
  if (named) return { file: named.file as string };
  return { file: readFiles.includes(f.subject) ? f.subject : mainFile };
}
