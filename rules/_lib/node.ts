/**
 * Shared by the node rules (configs, firewall, daemons): evidence that points at a config line, exact
 * line-addressed edits, the daemon's service name, and the questions several rules ask — which addresses are
 * this host's own, does this node mean to serve time, which upstreams are of any use.
 */
import type { Evidence, Platform, RuleContext } from '../../src/diagnose/types.js';
import type { Located } from '../../src/model/config.js';
import type { ChronyConfigObservation, NtpdConfigObservation } from '../../src/model/node.js';
import type { DaemonSource } from '../../src/model/daemon.js';
import type { NtpPathObservation } from '../../src/model/observation.js';
import { type Command, words } from '../../src/shell/command.js';
import { NTP_PORT } from '../../src/ntp/constants.js';
import { commentOutLine, replaceLine as replaceLineText } from '../../src/shell/sed.js';
import { NTPD, NTPSEC, restart } from './fixes.js';
import { byServer } from './paths.js';
import { parseAddress, parsePrefix, prefixContains } from '../../src/net/ip.js';

export type ConfigObservation = NtpdConfigObservation | ChronyConfigObservation;

/** Evidence pointing at a directive: "file:line: text" renders from the fields. */
export function lineEvidence(at: Located, text = `\`${at.text}\``): Evidence {
  return { text, file: at.file, line: at.line };
}

/** `sed -i 'Ns/^/# /' FILE`: comment out line N (line numbers of the other lines do not move). */
export function commentOut(at: Located): Command {
  return commentOutLine(at.file, at.line);
}

/** `sed -i 'Nc\TEXT' FILE`: replace line N with TEXT (GNU sed). */
export function replaceDirective(at: Located, text: string): Command {
  return replaceLineText(at.file, at.line, text);
}


export function configs(ctx: RuleContext): ConfigObservation[] {
  return [...ctx.of('ntpd-config'), ...ctx.of('chrony-config')];
}

/** The platform a fix for this config is written for. */
export function platformOf(o: ConfigObservation): Platform {
  if (o.kind === 'chrony-config') return 'chrony';
  return o.variant === 'ntpsec' ? 'ntpsec' : 'ntpd';
}

/** `systemctl restart UNIT` for the daemon reading this config. */
export function restartOf(o: ConfigObservation): Command {
  if (o.kind === 'chrony-config') return restart(o.service ?? 'chronyd');
  if (o.service) return restart(o.service);
  return restart(o.variant === 'ntpsec' || o.config.file === NTPSEC.conf ? NTPSEC.unit : NTPD.unit);
}

/** How to see the daemon's sources after a change. */
export function sourcesCommand(o: ConfigObservation): Command {
  return o.kind === 'chrony-config' ? words('chronyc sources -v') : words('ntpq -pn');
}

export function daemonName(o: ConfigObservation): string {
  return o.kind === 'chrony-config' ? 'chronyd' : o.variant === 'ntpsec' ? 'NTPsec ntpd' : 'ntpd';
}

/** This host's addresses (interfaces, --local-ip). */
export function ownAddressSet(ctx: RuleContext): Set<string> {
  return new Set(ctx.of('local-addresses').flatMap((o) => o.addresses));
}

/** This node's address inside `network` (what its clients there ask), if one is known. */
export function ownAddressIn(addresses: readonly string[], network: string): string | undefined {
  const p = parsePrefix(network);
  if (!p) return undefined;
  return addresses.find((x) => {
    const a = parseAddress(x);
    return a !== undefined && prefixContains(p, a.family, a.value);
  });
}

/**
 * The client-side check after a fix that lets clients in, for a fix's `expect`: a probe of this node's address (on
 * `network`, when given; else its one address that is not loopback or link-local), or the same in words when no
 * single address is known (lint of a file alone). Never a placeholder such as THIS-HOST.
 */
export function clientProbe(ctx: RuleContext, network?: string): string {
  const all = ctx.of('local-addresses').flatMap((l) => l.addresses);
  let address = network !== undefined ? ownAddressIn(all, network) : undefined;
  if (address === undefined && network === undefined) {
    const routable = [...new Set(all)].filter((a) => a !== '::1' && !/^127\./.test(a) && !/^fe80:/i.test(a) && !/^169\.254\./.test(a));
    if (routable.length === 1) address = routable[0];
  }
  return address !== undefined
    ? `then from a client: ntpdoctor probe ${address} gets replies`
    : `then a probe of this node from a client (ntpdoctor probe, with this node's address${network !== undefined ? ` on ${network}` : ''}) gets replies`;
}

/** Loopback (127.0.0.0/8, ::1) is always this host; 127.127.t.u is a refclock, not an address. */
export function isOwnAddress(address: string, own: ReadonlySet<string>): boolean {
  if (own.has(address)) return true;
  if (address === '::1') return true;
  return /^127\./.test(address) && !/^127\.127\./.test(address);
}

/** A network source (not a refclock) whose every address is this host. */
export function isSelfSource(s: { refclock?: unknown; resolved?: string[]; address: string }, own: ReadonlySet<string>): boolean {
  if (s.refclock) return false;
  const addrs = s.resolved?.length ? s.resolved : [s.address];
  return addrs.every((a) => isOwnAddress(a, own));
}

/** The local clock (ntpd 127.127.1.u / NTPsec `refclock local`, chrony `local`) or orphan mode: served when upstreams fail. */
export function hasLocalFallback(o: ConfigObservation): Located | undefined {
  if (o.kind === 'chrony-config') return o.config.local;
  return o.config.sources.find((s) => s.refclock?.type === 1) ?? o.config.orphan;
}

/**
 * Does this node mean to serve time to others? Strong signs: a client network the access list serves by name
 * (ntpd `restrict NET mask M` without ignore/noserve; chrony `allow NET`), a local clock or orphan mode, a
 * firewall rule that opens UDP 123. Returns the signs found, as evidence.
 */
export function serverIntent(ctx: RuleContext, o: ConfigObservation): Evidence[] {
  const signs: Evidence[] = [];
  for (const a of o.clientAccess) {
    if (a.why === 'configured' && a.served && a.by) signs.push(lineEvidence(a.by, `\`${a.by.text}\`: clients on ${a.network} are meant to be served`));
  }
  if (o.kind === 'chrony-config') {
    const allow = o.config.access.find((a) => a.verb === 'allow');
    if (allow && !signs.some((s) => s.line === allow.line && s.file === allow.file)) signs.push(lineEvidence(allow, `\`${allow.text}\`: chronyd is meant to serve clients`));
  }
  const local = hasLocalFallback(o);
  if (local) signs.push(lineEvidence(local, `\`${local.text}\`: a local clock / orphan fallback only matters to a server`));
  for (const f of ctx.of('firewall')) {
    if (f.direction !== 'out' && f.verdict === 'accept' && f.decidedBy && !f.decidedBy.policy && /123|ntp/.test(f.decidedBy.text)) {
      signs.push({ text: `the ${f.backend} firewall opens NTP deliberately: ${f.decidedBy.text}` });
      break;
    }
  }
  return signs;
}

/** Probe / capture paths to `address` from this node. */
function pathsTo(ctx: RuleContext, address: string): readonly NtpPathObservation[] {
  return byServer(ctx.of('ntp-path')).get(address) ?? [];
}

/**
 * The UDP port the daemon asks `address` on: chrony's `server X port N` for the config line naming it (by text or
 * by a resolved address); 123 (NTP_PORT) otherwise. Fixes and probes then use the port the server listens on.
 */
export function configuredPort(ctx: RuleContext, address: string): number {
  for (const o of configs(ctx)) {
    for (const s of o.config.sources) {
      if (s.port !== undefined && (s.address === address || s.resolved?.includes(address))) return s.port;
    }
  }
  return NTP_PORT;
}

/** Daemon state for `address` (chronyc / ntpq). */
export function daemonSourceFor(ctx: RuleContext, address: string): { source: DaemonSource; uptime?: number } | undefined {
  for (const st of ctx.of('daemon-state')) {
    const source = st.sources.find((s) => s.address === address);
    if (source) return st.uptime !== undefined ? { source, uptime: st.uptime } : { source };
  }
  return undefined;
}

/** Why an upstream address is of no use, from probes and daemon state; undefined when nothing says so. */
export function upstreamProblem(ctx: RuleContext, address: string, own: ReadonlySet<string>): string | undefined {
  if (isOwnAddress(address, own)) return `${address} is this host itself`;
  const paths = pathsTo(ctx, address);
  if (paths.length) {
    const replies = paths.reduce((n, p) => n + p.replies.count, 0);
    if (replies === 0) return `${address} did not answer ntpdoctor's requests`;
    const synced = paths.some((p) => p.strata.some((s) => s.value >= 1 && s.value < 16) && p.leaps.some((l) => l.value !== 3));
    if (!synced) return `${address} answers, but unsynchronized (stratum 16 / leap 3)`;
    return undefined;
  }
  const d = daemonSourceFor(ctx, address);
  if (d && d.source.reach === 0 && d.source.poll !== undefined && (d.uptime ?? Infinity) > 2 * 2 ** d.source.poll) {
    return `the daemon has had no valid reply from ${address} (reach 0)`;
  }
  return undefined;
}
