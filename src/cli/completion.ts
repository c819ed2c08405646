/**
 * bash and zsh completion, generated from the one definition (definition.ts): command names, each command's
 * options (short and long), option values (choices, files, hosts, interfaces) and positional arguments.
 * `ntpdoctor completion bash|zsh` prints them; test/cli/completion.test.ts loads the bash one in bash and asks
 * it for completions.
 */
import { COMMANDS, COMMON_OPTIONS, PROGRAM } from './definition.js';
import type { ArgSpec, CommandSpec, Completes, OptionSpec } from './spec.js';

const visible = (): CommandSpec[] => COMMANDS.filter((c) => !c.hidden);
const optionsOf = (c: CommandSpec): OptionSpec[] => [...c.options, ...COMMON_OPTIONS].filter((o) => !o.hidden);

/** Names are ours ([a-z0-9-]); checked anyway, because they are pasted into shell code unquoted. */
function word(s: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(s)) throw new Error(`not a plain word for completion: ${s}`);
  return s;
}

function bashValue(kind: Completes | undefined, choices: readonly string[] | undefined): string {
  if (choices) return `COMPREPLY=( $(compgen -W "${choices.map(word).join(' ')}" -- "$cur") )`;
  switch (kind) {
    case 'file':
      return 'compopt -o filenames 2>/dev/null; COMPREPLY=( $(compgen -f -- "$cur") )';
    case 'host':
      return 'COMPREPLY=( $(compgen -A hostname -- "$cur") )';
    case 'interface':
      return 'COMPREPLY=( $(compgen -W "any $(command ls /sys/class/net 2>/dev/null)" -- "$cur") )';
    default:
      return 'COMPREPLY=()';
  }
}

function bashCommand(c: CommandSpec): string[] {
  const opts = optionsOf(c);
  const words = opts.flatMap((o) => [...(o.short ? [`-${word(o.short)}`] : []), `--${word(o.long)}`]);
  const valued = opts.filter((o) => o.value);
  const arg: ArgSpec | undefined = c.args[0];
  return [
    `    ${word(c.name)})`,
    '      case "$opt" in',
    ...valued.map((o) => {
      const names = [...(o.short ? [`-${o.short}`] : []), `--${o.long}`, ...(o.aliases ?? []).map((a) => `--${a}`)].map(word).join('|');
      return `        ${names}) ${bashValue(o.value?.complete, o.value?.choices)}; return ;;`;
    }),
    '      esac',
    `      if [[ "$cur" == -* ]]; then COMPREPLY=( $(compgen -W "${words.join(' ')}" -- "$cur") ); return; fi`,
    `      ${arg ? bashValue(arg.complete, arg.choices) : 'COMPREPLY=()'}`,
    '      ;;',
  ];
}

export function bashCompletion(): string {
  const names = visible().map((c) => word(c.name));
  return `${[
    `# bash completion for ${PROGRAM}: generated from src/cli/definition.ts (${PROGRAM} completion bash)`,
    `_${PROGRAM}() {`,
    '  local cur="${COMP_WORDS[COMP_CWORD]}" opt="${COMP_WORDS[COMP_CWORD-1]}" cmd="" i',
    // `--color=al`: bash splits at `=` (COMP_WORDBREAKS), so the option is two words back.
    '  if [[ "$opt" == "=" ]]; then opt="${COMP_WORDS[COMP_CWORD-2]}"; elif [[ "$cur" == "=" ]]; then cur=""; fi',
    '  for ((i = 1; i < COMP_CWORD; i++)); do',
    '    case "${COMP_WORDS[i]}" in',
    `      ${[...names, 'help'].join('|')}) cmd="\${COMP_WORDS[i]}"; break ;;`,
    '    esac',
    '  done',
    '  case "$cmd" in',
    '    "")',
    `      COMPREPLY=( $(compgen -W "${[...names, 'help', '-h', '--help', '-V', '--version'].join(' ')}" -- "$cur") )`,
    '      ;;',
    '    help)',
    `      COMPREPLY=( $(compgen -W "${names.join(' ')}" -- "$cur") )`,
    '      ;;',
    ...visible().flatMap(bashCommand),
    '  esac',
    '}',
    `complete -F _${PROGRAM} ${PROGRAM}`,
  ].join('\n')}\n`;
}

/** zsh `_arguments` explanations (`[…]`): `[`, `]`, `:` and `\` escaped; then quoted for a single-quoted word. */
function zshText(s: string): string {
  return zshQuote(s.replace(/[\\[\]:]/g, (c) => `\\${c}`));
}

/** Inside a single-quoted zsh word. */
function zshQuote(s: string): string {
  return s.replace(/'/g, `'\\''`);
}

function zshAction(kind: Completes | undefined, choices: readonly string[] | undefined): string {
  if (choices) return `(${choices.map(word).join(' ')})`;
  return kind === 'file' ? '_files' : kind === 'host' ? '_hosts' : kind === 'interface' ? '_net_interfaces' : ' ';
}

/**
 * One `_arguments` spec: `'(-c --count)'{-c+,--count=}'[explanation]:N: '`. A short option's value may follow
 * it (`-c3`) or be the next word (`+`); a long one's may follow `=` or be the next word (`=`). A repeatable
 * option starts with `*` and excludes nothing; the others exclude themselves and their conflicts.
 */
function zshOption(o: OptionSpec, all: readonly OptionSpec[]): string {
  const names = [...(o.short ? [`-${o.short}${o.value ? '+' : ''}`] : []), `--${o.long}${o.value ? '=' : ''}`];
  const plain = [...(o.short ? [`-${o.short}`] : []), `--${o.long}`];
  const conflicts = (o.conflicts ?? []).flatMap((long) => {
    const other = all.find((x) => x.long === long);
    return other ? [...(other.short ? [`-${other.short}`] : []), `--${other.long}`] : [];
  });
  const exclude = o.repeat ? '*' : `(${[...plain, ...conflicts].join(' ')})`;
  const rest = `[${zshText(o.help)}]${o.value ? `:${zshText(o.value.name)}:${zshAction(o.value.complete, o.value.choices)}` : ''}`;
  if (names.length === 1) return `'${exclude}${names[0]}${rest}'`;
  return `'${exclude}'{${names.join(',')}}'${rest}'`;
}

function zshArg(a: ArgSpec): string {
  const action = zshAction(a.complete, a.choices);
  return `'${a.variadic ? '*' : a.required ? '' : ':'}:${zshText(a.name)}:${action}'`;
}

export function zshCompletion(): string {
  const cmds = visible();
  const body = cmds.flatMap((c) => {
    const opts = optionsOf(c);
    const specs = [...opts.map((o) => zshOption(o, opts)), `'(- *)'{-h,--help}'[show help]'`, ...c.args.map(zshArg)];
    return [`        ${word(c.name)})`, `          _arguments -s \\`, ...specs.map((s, i) => `            ${s}${i < specs.length - 1 ? ' \\' : ''}`), '          ;;'];
  });
  return `${[
    `#compdef ${PROGRAM}`,
    `# zsh completion for ${PROGRAM}: generated from src/cli/definition.ts (${PROGRAM} completion zsh)`,
    `_${PROGRAM}() {`,
    '  local curcontext="$curcontext" state line',
    '  typeset -A opt_args',
    '  local -a commands',
    '  commands=(',
    ...cmds.map((c) => `    '${word(c.name)}:${zshQuote(c.summary)}'`),
    `    'help:show help for a command'`,
    '  )',
    '  _arguments -C \\',
    `    '(- *)'{-h,--help}'[show help]' \\`,
    `    '(- *)'{-V,--version}'[print the version]' \\`,
    `    '1: :->command' \\`,
    `    '*:: :->args'`,
    '  case $state in',
    '    command)',
    `      _describe -t commands '${PROGRAM} command' commands`,
    '      ;;',
    '    args)',
    '      case $line[1] in',
    '        help)',
    `          _arguments '1:command:(${cmds.map((c) => c.name).join(' ')})'`,
    '          ;;',
    ...body,
    '      esac',
    '      ;;',
    '  esac',
    '}',
    `if [[ $zsh_eval_context[-1] == loadautofunc ]]; then _${PROGRAM} "$@"; else compdef _${PROGRAM} ${PROGRAM}; fi`,
  ].join('\n')}\n`;
}

export function completionScript(shell: 'bash' | 'zsh'): string {
  return shell === 'zsh' ? zshCompletion() : bashCompletion();
}
