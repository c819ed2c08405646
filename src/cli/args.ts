/**
 * Reading a command's parsed options (src/cli/io.ts `CommandInput.opts`). The parser (program.ts) already
 * checked kinds, ranges and choices from the definition; these only narrow the types.
 */
type Value = string | number | boolean | readonly (string | number)[] | undefined;

export function str(v: Value): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
export function num(v: Value): number | undefined {
  return typeof v === 'number' ? v : undefined;
}
export function list(v: Value): string[] {
  return Array.isArray(v) ? v.map(String) : [];
}
export function flag(v: Value): boolean {
  return v === true;
}
/** `-4` / `-6`: the address family asked for, if any. */
export function family(opts: Readonly<Record<string, Value>>): 4 | 6 | undefined {
  return opts.ipv4 === true ? 4 : opts.ipv6 === true ? 6 : undefined;
}
