/**
 * `trace HOST`: follow the refid chain upstream (RFC 5905 §7.3: at stratum 2–15 the refid is the upstream's
 * IPv4 address) to a primary source (stratum 1), a reference clock or the local clock, and detect loops:
 * A → A (the seed's server told `server <its own address>`) and A → B → A. When a hop answers mode 6, its
 * system peer's `srcadr` names the upstream exactly (also for IPv6, whose refid is only a hash), and an
 * association whose srcadr is the server itself (srcadr = dstadr, or the address we asked) names the seed's
 * self-sync even while the server is unsynchronized and its refid says only INIT.
 * Measured (ntpsec 1.2.2): ntpd answers READVAR from the network only through an explicit restrict entry that
 * covers the asker without `noquery` (`restrict 198.51.100.0 mask 255.255.255.0 nomodify notrap`, the seed's
 * LAN line); through `restrict default` alone it stays silent. chronyd never answers mode 6.
 *
 * Addresses are compared as hosts, not text (./trace-address.ts): `::1`, `0::1` and `::0:1` are one hop, and so
 * are a.b.c.d and ::ffff:a.b.c.d. Time is bounded (./trace-budget.ts): one deadline for the trace (20 s by
 * default) and a budget per hop; a hop that never finishes its mode 6 answers costs its budget, no more, and a
 * trace cut by the deadline is reported as it stands, `complete: false`, with the reason.
 */
import type { ControlObservation } from '../model/observation.js';
import type { TraceControl, TraceEnd } from '../model/report-input.js';
import { NTP_PORT } from '../ntp/constants.js';
import { describeRefid } from '../ntp/refid.js';
import { probeAddress, type AddressProbe } from './client.js';
import { sharedClock, type WallClock } from '../net/clock.js';
import { CTL_OP_READVAR, readControlViewBounded, type ControlView } from './control.js';
import { parseTarget, resolveAll, type ResolvedAddress } from '../net/target.js';
import { addressKey, addressOctets, sameHost } from './trace-address.js';
import { Deadline, DEFAULT_TRACE_DEADLINE, defaultHopBudget, fitProbe, monotonicMs, type Now } from './trace-budget.js';
import { isIP } from 'node:net';

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
  control?: TraceControl;
  probe: AddressProbe;
  /** Why this hop's reading stopped short (its budget or the deadline spent, a mode 6 answer never finished). */
  partial?: string;
}

/** A followed refid chain: the hops, how it ends, and the bounds it ran under (src/run/trace.ts judges it). */
export interface TraceChain {
  host: string;
  port: number;
  hops: TraceHop[];
  end: TraceEnd;
  /** One sentence on how the chain ends. */
  summary: string;
  /** Addresses of the loop, in order, first repeated at the end (A → B → A). */
  loop?: string[];
  /** False when the chain was not followed to its end (deadline, max hops): nothing is known beyond the last hop. */
  complete: boolean;
  /** Why it is incomplete, in words. */
  reason?: string;
  /** The bounds it ran under, in seconds. */
  deadline: number;
  hopBudget: number;
  /** Every hop's mode 6 answers, for the ntp-control observations. */
  views: Array<{ server: string; view: ControlView }>;
  /** When it started, on `now`'s clock (ms). */
  started: number;
  now: Now;
}

export interface TraceOptions {
  maxHops?: number;
  samples?: number;
  timeout?: number;
  interval?: number;
  /** Skip mode 6 queries (some networks log them as attacks). */
  noControl?: boolean;
  /** Seconds for the whole trace (default 20). */
  deadline?: number;
  /** Seconds for one hop: its time probe and mode 6 reads (default: defaultHopBudget(deadline)). */
  hopBudget?: number;
  /** Resolve the starting name to this family only (-4 / -6); later hops are addresses already. */
  family?: 4 | 6;
  clock?: WallClock;
  /** Monotonic milliseconds (tests). */
  now?: Now;
}

function familyOf(address: string): 4 | 6 {
  return isIP(address) === 6 ? 6 : 4;
}

/** The hop's best reply (lowest delay), or the last reply when none carried usable time (KoD, stratum 16). */
function shownReply(p: AddressProbe) {
  const best = p.samples.find((s) => s.index === p.best);
  return best ?? [...p.samples].reverse().find((s) => s.packet);
}

function numberOr(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * An association's srcadr that names another server: not a reference clock (127.127.t.u, ntp_clock(5)) and not
 * the unspecified address of a `pool` prototype association (srcadr=0.0.0.0 until it spawns real ones).
 */
export function isServerAddress(srcadr: string | undefined): srcadr is string {
  if (!srcadr || !isIP(srcadr)) return false;
  const o = addressOctets(srcadr);
  if (!o) return false;
  // In any spelling: `::`, `0.0.0.0` (::ffff:0.0.0.0), and 127.127.t.u (also as ::ffff:127.127.t.u).
  const mapped = o.slice(0, 10).every((b) => b === 0) && o[10] === 0xff && o[11] === 0xff;
  if (o.every((b) => b === 0)) return false;
  if (mapped && o[12] === 0 && o[13] === 0 && o[14] === 0 && o[15] === 0) return false;
  if (mapped && o[12] === 127 && o[13] === 127) return false;
  return true;
}

/** The mode 6 facts a hop shows: system variables, system peer, and an association that is the server itself. */
export function controlFacts(address: string, view: ControlView): TraceControl {
  const sys = view.system;
  const c: TraceControl = {};
  const stratum = numberOr(sys.stratum);
  if (stratum !== undefined) c.stratum = stratum;
  // ntpsec writes leap as 0..3, classic ntpd as two bits "00".."11".
  const leap = sys.leap !== undefined ? (/^[01]{2}$/.test(sys.leap) ? parseInt(sys.leap, 2) : numberOr(sys.leap)) : undefined;
  if (leap !== undefined) c.leap = leap;
  if (sys.refid !== undefined) c.refid = sys.refid;
  const peerId = numberOr(sys.peer);
  if (peerId) c.systemPeerId = peerId;
  if (view.systemPeer) c.systemPeer = view.systemPeer;
  if (sys.version) c.version = sys.version;
  const self = view.peers.find((p) => isServerAddress(p.srcadr) && (sameHost(p.srcadr, address) || sameHost(p.srcadr, p.dstadr)));
  if (self) c.selfSource = self.srcadr;
  return c;
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
  const selfByControl = hop.control?.selfSource;
  const selfNamed = selfByControl !== undefined || (refid.kind === 'ipv4' && sameHost(refid.text, hop.address));
  // Stratum 0 with leap 3 is how ntpsec says "not synchronized yet" (refid INIT), not a refusal.
  if (m.stratum === 0 && m.leap !== 3) return { end: 'kiss-of-death', summary: `${hop.address} answers with a kiss-o'-death ${refid.text}` };
  if (m.stratum === 0 || m.stratum >= 16 || m.leap === 3) {
    if (selfNamed) {
      if (selfByControl !== undefined) {
        hop.via = 'mode6';
        return { next: hop.address, summary: `self-sync: ${hop.address} is unsynchronized and its source is its own address (mode 6: srcadr=${selfByControl})` };
      }
      hop.via = 'refid';
      return { next: hop.address, summary: `self-sync: ${hop.address} is unsynchronized and its refid is its own address` };
    }
    const peers = view?.peers.map((p) => p.srcadr).filter(isServerAddress) ?? [];
    // Unsynchronized but mode 6 names its sources: follow the first to see why (a loop A → B → A shows so).
    if (peers[0] !== undefined) {
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
  if (isServerAddress(view?.systemPeer)) {
    hop.via = 'mode6';
    if (sameHost(view.systemPeer, hop.address) || sameHost(view.systemPeer, selfByControl)) {
      return { next: hop.address, summary: `self-sync: ${hop.address}'s system peer is its own address (mode 6: srcadr=${view.systemPeer})` };
    }
    return { next: view.systemPeer };
  }
  if (refid.kind === 'ipv4') {
    hop.via = 'refid';
    return { next: refid.text };
  }
  return { end: 'unfollowable', summary: `${hop.address}'s refid is ${refid.text} (an IPv6 upstream's hash) and it does not answer mode 6` };
}

/** The first address of the target, within the deadline (a resolver that hangs must not hold the trace). */
async function resolveFirst(host: string, deadline: Deadline, family?: 4 | 6): Promise<ResolvedAddress | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), deadline.leftMs())));
  try {
    const all = await Promise.race([resolveAll(host, family), late]);
    return all?.[0];
  } finally {
    clearTimeout(timer);
  }
}

/** Follows the chain from `targetText`, hop by hop, within the deadline. */
export async function followChain(targetText: string, options: TraceOptions = {}): Promise<TraceChain> {
  const clock = options.clock ?? sharedClock();
  const now = options.now ?? monotonicMs;
  const started = now();
  const maxHops = options.maxHops ?? 8;
  const deadlineSeconds = options.deadline ?? DEFAULT_TRACE_DEADLINE;
  // At least 0.2 s: below that not even one short time sample fits, and every hop would look cut by the deadline.
  const hopBudget = Math.min(deadlineSeconds, Math.max(0.2, options.hopBudget ?? defaultHopBudget(deadlineSeconds)));
  const deadline = Deadline.after(deadlineSeconds, now);
  const wanted = { samples: options.samples ?? 2, timeout: options.timeout ?? 1, interval: options.interval ?? 1 };
  const target = parseTarget(targetText);
  const first = await resolveFirst(target.host, deadline, options.family);
  const hops: TraceHop[] = [];
  let current: string | undefined = first?.address;
  let port = target.port;
  let end: TraceEnd = 'max-hops';
  let summary = `stopped after ${maxHops} hops`;
  let reason: string | undefined;
  let loop: string[] | undefined;
  const views: Array<{ server: string; view: ControlView }> = [];
  const cutByDeadline = (what: string): void => {
    end = 'deadline';
    reason = `the ${deadlineSeconds} s deadline passed ${what}`;
    summary = `${reason}; nothing is known beyond ${hops.length ? `hop ${hops.length}` : 'the start'}`;
  };
  if (current === undefined) cutByDeadline(`while resolving ${target.host}`);
  while (current !== undefined) {
    const key = addressKey(current);
    const seenAt = hops.findIndex((h) => addressKey(h.address) === key);
    if (seenAt >= 0) {
      loop = [...hops.slice(seenAt).map((h) => h.address), current];
      end = 'loop';
      // The seed's mistake (a server told `server <its own address>`) is a loop of one: say it in its name.
      summary =
        loop.length === 2
          ? `loop: ${current} synchronizes to itself (${loop.join(' → ')}): it can never synchronize` +
            (summary.startsWith('self-sync') ? `; ${summary}` : '')
          : `loop: ${loop.join(' → ')}: these servers synchronize to each other and none to a real source`;
      break;
    }
    if (hops.length >= maxHops) {
      reason = `stopped after ${maxHops} hops (--max-hops); ${current} was not asked`;
      summary = reason;
      break;
    }
    const hopDeadline = deadline.within(hopBudget);
    const fit = fitProbe(hopDeadline.leftMs(), wanted);
    if (!fit) {
      // hopBudget ≥ 0.2 s always fits one sample: only the trace's deadline can leave too little.
      cutByDeadline(`before ${current} (hop ${hops.length + 1}) could be asked`);
      break;
    }
    const family = familyOf(current);
    // The time probe first: it decides the hop (stratum, leap, refid); mode 6 gets what is left of the budget.
    const probe = await probeAddress(current, family, port, { ...fit, clock });
    const read = options.noControl ? {} : await readControlViewBounded(current, family, port, clock, hopDeadline);
    const view = read.view;
    const hop: TraceHop = { address: current, port, via: 'none', mode6: view !== undefined, probe };
    const partial = [
      ...(fit !== wanted ? [`probed with ${fit.samples} sample${fit.samples === 1 ? '' : 's'} of ${fit.timeout.toFixed(1)} s to fit the time left`] : []),
      ...(read.cut ? [`mode 6: ${read.cut}`] : []),
    ];
    if (partial.length) hop.partial = partial.join('; ');
    if (view) {
      hop.peers = view.peers.map((p) => p.srcadr).filter(Boolean);
      hop.control = controlFacts(current, view);
      views.push({ server: current, view });
    }
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
    if (current !== undefined && deadline.spent && !hops.some((h) => sameHost(h.address, current))) {
      cutByDeadline(`after ${hops.length} hop${hops.length === 1 ? '' : 's'}; the next, ${current}, was not asked`);
      break;
    }
  }
  const complete = end !== 'deadline' && end !== 'max-hops';
  if (!complete && reason === undefined) reason = summary;
  const chain: TraceChain = { host: target.host, port: target.port, hops, end, summary, complete, deadline: deadlineSeconds, hopBudget, views, started, now };
  if (reason !== undefined) chain.reason = reason;
  if (loop) chain.loop = loop;
  return chain;
}

/** One hop's mode 6 conversation as the observation a capture of it would give (src/model/observation.ts). */
export function controlObservation(server: string, view: ControlView): ControlObservation {
  const t = view.traffic;
  const seq = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);
  const facts = controlFacts(server, view);
  const obs: ControlObservation = {
    kind: 'ntp-control',
    source: 'probe',
    server,
    client: t.localAddress,
    mode: 6,
    requests: { count: t.requests, frames: seq(t.requests) },
    responses: { count: t.responses, frames: seq(t.responses) },
    requestBytes: t.requestBytes,
    responseBytes: t.responseBytes,
    codes: t.opcodes.length ? t.opcodes : [CTL_OP_READVAR],
  };
  if (facts.selfSource !== undefined) obs.selfSource = facts.selfSource;
  if (facts.stratum !== undefined) obs.systemStratum = facts.stratum;
  if (facts.leap !== undefined) obs.systemLeap = facts.leap;
  return obs;
}

/** Chain ends that mean "clients downstream cannot synchronize". */
export function traceFailed(end: TraceEnd): boolean {
  return end === 'loop' || end === 'unsynchronized' || end === 'kiss-of-death' || end === 'no-answer';
}

/**
 * Exit status 1 also for a trace that did not reach the end of the chain (deadline, max hops): it verified
 * nothing beyond its last hop, and a script reading 0 would take the chain for healthy. Not 2: that is for a
 * usage or input error, and this is a valid, partial report.
 */
export function traceExitsNonZero(t: Pick<TraceChain, 'end' | 'complete'>): boolean {
  return traceFailed(t.end) || !t.complete;
}
