/**
 * Fix building blocks shared by the rules: where each daemon keeps its configuration, how to restart it, and the
 * firewall openings for the NTP port. Every command is built from argv parts by src/shell/ (quoted once there);
 * a rule never pastes a value into command text. ntpdoctor prints the commands, never runs them.
 */
import type { Fix, Platform } from '../../src/diagnose/types.js';
import { type Command, appendLine, cmd, op, rendered, words, writeTo } from '../../src/shell/command.js';
import { NTP_PORT } from '../../src/ntp/constants.js';

export { appendLine, cmd, op, words };

/** A fix before ranking: rules list them in the order they recommend, `ranked` numbers them 1, 2, 3… */
export type Draft = Omit<Fix, 'rank'>;

export function ranked(drafts: readonly Draft[]): Fix[] {
  return drafts.map((d, i) => ({ rank: i + 1, ...d }));
}

/**
 * A fix from commands: each rendered as shell text, or — if any value cannot be pasted safely — the whole fix as
 * plain-language steps (a fix applied half by command and half by hand is easy to get wrong). `expect` says what
 * the verify command shows when the fix worked.
 */
export function draft(platform: Platform, title: string, commands: readonly Command[], verify: Command, expect?: string): Draft {
  const steps = commands.map(rendered);
  const check = rendered(verify);
  const d: Draft = { platform, title, commands: [], verify: check.ok ? check.text : '' };
  if (steps.every((s) => s.ok)) {
    d.commands = steps.map((s) => (s.ok ? s.text : ''));
    const edits = commands.flatMap((c, i) => (c.edit ? [{ command: i, ...c.edit }] : []));
    if (edits.length) d.edits = edits;
  }
  else d.manual = steps.map((s) => (s.ok ? `Run: ${s.text}` : s.step));
  if (!check.ok) d.manual = [...(d.manual ?? []), `Then check. ${check.step}`];
  if (expect !== undefined) d.expect = expect;
  return d;
}

/**
 * A fix only a person can complete (it needs something ntpdoctor cannot know, such as which other server in the
 * site is independent of the first): plain-language steps, then the commands that follow them (`Run: …`, quoted
 * as always), and a verify command. Nothing with a placeholder is ever printed as a command.
 */
export function byHand(platform: Platform, title: string, steps: readonly string[], then: readonly Command[], verify: Command, expect?: string): Draft {
  const d = draft(platform, title, then, verify, expect);
  const run = d.manual ?? d.commands.map((c) => `Run: ${c}`);
  const out: Draft = { ...d, commands: [], manual: [...steps, ...run] };
  delete out.edits;
  return out;
}

/**
 * A fix whose commands can be printed but whose last steps need a value ntpdoctor does not have (a rule's handle,
 * this node's address): the commands as they are, then those steps in words after them. `verifyStep`, when given,
 * replaces the verify command too (the check itself needs the value): `expect` then says what to look for.
 */
export function thenInWords(d: Draft, steps: readonly string[], verifyStep?: string): Draft {
  const out: Draft = { ...d, manual: [...(d.manual ?? []), ...steps] };
  if (verifyStep !== undefined) {
    out.verify = '';
    out.manual = [...(out.manual ?? []), verifyStep];
  }
  return out;
}

/**
 * The capture's one interface by name (pcapng interface blocks name it; `any` and unnamed ones do not count), for a
 * command that must name the interface (ethtool). Undefined: the fix says how to find it instead (interfaceSteps).
 */
export function captureInterface(names: readonly string[] | undefined): string | undefined {
  const named = [...new Set(names ?? [])].filter((n) => n !== '' && n !== 'any');
  return named.length === 1 ? named[0] : undefined;
}

/**
 * How to find an interface ntpdoctor cannot name, in words: the one the route to `peer` leaves by (`ip route get`
 * prints it after "dev"), or the one tcpdump was given. Its command, `ip route get PEER`, goes with it when there is a
 * peer: never a command with a placeholder in it.
 */
export function interfaceSteps(host: string, peer: string | undefined, then: string): { steps: string[]; then: Command[] } {
  const find = peer !== undefined
    ? `On ${host}, find the interface toward ${peer}: \`ip route get ${peer}\` names it after "dev" (or take the one tcpdump was given with -i)`
    : `On ${host}, find the capture interface: the one tcpdump was given with -i`;
  return { steps: [find, then], then: peer !== undefined ? [cmd('ip', 'route', 'get', op(peer))] : [] };
}

/** Classic ntpd as CentOS/RHEL ship it (the seed's platform); Debian's unit is `ntp`. */
export const NTPD = { conf: '/etc/ntp.conf', unit: 'ntpd', restart: words('systemctl restart ntpd') } as const;
/** NTPsec as Debian/Ubuntu ship it. */
export const NTPSEC = { conf: '/etc/ntpsec/ntp.conf', unit: 'ntpsec', restart: words('systemctl restart ntpsec') } as const;
/** chrony on RHEL/CentOS/Fedora; Debian/Ubuntu keep /etc/chrony/chrony.conf (their unit answers to chronyd too). */
export const CHRONY = { conf: '/etc/chrony.conf', unit: 'chronyd', restart: words('systemctl restart chronyd') } as const;
export const CHRONY_DEBIAN_CONF = '/etc/chrony/chrony.conf';

/** The NTP port (src/ntp/constants.ts), for rules that import their fix helpers from here. */
export { NTP_PORT };

/** `systemctl restart UNIT`. */
export function restart(unit: string): Command {
  return cmd('systemctl', 'restart', op(unit));
}

/** HOST or HOST:PORT as `ntpdoctor probe` takes it ([ADDR]:PORT for IPv6). */
export function target(host: string, port = NTP_PORT): string {
  if (port === NTP_PORT) return host;
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The usual verify step: ask the server again, the way the finding was made, on the port it listens on. */
export function probeVerify(server: string, port = NTP_PORT): Command {
  return cmd('ntpdoctor', 'probe', op(target(server, port)));
}

/** firewalld: the `ntp` service is UDP 123; another port is opened by number. */
function firewalldOpen(port: number, zone?: string): Command {
  const z = zone === undefined ? [] : [`--zone=${zone}`];
  return cmd('firewall-cmd', '--permanent', ...z, port === NTP_PORT ? '--add-service=ntp' : `--add-port=${port}/udp`);
}

export function firewalldOpenCommands(port: number, zone?: string): Command[] {
  return [firewalldOpen(port, zone), words('firewall-cmd --reload')];
}

export function firewalldQuery(port: number, zone?: string): Command {
  const z = zone === undefined ? [] : [`--zone=${zone}`];
  return cmd('firewall-cmd', ...z, port === NTP_PORT ? '--query-service=ntp' : `--query-port=${port}/udp`);
}

/**
 * Open UDP `port` inbound on `host` (the server, or a firewall in front of it): firewalld first (CentOS/RHEL 7+ run it
 * by default, and it keeps its rules when the iptables service is stopped — the seed's trap), then nftables, then
 * iptables with the persistence step of each distribution. `verifyServer` is what the user probes afterwards.
 */
export function openNtpInbound(host: string, verifyServer: string, ipv6: boolean, port = NTP_PORT): Draft[] {
  const ipt = ipv6 ? 'ip6tables' : 'iptables';
  const verify = probeVerify(verifyServer, port);
  const p = String(port);
  const accept = cmd(ipt, '-I', 'INPUT', '-p', 'udp', '--dport', p, '-j', 'ACCEPT');
  return [
    draft(
      'firewalld',
      `On ${host}: allow ${port === NTP_PORT ? 'the ntp service' : `UDP ${port}`} in firewalld (stopping the iptables service alone leaves firewalld's rules in place)`,
      firewalldOpenCommands(port),
      verify,
    ),
    draft(
      'nftables',
      `On ${host}: accept UDP ${port} in nftables (table inet filter, chain input are the common defaults: check with nft list ruleset; add the rule to /etc/nftables.conf to keep it)`,
      [cmd('nft', 'insert', 'rule', 'inet', 'filter', 'input', 'udp', 'dport', p, 'accept')],
      verify,
    ),
    draft('iptables', `On ${host} (CentOS/RHEL with iptables-services): accept UDP ${port} ahead of the REJECT/DROP rule and save`, [accept, cmd('service', ipt, 'save')], verify),
    draft('iptables', `On ${host} (Debian/Ubuntu with netfilter-persistent): accept UDP ${port} ahead of the REJECT/DROP rule and save`, [accept, words('netfilter-persistent save')], verify),
  ];
}

/** Open UDP `port` outbound on the client itself (its OUTPUT chain rejects the request before it leaves). */
export function openNtpOutbound(host: string, verifyServer: string, ipv6: boolean, port = NTP_PORT): Draft[] {
  const ipt = ipv6 ? 'ip6tables' : 'iptables';
  const verify = probeVerify(verifyServer, port);
  const p = String(port);
  return [
    draft(
      'nftables',
      `On ${host}: accept outgoing UDP ${port} in nftables (table inet filter, chain output are the common defaults: check with nft list ruleset)`,
      [cmd('nft', 'insert', 'rule', 'inet', 'filter', 'output', 'udp', 'dport', p, 'accept')],
      verify,
    ),
    draft('iptables', `On ${host}: accept outgoing UDP ${port} ahead of the REJECT rule in the OUTPUT chain`, [cmd(ipt, '-I', 'OUTPUT', '-p', 'udp', '--dport', p, '-j', 'ACCEPT')], verify),
    draft(
      'firewalld',
      `On ${host}: find the firewalld direct/policy rule that rejects outgoing traffic (firewalld allows outgoing by default)`,
      [words('firewall-cmd --direct --get-all-rules'), words('firewall-cmd --list-all-policies')],
      verify,
    ),
  ];
}

/** `nft list ruleset` saved so that loading the file replaces the ruleset: `flush ruleset` first. */
export function saveNftRuleset(path: string): Command[] {
  return [writeTo(cmd('echo', 'flush ruleset'), path), { ...cmd('nft', 'list', 'ruleset'), appendTo: path }];
}

/** `tcpdump -n -vv [-c N] -i IFACE udp port PORT and host HOST`, on every interface (`any`) unless one is named. */
export function tcpdumpNtp(host: string, port = NTP_PORT, iface = 'any', count?: number): Command {
  const c = count === undefined ? [] : ['-c', String(count)];
  return cmd('tcpdump', '-n', '-vv', ...c, '-i', op(iface), 'udp', 'port', String(port), 'and', 'host', op(host));
}
