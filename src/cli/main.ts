import { InputError } from '../errors.js';
import { oneLine, toTerminal } from '../render/terminal.js';
import { HelpRequested } from './args.js';
import { commandOut, processIo, type CliCommand, type CommandIo } from './io.js';

/** Commands are loaded lazily so `probe` never pays for Ink and `analyze` never for sockets. */
const COMMANDS: Record<string, () => Promise<{ default: CliCommand }>> = {
  analyze: () => import('./commands/analyze.js'),
  capture: () => import('./commands/capture.js'),
  checklist: () => import('./commands/checklist.js'),
  cluster: () => import('./commands/cluster.js'),
  diagnose: () => import('./commands/diagnose.js'),
  explain: () => import('./commands/explain.js'),
  lint: () => import('./commands/lint.js'),
  probe: () => import('./commands/probe.js'),
  serve: () => import('./commands/serve.js'),
  trace: () => import('./commands/trace.js'),
};

const USAGE = `usage: ntpdoctor <command> [options]        (no command: diagnose; the guided TUI on a terminal)
  analyze FILE... [--json] [--local-ip IP]... [--threads N]   a pcap/pcapng (or - for stdin) -> report
  checklist [FILE...] [--server H] [--config FILE] remediation checklist (Markdown): a capture, or this node
  diagnose [--server H[:PORT]]... [--config FILE]... [--capture S] [--no-probe] [--json] [--plain] [--format text|json|prometheus]
  probe HOST[:PORT] [--samples N] [--timeout S] [--interval S] [--json]   active NTP query, ntpdate -d like
  trace HOST[:PORT] [--max-hops N] [--deadline S] [--hop-timeout S] [--no-mode6] [--json]   follow the refid chain, detect loops
  serve [--listen ADDR:PORT]... [--allow CIDR|all]... [--stratum N] [--refid ID] [--fault KIND]... [--rate-limit B/I[/L]|off]
        [--duration S]   (default: loopback only; leap 3 / stratum 16 while the host clock is unsynchronized)
  capture [-i IF] [--duration S] [--filter-host ADDR] [--write FILE] [--backend auto|cap|tcpdump] [--json]
  cluster [REPORT|DIR|-]... [--ssh DEST]... [--inventory FILE] [--format text|json|checklist|dot]   many nodes' reports -> cluster findings
  lint FILE [--flavor ntpd|chrony] [--local-ip IP]... [--format text|gcc|json|sarif] [--json]   ntp.conf / chrony.conf findings
  explain [RULE-ID]                                                          a rule's page: problem, evidence, fixes, exceptions
exit status: 0 nothing at warning or worse, 1 findings at warning or worse, 2 usage or input error`;

export async function main(argv: string[], io: CommandIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  const out = commandOut(io);
  if (name === '--help' || name === '-h' || name === 'help') {
    out.text(toTerminal(USAGE.split('\n')));
    return 0;
  }
  if (name === '--version') {
    out.text(toTerminal(['ntpdoctor 0.1.0']));
    return 0;
  }
  // No command (or options only): the guided diagnosis of this node (TUI on a terminal, else text).
  const commandName = name === undefined || name.startsWith('-') ? 'diagnose' : name;
  const commandArgs = commandName === name ? rest : argv;
  const load = COMMANDS[commandName];
  try {
    if (!load) throw new InputError(`unknown command '${commandName}' (see ntpdoctor --help)`);
    const command = (await load()).default;
    return await command(commandArgs, out);
  } catch (err) {
    if (err instanceof HelpRequested) {
      out.text(toTerminal(err.usage.split('\n')));
      return 0;
    }
    return reportError(err, io);
  }
}

/**
 * One clear line on stderr, never a stack trace; InputError → 2, anything else is a bug → 2 as well, said so.
 * Exactly one line whatever the message holds: a file name or a server's bytes in it are escaped
 * (src/render/terminal.ts `oneLine`), a newline included, and a huge message is cut.
 */
export function reportError(err: unknown, io: CommandIo): number {
  if (err instanceof InputError) {
    io.stderr(`ntpdoctor: ${oneLine(err.message)}\n`);
    return 2;
  }
  const e = err as NodeJS.ErrnoException | null | undefined;
  const msg = e && typeof e.message === 'string' ? e.message.split('\n')[0] ?? '' : safeString(err);
  io.stderr(`ntpdoctor: internal error: ${oneLine(msg)} (please report it; NTPDOCTOR_DEBUG=1 shows the stack)\n`);
  // The stack is for a developer who asked for it; still escaped line by line.
  if (process.env.NTPDOCTOR_DEBUG) io.stderr(toTerminal(String(e?.stack ?? '').split('\n')));
  return 2;
}

function safeString(v: unknown): string {
  try {
    return String(v);
  } catch {
    return 'unprintable error';
  }
}
