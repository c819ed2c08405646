/**
 * A minimal ntpq: mode 6 control queries (RFC 9327 §2; ntpq.c). READSTAT (opcode 1) lists associations,
 * READVAR (opcode 2) reads variables of the system (association 0) or of one peer. Used by `trace` to learn a
 * server's upstream (`srcadr` of its system peer) when it answers control queries (chronyd never does), and by
 * src/inspect/daemon/mode6.ts to read the local ntpd: both through the one capped reader, controlQuery.
 */
import { randomInt } from 'node:crypto';
import { decodeNtp, encodeNtp } from '../ntp/codec.js';
import type { NtpControlMessage } from '../ntp/types.js';
import type { WallClock } from '../net/clock.js';
import { udpExchange } from './socket.js';

export const CTL_OP_READSTAT = 1;
export const CTL_OP_READVAR = 2;

/** What went over the wire for one query: for the `ntp-control` observation (amplification, mode6-exposed). */
export interface ControlTraffic {
  localAddress: string;
  requestBytes: number;
  /** Datagrams of our sequence that came back, and their NTP payload octets. */
  responses: number;
  responseBytes: number;
}

export type ControlAnswer = ControlTraffic &
  (
    | { kind: 'data'; data: Uint8Array; status: number; fragments: number }
    | { kind: 'error'; status: number }
    | { kind: 'none'; why: string }
  );

/**
 * Reassembles the fragments of one response into the whole data (RFC 9327 §2.1: each fragment says where its
 * data goes, `offset`, and how much, `count`; the last one has the More bit clear). Fragments may come in any
 * order and twice (UDP); the answer is complete when the last fragment is here and every octet before its end
 * is covered. Undefined while it is not (ntpq.c getresponse: the same rules, "offset/count" bookkeeping).
 * Real example: ntpsec 1.2.2 splits a peer READVAR at 468 octets (fixtures/probe/ntpsec-mode6-trace.pcap).
 */
export function assembleFragments(fragments: readonly NtpControlMessage[]): Uint8Array | undefined {
  const last = fragments.find((f) => !f.more);
  if (!last) return undefined;
  const total = last.offset + last.data.length;
  const out = new Uint8Array(total);
  let covered = 0;
  for (const f of [...fragments].sort((a, b) => a.offset - b.offset)) {
    if (f.offset > covered) return undefined;
    if (f.offset + f.data.length > total) return undefined;
    out.set(f.data, f.offset);
    covered = Math.max(covered, f.offset + f.data.length);
  }
  return covered === total ? out : undefined;
}

/** A mode 6 request: no data, version 2 as ntpq sends (ntpq.c: NTP_OLDVERSION + 1), not authenticated. */
export function buildControlRequest(opcode: number, sequence: number, associationId: number): Uint8Array {
  return encodeNtp({
    kind: 'control',
    leap: 0,
    version: 2,
    mode: 6,
    response: false,
    error: false,
    more: false,
    opcode,
    sequence,
    status: 0,
    associationId,
    offset: 0,
    count: 0,
    data: new Uint8Array(0),
  });
}

/** ntpq.c MAXFRAGS: "Number of fragments exceeds maximum" → ERR_TOOMUCH. */
export const MAX_FRAGMENTS = 32;
/** Datagrams read for one query, whatever they are (strays, duplicates: a flood), before it is given up. */
export const MAX_DATAGRAMS = 4 * MAX_FRAGMENTS;
/** ntpd's CTL_MAX_DATA_LEN, the most data one fragment carries (RFC 9327 §2.1: 468 octets). */
export const CTL_MAX_DATA_LEN = 468;
/** ntpq.c's pktdata buffer (DATASIZE × MAXFRAGS): a fragment whose offset+count passes it is ERR_TOOMUCH. */
export const MAX_DATA_BYTES = CTL_MAX_DATA_LEN * MAX_FRAGMENTS;
/** ntpq's own wait for an answer is 5 s; a trace hop cannot afford it: 0.7 s by default. */
export const QUERY_TIMEOUT_MS = 700;

/** What is left of a time budget (trace-budget.ts Deadline fits): queries stop when it is spent. */
export interface ControlBudget {
  leftMs(): number;
  readonly spent: boolean;
}

/**
 * One mode 6 query, answered by one or more fragments, an error response, or nothing. Bounded against a
 * responder that never finishes answering (RFC 9327 §2.1): it ends at the first of the whole answer assembled,
 * an error response, `timeoutMs` (cut to what `budget` has left), more than MAX_FRAGMENTS distinct fragments,
 * a fragment reaching past MAX_DATA_BYTES, or MAX_DATAGRAMS datagrams of any kind. A cut answer is `none`
 * with the reason in words, so a READVAR whose More bit is never cleared costs one query timeout at most.
 */
export async function controlQuery(
  address: string,
  family: 4 | 6,
  port: number,
  opcode: number,
  associationId: number,
  clock: WallClock,
  timeoutMs = QUERY_TIMEOUT_MS,
  budget?: ControlBudget,
): Promise<ControlAnswer> {
  const sequence = randomInt(1, 0xffff);
  const fragments: NtpControlMessage[] = [];
  const offsets = new Set<number>();
  let error: number | undefined;
  let datagrams = 0;
  let responses = 0;
  let responseBytes = 0;
  let tooMuch: string | undefined;
  const r = await udpExchange({
    address,
    port,
    family,
    clock,
    timeoutMs: budget ? Math.min(timeoutMs, budget.leftMs()) : timeoutMs,
    build: () => buildControlRequest(opcode, sequence, associationId),
    collect: (datagram) => {
      if (++datagrams > MAX_DATAGRAMS) {
        tooMuch = `more than ${MAX_DATAGRAMS} datagrams`;
        return 'done';
      }
      const m = decodeNtp(datagram).message;
      // Only answers to this very request (sequence and opcode echoed, RFC 9327 §2.1) count.
      if (!m || m.kind !== 'control' || !m.response || m.sequence !== sequence || m.opcode !== opcode) return 'more';
      responses++;
      responseBytes += datagram.length;
      if (m.error) {
        error = m.status;
        return 'done';
      }
      // A duplicate fragment (same offset) is dropped, as ntpq does; new ones count towards MAXFRAGS.
      if (offsets.has(m.offset)) return 'more';
      offsets.add(m.offset);
      if (offsets.size > MAX_FRAGMENTS) {
        tooMuch = `more than ${MAX_FRAGMENTS} fragments`;
        return 'done';
      }
      if (m.offset + m.data.length > MAX_DATA_BYTES) {
        tooMuch = `data past ${MAX_DATA_BYTES} octets`;
        return 'done';
      }
      fragments.push(m);
      return assembleFragments(fragments) ? 'done' : 'more';
    },
  });
  const traffic: ControlTraffic = { localAddress: r.localAddress, requestBytes: r.sentBytes, responses, responseBytes };
  if (error !== undefined) return { ...traffic, kind: 'error', status: error };
  if (r.kind === 'error') return { ...traffic, kind: 'none', why: r.errno };
  if (tooMuch) return { ...traffic, kind: 'none', why: tooMuch };
  const data = assembleFragments(fragments);
  if (!data) return { ...traffic, kind: 'none', why: fragments.length ? 'incomplete answer' : 'no answer' };
  return { ...traffic, kind: 'data', data, status: fragments[0]?.status ?? 0, fragments: fragments.length };
}

/** An answer that was started but cut by a cap or never finished (not silence, not a refusal). */
export function unfinished(a: ControlAnswer): a is Extract<ControlAnswer, { kind: 'none' }> {
  return a.kind === 'none' && (a.why === 'incomplete answer' || a.why.startsWith('more than') || a.why.startsWith('data past'));
}

/** `name=value, name="quoted, value"\r\n…` (ntpd ctl_putdata) → a map; values unquoted. */
export function parseVariables(data: Uint8Array): Record<string, string> {
  const text = new TextDecoder('latin1').decode(data);
  const out: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /[\s,]/.test(text[i] as string)) i++;
    let name = '';
    while (i < text.length && !/[=,\s]/.test(text[i] as string)) name += text[i++];
    let value = '';
    if (text[i] === '=') {
      i++;
      if (text[i] === '"') {
        i++;
        while (i < text.length && text[i] !== '"') value += text[i++];
        i++;
      } else {
        while (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') value += text[i++];
      }
    }
    if (name) out[name] = value.trim();
    else i++;
  }
  return out;
}

/** READSTAT data: (association id, status) pairs of 16 bits each (RFC 9327 §3). */
export function parseAssociations(data: Uint8Array): number[] {
  const ids: number[] = [];
  for (let p = 0; p + 4 <= data.length; p += 4) ids.push(((data[p] as number) << 8) | (data[p + 1] as number));
  return ids;
}

export interface ControlPeer {
  associationId: number;
  /** The association's remote address (ntpq -p's remote column); a refclock shows as 127.127.t.u. */
  srcadr: string;
  /** The local address it uses: equal to srcadr when the daemon polls itself (the seed's `server <own address>`). */
  dstadr?: string;
  vars: Record<string, string>;
}

export interface ControlView {
  /** System variables (association 0): leap, stratum, refid, peer (the system peer's association id)… */
  system: Record<string, string>;
  peers: ControlPeer[];
  /** srcadr of the system peer (`peer=` in the system variables), when it has one. */
  systemPeer?: string;
  /** Every query's traffic summed: requests sent, response datagrams and octets (for the ntp-control observation). */
  traffic: ControlTraffic & { requests: number; opcodes: number[] };
}

export interface BoundedViewResult {
  /** System variables and the associations read in time; undefined when the system variables were not. */
  view?: ControlView;
  /** Why the read stopped short (budget spent, a query given up), in words; absent when it read everything. */
  cut?: string;
}

/**
 * System variables, the association list, then each association's variables (at most `maxPeers`), every query
 * capped as controlQuery is, stopping when `budget` (if any) is spent and keeping what it read so far.
 */
export async function readControlViewBounded(
  address: string,
  family: 4 | 6,
  port: number,
  clock: WallClock,
  budget?: ControlBudget,
  maxPeers = 16,
  timeoutMs = QUERY_TIMEOUT_MS,
): Promise<BoundedViewResult> {
  const traffic: ControlView['traffic'] = { localAddress: '', requestBytes: 0, responses: 0, responseBytes: 0, requests: 0, opcodes: [] };
  const ask = async (opcode: number, associationId: number): Promise<ControlAnswer | undefined> => {
    if (budget?.spent) return undefined;
    const a = await controlQuery(address, family, port, opcode, associationId, clock, timeoutMs, budget);
    traffic.requests++;
    traffic.requestBytes += a.requestBytes;
    traffic.responses += a.responses;
    traffic.responseBytes += a.responseBytes;
    if (a.localAddress) traffic.localAddress = a.localAddress;
    if (!traffic.opcodes.includes(opcode)) traffic.opcodes.push(opcode);
    return a;
  };
  const sys = await ask(CTL_OP_READVAR, 0);
  if (!sys) return { cut: 'no time left for mode 6' };
  if (sys.kind !== 'data') {
    // Silence, an ICMP error or an error response mean "no mode 6 here"; a started but unfinished answer is a cut.
    return unfinished(sys) ? { cut: `system variables: ${sys.why}` } : {};
  }
  const view: ControlView = { system: parseVariables(sys.data), peers: [], traffic };
  let cut: string | undefined;
  const stat = await ask(CTL_OP_READSTAT, 0);
  if (!stat) cut = 'time budget spent before the association list';
  else if (stat.kind === 'data') {
    const ids = parseAssociations(stat.data).slice(0, maxPeers);
    let read = 0;
    for (const id of ids) {
      const pv = await ask(CTL_OP_READVAR, id);
      if (!pv) {
        cut = `time budget spent after ${read} of ${ids.length} associations`;
        break;
      }
      read++;
      if (pv.kind !== 'data') continue;
      const vars = parseVariables(pv.data);
      const peer: ControlPeer = { associationId: id, srcadr: vars.srcadr ?? '', vars };
      if (vars.dstadr) peer.dstadr = vars.dstadr;
      view.peers.push(peer);
    }
  }
  const peerId = Number(view.system.peer);
  const sp = peerId > 0 ? view.peers.find((p) => p.associationId === peerId) : undefined;
  if (sp?.srcadr) view.systemPeer = sp.srcadr;
  return cut ? { view, cut } : { view };
}

/** System variables, then every association's srcadr (at most `maxPeers`). Undefined when mode 6 is not answered. */
export async function readControlView(
  address: string,
  family: 4 | 6,
  port: number,
  clock: WallClock,
  maxPeers = 16,
  timeoutMs = QUERY_TIMEOUT_MS,
): Promise<ControlView | undefined> {
  return (await readControlViewBounded(address, family, port, clock, undefined, maxPeers, timeoutMs)).view;
}
