/**
 * The parser, built from the definition (definition.ts) with commander: per-command `--help` listing every
 * option with its range and default, `help CMD`, suggestions for typos (`analze`, `--jsn`), `-V/--version`.
 * Commander only parses here: it never writes and never exits (exitOverride, configureOutput); main.ts turns
 * what it says into terminal-safe text and one-line usage errors, and runs the command.
 */
import { Argument, Command as Commander, InvalidArgumentError, Option } from 'commander';
import { COMMANDS, COMMON_OPTIONS, EXIT_STATUS, PROGRAM, SUMMARY, VERSION } from './definition.js';
import { argText, optionFlags, optionText, rangeNote, type CommandSpec, type OptionSpec, type ValueSpec } from './spec.js';

/** Option values by long name (`opts['max-hops']`); a `no-x` flag is `true` when given. Defaults applied. */
export type Opts = Record<string, string | number | boolean | readonly (string | number)[] | undefined>;

export interface Invocation {
  spec: CommandSpec;
  args: string[];
  opts: Opts;
}

export interface ProgramSink {
  /** Help and version text (commander's stdout). */
  out: (text: string) => void;
  /** Help width in columns. */
  width: number;
}

/** `Number(raw)` checked against the spec's kind and range; a message commander puts after "is invalid.". */
export function parseValue(v: ValueSpec, raw: string): string | number {
  if (v.kind !== 'number' && v.kind !== 'integer') return raw;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('Not a number.');
  if (v.kind === 'integer' && !Number.isInteger(n)) throw new InvalidArgumentError('Not a whole number.');
  const low = v.above !== undefined ? n <= v.above : v.min !== undefined && n < v.min;
  if (low || (v.max !== undefined && n > v.max)) throw new InvalidArgumentError(`Want${rangeNote(v)}.`);
  return n;
}

interface Built {
  spec: OptionSpec;
  option: Option;
  aliases: Option[];
}

function commanderOption(spec: OptionSpec, long: string, hidden: boolean): Option {
  // Commander splits flags on `|` and `,`: it gets a plain placeholder; help and errors show ours (flags below).
  const flags = `${spec.short && !hidden ? `-${spec.short}, ` : ''}--${long}${spec.value ? ' <value>' : ''}`;
  const option = new Option(flags, optionText(spec));
  option.flags = optionFlags({ ...spec, long, ...(hidden ? { short: undefined } : {}) } as OptionSpec);
  const value = spec.value;
  if (value?.choices) option.choices(value.choices);
  if (value && (spec.repeat || value.kind === 'number' || value.kind === 'integer')) {
    option.argParser((raw: string, previous: unknown) => {
      if (value.choices && !value.choices.includes(raw)) {
        throw new InvalidArgumentError(`Allowed choices are ${value.choices.join(', ')}.`);
      }
      const parsed = parseValue(value, raw);
      return spec.repeat ? [...(Array.isArray(previous) ? previous : []), parsed] : parsed;
    });
  }
  if (hidden || spec.hidden) option.hideHelp();
  return option;
}

/** A command's options, the common ones after its own. */
export function optionsOf(spec: CommandSpec): readonly OptionSpec[] {
  return [...spec.options, ...COMMON_OPTIONS];
}

function addCommand(program: Commander, spec: CommandSpec, found: (i: Invocation) => void): void {
  const cmd = program.command(spec.name, spec.hidden ? { hidden: true } : {}).summary(spec.summary);
  cmd.description([spec.summary, ...(spec.description ?? [])].join('\n\n'));
  for (const a of spec.args) {
    const arg = new Argument(argText(a));
    if (a.required) arg.argRequired();
    else arg.argOptional();
    if (a.choices) arg.choices(a.choices);
    cmd.addArgument(arg);
  }
  const built: Built[] = optionsOf(spec).map((o) => ({
    spec: o,
    option: commanderOption(o, o.long, false),
    aliases: (o.aliases ?? []).map((alias) => commanderOption(o, alias, true)),
  }));
  for (const b of built) {
    const conflicts = (b.spec.conflicts ?? []).map((long) => built.find((x) => x.spec.long === long)?.option.attributeName());
    if (conflicts.length) b.option.conflicts(conflicts.filter((c): c is string => c !== undefined));
    cmd.addOption(b.option);
    for (const alias of b.aliases) cmd.addOption(alias);
  }
  if (spec.examples?.length) cmd.addHelpText('after', `\nExamples:\n${spec.examples.map((e) => `  ${e}`).join('\n')}`);
  cmd.action((...params: unknown[]) => {
    const self = params[params.length - 1] as Commander;
    found({ spec, args: [...self.args], opts: normalize(built, self.opts()) });
  });
}

/** Commander's camelCase attributes (and its `no-x` → `x: false`) back to the definition's long names. */
function normalize(built: readonly Built[], raw: Record<string, unknown>): Opts {
  const opts: Opts = {};
  for (const { spec, option, aliases } of built) {
    const attr = option.attributeName();
    let value: unknown = raw[attr];
    if (spec.long.startsWith('no-') && !spec.value) {
      opts[spec.long] = value === false;
      continue;
    }
    // `--color WHEN` shares its attribute with `--no-color`, which sets it to false.
    if (value === false && spec.value) value = undefined;
    for (const alias of aliases) {
      const a = raw[alias.attributeName()];
      if (a === undefined) continue;
      value = spec.repeat && Array.isArray(value) && Array.isArray(a) ? [...value, ...a] : (value ?? a);
    }
    if (value === undefined && spec.default !== undefined) value = spec.default;
    if (value === undefined && !spec.value) value = false;
    opts[spec.long] = value as Opts[string];
  }
  return opts;
}

const exitLines = EXIT_STATUS.map(([code, what]) => `  ${code}  ${what}`).join('\n');

/**
 * The whole program. `parse` records which command matched (commander's action only records: the command
 * runs in main.ts, where errors and output are handled once).
 */
export function buildProgram(sink: ProgramSink, only?: string): { program: Commander; invoked: () => Invocation | undefined } {
  let invocation: Invocation | undefined;
  const program = new Commander(PROGRAM)
    .description(`${SUMMARY}.\nWith no command: diagnose (the guided TUI on a terminal).`)
    .version(`${PROGRAM} ${VERSION}`, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .helpCommand('help [command]', 'show help for a command')
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: sink.out,
      writeErr: () => {},
      outputError: () => {},
      getOutHelpWidth: () => sink.width,
      getErrHelpWidth: () => sink.width,
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    })
    .configureHelp({
      sortSubcommands: false,
      // Commander stops wrapping a column narrower than 40: on a 60-column terminal that gave 180-column lines.
      minWidthToWrap: 20,
      // The definition already says range, choices and default, in words: commander would repeat them.
      optionDescription: (o) => o.description,
      subcommandTerm: (c) => {
        const spec = COMMANDS.find((x) => x.name === c.name());
        return [c.name(), ...(spec ? spec.args.map(argText) : ['[command]'])].join(' ');
      },
    })
    .addHelpText('after', `\nExit status:\n${exitLines}\n\nntpdoctor never changes the clock and never applies a fix: it prints them.`);
  // `only`: the command named on the command line, the one whose options are parsed (its errors and suggestions are
  // its own): the others are not built at every start (about a third of the CLI's start-up CPU).
  for (const spec of COMMANDS) if (only === undefined || spec.name === only) addCommand(program, spec, (i) => (invocation = i));
  return { program, invoked: () => invocation };
}
