/**
 * ntpdoctor(1) in roff (man(7) macros), generated from the one definition (definition.ts): the same commands,
 * options, ranges and defaults as `--help`. `npm run docs:man` writes man/ntpdoctor.1; test/cli/man.test.ts
 * fails when the checked-in page is stale and checks that groff renders it without a warning.
 */
import { COMMANDS, COMMON_OPTIONS, ENVIRONMENT, EXIT_STATUS, PROGRAM, SUMMARY, VERSION } from './definition.js';
import { argText, optionText, type CommandSpec, type OptionSpec } from './spec.js';

/**
 * Text for roff: a backslash is `\e`, and a line that would start with `.` or `'` (a request) gets `\&` first.
 * Definition text is ours, but a stray `.` at a line start would silently swallow the line.
 */
export function roffText(s: string): string {
  return s
    .replace(/\\/g, '\\e')
    .split('\n')
    .map((l) => (/^[.']/.test(l) ? `\\&${l}` : l))
    .join('\n');
}

/** Code (flags, commands to type): also every `-` as `\-`, so it pastes as an ASCII hyphen-minus. */
export function roffCode(s: string): string {
  return roffText(s).replace(/-/g, '\\-');
}

function optionTerm(o: OptionSpec): string {
  const long = `\\fB${roffCode(`--${o.long}`)}\\fR`;
  const head = o.short ? `\\fB${roffCode(`-${o.short}`)}\\fR, ${long}` : long;
  return o.value ? `${head} \\fI${roffCode(o.value.name)}\\fR` : head;
}

function options(list: readonly OptionSpec[]): string[] {
  const out: string[] = [];
  for (const o of list) {
    if (o.hidden) continue;
    out.push('.TP', optionTerm(o), roffText(optionText(o)));
    if (o.aliases?.length) out.push(`(Also accepted: ${o.aliases.map((a) => `\\fB${roffCode(`--${a}`)}\\fR`).join(', ')}.)`);
  }
  return out;
}

function usage(c: CommandSpec): string {
  return roffCode([PROGRAM, c.name, c.options.length ? '[options]' : '', ...c.args.map(argText)].filter(Boolean).join(' '));
}

function command(c: CommandSpec): string[] {
  const out = [`.SS "${usage(c)}"`, roffText(`${c.summary.charAt(0).toUpperCase()}${c.summary.slice(1)}.`)];
  for (const p of c.description ?? []) out.push('.PP', roffText(p));
  out.push(...options(c.options));
  if (c.examples?.length) {
    out.push('.PP', 'Examples:', '.RS', '.nf');
    for (const e of c.examples) out.push(roffCode(e));
    out.push('.fi', '.RE');
  }
  return out;
}

export function manPage(): string {
  const visible = COMMANDS.filter((c) => !c.hidden);
  const lines = [
    `.\\" Generated from src/cli/definition.ts by \`npm run docs:man\`: edit the definition, not this file.`,
    `.TH NTPDOCTOR 1 "" "${PROGRAM} ${VERSION}" "User Commands"`,
    // No hyphenation: a reader searches for `ntpdoctor` and `--hop-timeout`, not `ntp-doctor` split at a line end.
    '.nh',
    '.SH NAME',
    `${PROGRAM} \\- ${roffText(SUMMARY)}`,
    '.SH SYNOPSIS',
    '.nf',
    `\\fB${PROGRAM}\\fR [\\fIcommand\\fR] [\\fIoptions\\fR]`,
    ...visible.map((c) => `\\fB${PROGRAM} ${c.name}\\fR ${roffCode([c.options.length ? '[options]' : '', ...c.args.map(argText)].filter(Boolean).join(' '))}`),
    `\\fB${PROGRAM} help\\fR [\\fIcommand\\fR]`,
    `\\fB${PROGRAM}\\fR \\fB\\-V\\fR | \\fB\\-\\-version\\fR`,
    '.fi',
    '.SH DESCRIPTION',
    roffText(
      'Why does this node not sync, and what exactly do I change? ntpdoctor reads packets (pcap/pcapng files, stdin, live capture), probes NTP servers with its own client, inspects the node (ntp.conf, chrony.conf, firewall, daemon state) and maps all of it through a rule engine to ranked findings with exact fix commands: the most likely root cause first.',
    ),
    '.PP',
    roffText('With no command it runs diagnose: on a terminal, the guided TUI. ntpdoctor never changes the clock and never applies a fix: it prints them. Every command takes -h (its help).'),
    '.SH COMMANDS',
    ...visible.flatMap(command),
    '.SH COMMON OPTIONS',
    roffText('Every command takes these.'),
    ...options(COMMON_OPTIONS),
    '.TP',
    `\\fB\\-h\\fR, \\fB\\-\\-help\\fR`,
    'Show the command\'s help: every option, its range and its default.',
    '.SH EXIT STATUS',
    ...EXIT_STATUS.flatMap(([code, what]) => ['.TP', `\\fB${code}\\fR`, roffText(`${what.charAt(0).toUpperCase()}${what.slice(1)}.`)]),
    '.SH ENVIRONMENT',
    ...ENVIRONMENT.flatMap(([name, what]) => ['.TP', `\\fB${roffCode(name)}\\fR`, roffText(`${what.charAt(0).toUpperCase()}${what.slice(1)}.`)]),
    '.SH SEE ALSO',
    '\\fBntpq\\fR(1), \\fBchronyc\\fR(1), \\fBntpdate\\fR(8), \\fBntpdig\\fR(1), \\fBtcpdump\\fR(8), RFC 5905',
  ];
  return `${lines.join('\n')}\n`;
}
