/**
 * `trace HOST`: follow the refid chain upstream (RFC 5905 §7.3: at stratum 2–15 the refid is the upstream's
 * IPv4 address) to a primary source (stratum 1), a reference clock or the local clock, and detect loops:
 * A → A (the seed's server told `server <its own address>`) and A → B → A. When a hop answers mode 6, its
 * system peer's `srcadr` names the upstream exactly (also for IPv6, whose refid is only a hash).
 */
import type { Rule } from '../diagnose/types.js';
import { NTP_PORT } from '../ntp/constants.js';
import { describeRefid } from '../ntp/refid.js';
import { probeAddress, type AddressProbe } from './client.js';
import { sharedClock, type WallClock } from './clock.js';
import { readControlView, type ControlView } from './control.js';
import { judgeProbes, type ProbeRun } from './run.js';
import { parseTarget, resolveAll } from './target.js';
import { isIP } from 'node:net';

export type TraceEnd =
  | 'primary'
  | 'refclock'
  | 'local-clock'
  | 'orphan'
  | 'unsynchronized'
  | 'kiss-of-death'
  | 'no-answer'
  | 'loop'
  | 'unfollowable'
  | 'max-hops';

export interface TraceHop {
  address: string;
  port: number;
  stratum?: number;
  leap?: number;
  refidText?: string;
  refidKind?: string;
  /** How the upstream was learned. */
  via: 'mode6' | 'refid' | 'none';
  upstream?: string;
  /** Mode 6 answered: ntpq would work from here (and so would anyone: mode6-exposed). */
  mode6: boolean;
  /** Associations' srcadr from mode 6 (ntpq -p's remote column). */
  peers?: string[];
  probe: AddressProbe;
}

export interface TraceResult {
  host: string;
  hops: TraceHop[];
  end: TraceEnd;
  /** One sentence on how the chain ends. */
  summary: string;
  /** Addresses of the loop, in order, first repeated at the end (A → B → A). */
  loop?: string[];
  run: ProbeRun;
}

export interface TraceOptions {
  maxHops?: number;
  samples?: number;
  timeout?: number;
  interval?: number;
  /** Skip mode 6 queries (some networks log them as attacks). */
  noControl?: boolean;
  clock?: WallClock;
  rules?: readonly Rule[];
}

function familyOf(address: string): 4 | 6 {
  return isIP(address) === 6 ? 6 : 4;
}

/** The hop's best reply (lowest delay), or the last reply when none carried usable time (KoD, stratum 16). */
function shownReply(p: AddressProbe) {
  const best = p.samples.find((s) => s.index === p.best);
  return best ?? [...p.samples].reverse().find((s) => s.packet);
}

function decideNext(
  hop: TraceHop,
  view: ControlView | undefined,
): { next?: string; end?: TraceEnd; summary?: string } {
  const s = shownReply(hop.probe);
  const m = s?.packet;
  if (!m) return { end: 'no-answer', summary: `${hop.address} does not answer NTP` };
  const refid = describeRefid(m.stratum, m.refid, familyOf(hop.address));
  hop.stratum = m.stratum;
  hop.leap = m.leap;
  hop.refidText = refid.text;
  hop.refidKind = refid.kind;
  const selfNamed = view?.peers.some((p) => p.srcadr === hop.address) || (refid.kind === 'ipv4' && refid.text === hop.address);
  // Stratum 0 with leap 3 is how ntpsec says "not synchronized yet" (refid INIT), not a refusal.
  if (m.stratum === 0 && m.leap !== 3) return { end: 'kiss-of-death', summary: `${hop.address} answers with a kiss-o'-death ${refid.text}` };
  if (m.stratum === 0 || m.stratum >= 16 || m.leap === 3) {
    if (selfNamed) return { next: hop.address, summary: `${hop.address} is unsynchronized and its own upstream` };
    const peers = view?.peers.map((p) => p.srcadr).filter(Boolean) ?? [];
    // Unsynchronized but mode 6 names its sources: follow the first to see why (a loop A → B → A shows so).
    if (peers[0] !== undefined && isIP(peers[0])) {
      hop.via = 'mode6';
      return { next: peers[0], summary: `${hop.address} is unsynchronized; following its source ${peers[0]}` };
    }
    return {
      end: 'unsynchronized',
      summary:
        `${hop.address} is unsynchronized (stratum ${m.stratum}, leap ${m.leap})` +
        (peers.length ? `; its configured sources: ${peers.join(', ')}` : ''),
    };
  }
  if (m.stratum === 1) {
    if (refid.text === 'LOCL' || refid.text === 'LOCAL') return { end: 'local-clock', summary: `${hop.address} serves its local clock as stratum 1 (${refid.text})` };
    return { end: 'primary', summary: `${hop.address} is a primary server (stratum 1, reference ${refid.text || 'unnamed'})` };
  }
  if (refid.kind === 'ipv4') {
    // 127.127.t.u is ntpd's reference clock address: type 1 is the undisciplined local clock (ntp_clock(5)).
    const rc = /^127\.127\.(\d+)\.(\d+)$/.exec(refid.text);
    if (rc) {
      return rc[1] === '1'
        ? { end: 'local-clock', summary: `${hop.address} serves its local clock (refid ${refid.text}) at stratum ${m.stratum}` }
        : { end: 'refclock', summary: `${hop.address} follows reference clock ${refid.text} at stratum ${m.stratum}` };
    }
    // ntpsec/ntpd orphan mode and chrony's local reference put a loopback refid (127.0.0.1).
    if (refid.text.startsWith('127.')) return { end: 'orphan', summary: `${hop.address} serves its own clock in orphan/local mode (refid ${refid.text}) at stratum ${m.stratum}` };
  }
  if (view?.systemPeer) {
    hop.via = 'mode6';
    return { next: view.systemPeer };
  }
  if (refid.kind === 'ipv4') {
    hop.via = 'refid';
    return { next: refid.text };
  }
  return { end: 'unfollowable', summary: `${hop.address}'s refid is ${refid.text} (an IPv6 upstream's hash) and it does not answer mode 6` };
}

export async function collectTrace(targetText: string, options: TraceOptions = {}): Promise<TraceResult> {
  const clock = options.clock ?? sharedClock();
  const maxHops = options.maxHops ?? 8;
  const target = parseTarget(targetText);
  const [first] = await resolveAll(target.host);
  const hops: TraceHop[] = [];
  let current: string | undefined = first?.address;
  let port = target.port;
  let end: TraceEnd = 'max-hops';
  let summary = `stopped after ${maxHops} hops`;
  let loop: string[] | undefined;
  while (current !== undefined) {
    const seenAt = hops.findIndex((h) => h.address === current);
    if (seenAt >= 0) {
      loop = [...hops.slice(seenAt).map((h) => h.address), current];
      end = 'loop';
      summary =
        loop.length === 2
          ? `loop: ${current} synchronizes to itself (${loop.join(' → ')}): it can never synchronize`
          : `loop: ${loop.join(' → ')}: these servers synchronize to each other and none to a real source`;
      break;
    }
    if (hops.length >= maxHops) break;
    const family = familyOf(current);
    const view = options.noControl ? undefined : await readControlView(current, family, port, clock);
    const probe = await probeAddress(current, family, port, {
      samples: options.samples ?? 2,
      timeout: options.timeout ?? 1,
      interval: options.interval ?? 1,
      clock,
    });
    const hop: TraceHop = { address: current, port, via: 'none', mode6: view !== undefined, probe };
    if (view) hop.peers = view.peers.map((p) => p.srcadr).filter(Boolean);
    hops.push(hop);
    const d = decideNext(hop, view);
    if (d.end) {
      end = d.end;
      summary = d.summary ?? d.end;
      break;
    }
    if (d.next !== undefined) hop.upstream = d.next;
    if (d.summary) summary = d.summary;
    current = d.next;
    port = NTP_PORT;
  }
  const run = judgeProbes(target.host, target.port, hops.map((h) => h.probe), options.rules);
  run.report.inputs.push({
    kind: 'probe',
    name: `trace ${targetText}`,
    end,
    summary,
    chain: hops.map((h) => ({
      address: h.address,
      port: h.port,
      stratum: h.stratum,
      refid: h.refidText,
      via: h.via,
      upstream: h.upstream,
      mode6: h.mode6,
      peers: h.peers,
    })),
    ...(loop ? { loop } : {}),
  });
  const result: TraceResult = { host: target.host, hops, end, summary, run };
  if (loop) result.loop = loop;
  return result;
}

/** Chain ends that mean "clients downstream cannot synchronize". */
export function traceFailed(end: TraceEnd): boolean {
  return end === 'loop' || end === 'unsynchronized' || end === 'kiss-of-death' || end === 'no-answer';
}

export function renderTrace(t: TraceResult): string {
  const lines = [`trace ${t.host}: ${t.hops.length} hop${t.hops.length === 1 ? '' : 's'}`];
  t.hops.forEach((h, i) => {
    const st = h.stratum !== undefined ? `stratum ${h.stratum}` : 'no answer';
    const leap = h.leap !== undefined ? `, leap ${h.leap.toString(2).padStart(2, '0')}` : '';
    const ref = h.refidText !== undefined ? `, refid ${h.refidText || '-'}` : '';
    const up = h.upstream ? ` → ${h.upstream} (${h.via === 'mode6' ? 'mode 6 system peer' : 'from refid'})` : '';
    const m6 = h.mode6 ? `; answers mode 6${h.peers?.length ? `, sources ${h.peers.join(', ')}` : ''}` : '';
    lines.push(`  ${i + 1}. ${h.address}:${h.port}  ${st}${leap}${ref}${up}${m6}`);
  });
  lines.push(`${traceFailed(t.end) ? 'FAIL' : 'ok'}: ${t.summary}`);
  return `${lines.join('\n')}\n`;
}
