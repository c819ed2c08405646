/**
 * THE command line of ntpdoctor, as data: every command, argument, option, short letter and default. The
 * parser and `--help` (program.ts), the man page (man.ts) and the shell completion (completion.ts) are all
 * generated from this table, so they cannot drift apart.
 *
 * Adding a command: one entry in COMMANDS (its `load` names the module that runs it). Adding an option: one
 * entry in its command's `options`; the command reads it by its long name (`opts['max-hops']`).
 *
 * Short letters follow the tools admins already type: `-n` numeric as in ntpq, chronyc, ping and tcpdump (this
 * tool never does reverse lookups, so `-n` only promises it); `-c` count as in ping (ntpdate's samples); `-t`
 * timeout and `-o` NTP version as in ntpdate/ntpdig; `-4`/`-6` as in ntpq, ntpdig and chronyc; `-i` interface
 * and `-w` write as in tcpdump; `-c FILE` on diagnose/checklist is ntpd's `-c` config file.
 */
import { FAULT_HELP } from '../serve/faults.js';
import type { CommandSpec, OptionSpec } from './spec.js';

export const PROGRAM = 'ntpdoctor';
/** Kept equal to package.json's version by test/cli/definition.test.ts. */
export const VERSION = '0.1.0';
export const SUMMARY = 'NTP diagnostics: captures, probes and node state to ranked root causes with exact fixes';

const json: OptionSpec = { long: 'json', help: 'one JSON document (ntpdoctor.report/1) on stdout instead of text' };
const localIp: OptionSpec = {
  long: 'local-ip',
  value: { name: 'IP' },
  repeat: true,
  help: "the capturing host's own address: tells a checksum-offload artifact from corruption, and whose clock the capture times are on",
};
const numeric: OptionSpec = {
  long: 'numeric',
  short: 'n',
  help: 'numeric addresses only, as ntpq -n (ntpdoctor never does reverse lookups: accepted so habits work)',
};
const ipv4: OptionSpec = { long: 'ipv4', short: '4', conflicts: ['ipv6'], help: 'resolve host names to IPv4 addresses only' };
const ipv6: OptionSpec = { long: 'ipv6', short: '6', conflicts: ['ipv4'], help: 'resolve host names to IPv6 addresses only' };
const server: OptionSpec = {
  long: 'server',
  short: 's',
  value: { name: 'HOST[:PORT]', complete: 'host' },
  repeat: true,
  help: 'also probe this server, besides the configured ones',
};
const config: OptionSpec = {
  long: 'config',
  short: 'c',
  value: { name: 'FILE', complete: 'file' },
  repeat: true,
  defaultText: 'where chronyd, ntpd and systemd-timesyncd keep theirs',
  help: 'read this ntp.conf / chrony.conf instead',
};
const minSeverity: OptionSpec = {
  long: 'min-severity',
  value: { name: 'LEVEL', choices: ['info', 'warning', 'error'] },
  defaultText: 'info (every finding)',
  help: 'hide findings below this severity in the text (the report says how many it hid)',
};
const quiet: OptionSpec = { long: 'quiet', short: 'q', help: 'the findings alone: no inputs, server table or exchange sample' };
/** The same -q where the command's own lines come first (lint's inputs, probe's transcript, trace's hops). */
const quietLint: OptionSpec = { ...quiet, help: 'the findings alone (and the suppressed ones, never dropped): no inputs' };
const quietProbe: OptionSpec = { ...quiet, help: 'the findings alone: no transcript, inputs or server table' };
const quietTrace: OptionSpec = { ...quiet, help: "the findings and the trace's one-line verdict: no hop lines, inputs or server table" };
const noProbe: OptionSpec = {
  long: 'no-probe',
  help: 'no network at all: no probe, no NTS-KE, no DNS (configured names stay unresolved, and the report says so)',
};

/** Options every command takes (appended by program.ts, listed once in the man page). */
export const COMMON_OPTIONS: readonly OptionSpec[] = [
  {
    long: 'color',
    value: { name: 'WHEN', choices: ['auto', 'always', 'never'] },
    default: 'auto',
    help: 'colour the text: auto means on a terminal that has colours, unless NO_COLOR is set or TERM=dumb (FORCE_COLOR forces it)',
  },
  { long: 'no-color', help: 'the same as --color=never' },
];

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'analyze',
    summary: 'a pcap / pcapng capture (or - for stdin) to a ranked report',
    description: [
      'Reads each capture (pcap or pcapng; - reads stdin, e.g. tcpdump -U -w - \'udp port 123 or tcp port 4460 or icmp or icmp6\'), decodes NTP and the ICMP errors that answer it, pairs requests with replies and judges them with the rules.',
      'A cut or damaged capture is analysed up to where it stops, then exits 1 as tcpdump does.',
    ],
    args: [{ name: 'FILE', required: true, variadic: true, complete: 'file' }],
    options: [
      json,
      localIp,
      {
        long: 'threads',
        value: { name: 'N', kind: 'integer', min: 1, max: 64 },
        default: 1,
        help: 'split a capture file across N threads by client/server path (opt-in: see README for measurements)',
      },
      {
        long: 'plot',
        value: { name: 'FILE.svg', complete: 'file' },
        help: 'also draw offset and delay over time per server, from every exchange, as a self-contained SVG',
      },
      minSeverity,
      quiet,
      numeric,
    ],
    load: () => import('./commands/analyze.js'),
    examples: ['ntpdoctor analyze capture.pcap', 'tcpdump -U -w - \'udp port 123 or tcp port 4460 or icmp or icmp6\' | ntpdoctor analyze -'],
  },
  {
    name: 'capture',
    summary: 'live capture (libpcap, else tcpdump) to a ranked report',
    description: ['Captures NTP and ICMP on an interface until --duration or Ctrl-C, then reports what it saw. Needs CAP_NET_RAW (root).'],
    args: [],
    options: [
      { long: 'interface', short: 'i', value: { name: 'IF', complete: 'interface' }, default: 'any', help: 'the interface to capture on' },
      { long: 'duration', value: { name: 'S', kind: 'number', above: 0, max: 86400 }, defaultText: 'until Ctrl-C', help: 'seconds to capture' },
      { long: 'filter-host', value: { name: 'ADDR', complete: 'host' }, help: 'only traffic to or from this address' },
      { long: 'write', short: 'w', value: { name: 'FILE', complete: 'file' }, help: 'also save the packets as a pcap file' },
      {
        long: 'backend',
        value: { name: 'B', choices: ['auto', 'cap', 'tcpdump'] },
        defaultText: 'auto, or $NTPDOCTOR_CAPTURE_BACKEND',
        help: 'how to capture: libpcap through the optional cap module, or tcpdump -w -',
      },
      localIp,
      json,
      minSeverity,
      quiet,
      numeric,
    ],
    load: () => import('./commands/capture.js'),
    examples: ['ntpdoctor capture -i eth0 --duration 60 -w ntp.pcap'],
  },
  {
    name: 'checklist',
    summary: 'the remediation checklist (Markdown) for a capture, or for this node',
    description: ['One "- [ ]" step per fix, grouped by host, each with its verify command: the text the TUI writes with w. With no FILE: this node, as diagnose sees it.'],
    args: [{ name: 'FILE', required: false, variadic: true, complete: 'file' }],
    options: [localIp, server, config, noProbe],
    load: () => import('./commands/checklist.js'),
    examples: ['ntpdoctor checklist capture.pcap > fix.md', 'ntpdoctor checklist --no-probe'],
  },
  {
    name: 'diagnose',
    summary: 'inspect this node (configs, firewall, daemons) and probe its servers; the default command',
    description: [
      'Reads ntp.conf / chrony.conf / timesyncd.conf, the firewall (nftables, iptables, firewalld) and the running daemons, probes every configured server, and ranks what it found. On a terminal, without --json or --plain, the guided TUI shows it.',
      'Read-only: it never changes the clock, a config or a firewall.',
    ],
    args: [],
    options: [
      server,
      config,
      {
        long: 'capture',
        value: { name: 'S', kind: 'number', above: 0, max: 3600 },
        help: 'also capture this many seconds on every interface while probing',
      },
      noProbe,
      json,
      {
        long: 'format',
        value: { name: 'FMT', choices: ['text', 'json', 'prometheus'] },
        defaultText: 'the TUI on a terminal, else text',
        help: "json is --json; prometheus: metrics for node_exporter's textfile collector (docs/prometheus.md)",
      },
      { long: 'plain', help: 'text, not the TUI, even on a terminal' },
      minSeverity,
      quiet,
      numeric,
      ipv4,
      ipv6,
    ],
    load: () => import('./commands/diagnose.js'),
    examples: ['ntpdoctor diagnose --no-probe', 'ntpdoctor diagnose -s ntp.example.org --json'],
  },
  {
    name: 'probe',
    summary: 'active NTP query of one server, ntpdate -d like, with a verdict',
    description: [
      'Sends client requests to every address of HOST and checks each reply as chronyd does (RFC 5905 section 8 packet tests, ntp_core.c test1..test7 and testA..testD); shows the transcript and judges it with the rules.',
    ],
    args: [{ name: 'HOST[:PORT]', required: true, complete: 'host' }],
    options: [
      {
        long: 'count',
        short: 'c',
        value: { name: 'N', kind: 'integer', min: 1, max: 64 },
        default: 4,
        aliases: ['samples'],
        help: 'requests per address (ntpdate -p, ping -c)',
      },
      { long: 'timeout', short: 't', value: { name: 'S', kind: 'number', above: 0, max: 60 }, default: 1, help: 'seconds to wait for each reply' },
      { long: 'interval', value: { name: 'S', kind: 'number', min: 0, max: 1024 }, default: 2, help: 'seconds between requests' },
      {
        long: 'ntp-version',
        short: 'o',
        value: { name: 'V', kind: 'integer', min: 3, max: 4 },
        default: 4,
        help: 'NTP version to send (ntpdate -o)',
      },
      json,
      minSeverity,
      quietProbe,
      numeric,
      ipv4,
      ipv6,
    ],
    load: () => import('./commands/probe.js'),
    examples: ['ntpdoctor probe -c 8 ntp.example.org', 'ntpdoctor probe -6 [2001:db8::123]:1123'],
  },
  {
    name: 'trace',
    summary: 'follow the refid chain to the primary source; detect loops',
    description: [
      'Asks each server for its upstream (mode 6 read variables, else the refid of a time probe) and follows it. One deadline bounds the whole trace and a budget each hop; a cut trace reports the partial chain and exits 1.',
    ],
    args: [{ name: 'HOST[:PORT]', required: true, complete: 'host' }],
    options: [
      { long: 'max-hops', value: { name: 'N', kind: 'integer', min: 1, max: 32 }, default: 8, help: 'servers to ask at most' },
      { long: 'deadline', value: { name: 'S', kind: 'number', above: 0, max: 600 }, default: 20, help: 'seconds for the whole trace' },
      {
        long: 'hop-timeout',
        value: { name: 'S', kind: 'number', min: 0.2, max: 600 },
        defaultText: 'a quarter of the deadline, 2 to 10 s',
        help: 'seconds for one hop (its time probe and mode 6 reads)',
      },
      { long: 'no-mode6', help: 'do not send mode 6 (ntpq) queries: some networks log them as attacks' },
      json,
      minSeverity,
      quietTrace,
      numeric,
      ipv4,
      ipv6,
    ],
    load: () => import('./commands/trace.js'),
    examples: ['ntpdoctor trace ntp.example.org'],
  },
  {
    name: 'serve',
    summary: 'built-in NTP server: a known-good reference, a path test, fault injection',
    description: [
      'Safe by default: listens on 127.0.0.1:123 and [::1]:123 and answers loopback only, plus the --allow networks (as chrony allow). Announces leap 3 / stratum 16 while the kernel says the host clock is unsynchronised, unless --stratum forces a value.',
    ],
    args: [],
    options: [
      {
        long: 'listen',
        value: { name: 'ADDR[:PORT]' },
        repeat: true,
        defaultText: '127.0.0.1:123 and [::1]:123',
        help: 'address to listen on (an IP address; IPv6 as [ADDR]:PORT)',
      },
      { long: 'allow', value: { name: 'CIDR|all' }, repeat: true, defaultText: 'loopback only', help: 'clients to answer, as chrony allow' },
      {
        long: 'stratum',
        value: { name: 'N', kind: 'integer', min: 1, max: 16 },
        defaultText: '10, or 16 while the host clock is unsynchronised',
        help: 'stratum to announce',
      },
      { long: 'refid', value: { name: 'ID' }, defaultText: '127.127.1.1, or INIT while unsynchronised', help: 'refid: 1-4 ASCII characters, an IPv4 address or 0xHEX' },
      { long: 'fault', value: { name: 'KIND' }, repeat: true, help: `misbehave on purpose: ${FAULT_HELP}` },
      { long: 'root-dispersion', value: { name: 'S', kind: 'number', min: 0, max: 65535 }, help: 'root dispersion to announce, seconds' },
      {
        long: 'rate-limit',
        value: { name: 'B/I[/LEAK]|off' },
        defaultText: '16/1/2',
        help: 'BURST back to back, then one per INTERVAL s per client; 1 in 2^LEAK over the limit answered anyway (chrony ratelimit leak)',
      },
      { long: 'duration', value: { name: 'S', kind: 'number', above: 0 }, defaultText: 'until Ctrl-C', help: 'seconds to serve' },
      { long: 'json', help: 'at the end, the statistics as one JSON document' },
      { long: 'ipv4', short: '4', conflicts: ['ipv6'], help: 'IPv4 only: of the listen addresses, keep the IPv4 ones' },
      { long: 'ipv6', short: '6', conflicts: ['ipv4'], help: 'IPv6 only: of the listen addresses, keep the IPv6 ones' },
    ],
    load: () => import('./commands/serve.js'),
    examples: ['ntpdoctor serve --listen 127.0.0.1:1123 --fault kod-rate --duration 60'],
  },
  {
    name: 'lint',
    summary: 'ntp.conf / chrony.conf findings alone',
    description: [
      'Reads one config file (and what it includes) and reports the config rules only. Exit 2 when the file cannot be read.',
      'Silence a rule with a comment: # ntpdoctor: ignore RULE-ID -- reason (on the line above a directive, after it for ntpd, or at the top of the file followed by a blank line for the whole file). The reason is required; suppressed findings are listed, never dropped.',
    ],
    args: [{ name: 'FILE', required: true, complete: 'file' }],
    options: [
      { long: 'flavor', value: { name: 'F', choices: ['ntpd', 'chrony'] }, defaultText: 'guessed from the file', help: 'which daemon reads the file' },
      localIp,
      {
        long: 'format',
        short: 'f',
        value: { name: 'FMT', choices: ['text', 'gcc', 'json', 'sarif'] },
        defaultText: 'text',
        help: 'gcc: FILE:LINE:COL: SEVERITY: MESSAGE [RULE] as ShellCheck and hadolint print them; json: the report (= --json); sarif: SARIF 2.1.0',
      },
      json,
      minSeverity,
      quietLint,
    ],
    load: () => import('./commands/lint.js'),
    examples: ['ntpdoctor lint /etc/chrony/chrony.conf', 'ntpdoctor lint -f gcc /etc/ntp.conf'],
  },
  {
    name: 'explain',
    summary: "a rule's page: problem, evidence, fixes, when it does not apply",
    description: ['Prints docs/rules/RULE-ID.md as shipped with the package (a finding\'s help link names the same page). With no RULE-ID, lists the rules. A mistyped id gets suggestions and exit 2.'],
    args: [{ name: 'RULE-ID', required: false }],
    options: [],
    load: () => import('./commands/explain.js'),
    examples: ['ntpdoctor explain firewall-reject'],
  },
  {
    name: 'cluster',
    summary: "many nodes' diagnose --json reports to cluster findings and the sync graph",
    description: [
      'Reads reports (files, a directory of *.json, or - for NDJSON on stdin), or collects them by running ntpdoctor diagnose --json on each node through the system ssh (BatchMode, bounded parallelism, a per-node timeout; unreachable nodes are named).',
      'Builds who takes time from whom (configs, probes, refids) and joins the nodes\' findings into cluster findings (shared-upstream-down, sync-loop, server-unsynchronized-cascade, offset-outlier, mixed-smear), each with the nodes it explains. See docs/cluster.md.',
    ],
    args: [{ name: 'REPORT', required: false, variadic: true, complete: 'file' }],
    options: [
      { long: 'ssh', value: { name: 'DEST', complete: 'host' }, repeat: true, help: 'collect this node over ssh (user@host or host)' },
      { long: 'inventory', value: { name: 'FILE', complete: 'file' }, help: 'ssh destinations, one a line: DEST [DIAGNOSE-ARG]... (# comments)' },
      { long: 'ssh-config', value: { name: 'FILE', complete: 'file' }, help: 'ssh -F FILE' },
      { long: 'accept-new-host-keys', help: 'StrictHostKeyChecking=accept-new (default: yes, known hosts only)' },
      { long: 'remote', value: { name: 'CMD' }, default: 'ntpdoctor', help: 'the remote ntpdoctor, as words' },
      { long: 'remote-arg', value: { name: 'ARG' }, repeat: true, help: 'a diagnose argument for every node' },
      { long: 'parallel', value: { name: 'N', kind: 'integer', min: 1, max: 256 }, default: 8, help: 'ssh sessions at once' },
      { long: 'timeout', value: { name: 'S', kind: 'number', above: 0, max: 3600 }, default: 60, help: 'seconds each node may take over ssh' },
      { long: 'format', value: { name: 'FMT', choices: ['text', 'json', 'checklist', 'dot'] }, default: 'text', help: 'text, JSON (ntpdoctor.cluster/1), the checklist grouped by node, or the sync graph as Graphviz dot' },
      json,
    ],
    load: () => import('./commands/cluster.js'),
    examples: ['ntpdoctor cluster reports/', 'ntpdoctor cluster --ssh node1 --ssh node2 --ssh node3', 'ntpdoctor cluster reports/ --format dot | dot -Tsvg > graph.svg'],
  },
  {
    name: 'completion',
    summary: 'print the bash or zsh completion script',
    description: ['bash: source <(ntpdoctor completion bash) (or save it as /etc/bash_completion.d/ntpdoctor). zsh: ntpdoctor completion zsh > "${fpath[1]}/_ntpdoctor".'],
    args: [{ name: 'SHELL', required: true, choices: ['bash', 'zsh'] }],
    options: [],
    load: () => import('./commands/completion.js'),
    examples: ['source <(ntpdoctor completion bash)'],
  },
  {
    name: 'man',
    summary: 'print the man page (roff); npm run docs:man writes man/ntpdoctor.1',
    args: [],
    options: [],
    load: () => import('./commands/man.js'),
    hidden: true,
  },
];

/** The exit-status contract (README), said the same way in help and the man page. */
export const EXIT_STATUS: ReadonlyArray<readonly [number, string]> = [
  [0, 'nothing at warning or worse'],
  [1, 'findings at warning or worse (or a cut capture, a cut trace)'],
  [2, 'usage or input error: one line on stderr, never a stack trace'],
];

export const ENVIRONMENT: ReadonlyArray<readonly [string, string]> = [
  ['NO_COLOR', 'when set and not empty: no colour (no-color.org), unless --color=always'],
  ['FORCE_COLOR', 'colour even when stdout is not a terminal (0 or false: none), unless --color says otherwise'],
  ['TERM', 'dumb: no colour'],
  ['NTPDOCTOR_CAPTURE_BACKEND', 'the default of capture --backend'],
  ['NTPDOCTOR_DEBUG', 'show the stack of an internal error'],
];

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}
