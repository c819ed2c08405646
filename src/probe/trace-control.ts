/**
 * ntpq's mode 6 reads for `trace`, bounded against a hop that never finishes answering (RFC 9327 §2.1). Each query
 * ends at the first of: the whole answer assembled, an error response, its own timeout, the hop's or the trace's
 * deadline, more than MAX_FRAGMENTS fragments (ntpq.c getresponse: MAXFRAGS 32, "Number of fragments exceeds
 * maximum" → ERR_TOOMUCH), or MAX_DATAGRAMS datagrams of any kind (strays, duplicates: a flood). A READVAR whose
 * More bit is never cleared, or whose fragments never cover the data, so costs one query timeout at most, and
 * the walk over the associations stops when the budget is spent, keeping what it read so far.
 */
import { decodeNtp } from '../ntp/codec.js';
import type { NtpControlMessage } from '../ntp/types.js';
import type { WallClock } from './clock.js';
import {
  assembleFragments,
  buildControlRequest,
  CTL_OP_READSTAT,
  CTL_OP_READVAR,
  parseAssociations,
  parseVariables,
  type ControlAnswer,
  type ControlPeer,
  type ControlView,
} from './control.js';
import { udpExchange } from './socket.js';
import type { Deadline } from './trace-budget.js';
import { randomInt } from 'node:crypto';

/** ntpq.c MAXFRAGS. */
export const MAX_FRAGMENTS = 32;
/** Datagrams read for one query, whatever they are, before it is given up. */
export const MAX_DATAGRAMS = 4 * MAX_FRAGMENTS;
/** ntpq's own wait for an answer is 5 s; a trace hop cannot afford it: 0.7 s, as control.ts. */
export const QUERY_TIMEOUT_MS = 700;

/** One bounded mode 6 query (the same wire rules as control.ts controlQuery, with the caps above). */
export async function boundedControlQuery(
  address: string,
  family: 4 | 6,
  port: number,
  opcode: number,
  associationId: number,
  clock: WallClock,
  timeoutMs: number,
): Promise<ControlAnswer> {
  const sequence = randomInt(1, 0xffff);
  const fragments: NtpControlMessage[] = [];
  const offsets = new Set<number>();
  let error: number | undefined;
  let datagrams = 0;
  let responses = 0;
  let responseBytes = 0;
  let tooMuch = false;
  const r = await udpExchange({
    address,
    port,
    family,
    clock,
    timeoutMs,
    build: () => buildControlRequest(opcode, sequence, associationId),
    collect: (datagram) => {
      if (++datagrams > MAX_DATAGRAMS) {
        tooMuch = true;
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
        tooMuch = true;
        return 'done';
      }
      fragments.push(m);
      return assembleFragments(fragments) ? 'done' : 'more';
    },
  });
  const traffic = { localAddress: r.localAddress, requestBytes: r.sentBytes, responses, responseBytes };
  if (error !== undefined) return { ...traffic, kind: 'error', status: error };
  if (r.kind === 'error') return { ...traffic, kind: 'none', why: r.errno };
  const data = tooMuch ? undefined : assembleFragments(fragments);
  if (!data) {
    const why = tooMuch ? `more than ${MAX_FRAGMENTS} fragments or ${MAX_DATAGRAMS} datagrams` : fragments.length ? 'incomplete answer' : 'no answer';
    return { ...traffic, kind: 'none', why };
  }
  return { ...traffic, kind: 'data', data, status: fragments[0]?.status ?? 0, fragments: fragments.length };
}

export interface BoundedViewResult {
  /** System variables and the associations read in time; undefined when the system variables were not. */
  view?: ControlView;
  /** Why the read stopped short (budget spent, a query given up), in words; absent when it read everything. */
  cut?: string;
}

/**
 * System variables, the association list, then each association's variables (at most `maxPeers`), stopping when
 * `deadline` is spent. Same result as control.ts readControlView when nothing is cut.
 */
export async function readControlViewBounded(
  address: string,
  family: 4 | 6,
  port: number,
  clock: WallClock,
  deadline: Deadline,
  maxPeers = 16,
): Promise<BoundedViewResult> {
  const traffic: ControlView['traffic'] = { localAddress: '', requestBytes: 0, responses: 0, responseBytes: 0, requests: 0, opcodes: [] };
  const ask = async (opcode: number, associationId: number): Promise<ControlAnswer | undefined> => {
    if (deadline.spent) return undefined;
    const a = await boundedControlQuery(address, family, port, opcode, associationId, clock, Math.min(QUERY_TIMEOUT_MS, deadline.leftMs()));
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
    const unfinished = sys.kind === 'none' && (sys.why === 'incomplete answer' || sys.why.startsWith('more than'));
    return unfinished && sys.kind === 'none' ? { cut: `system variables: ${sys.why}` } : {};
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
