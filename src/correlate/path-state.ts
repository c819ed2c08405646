/**
 * What the correlator keeps per client↔server path and per open request, and the per-path counters: which end the
 * capture was taken on, recently answered requests (duplicates), good checksums counted without a state per sender.
 */
import type { PathAccumulator } from '../observe/accumulate.js';
import type { NtpPathObservation } from '../model/observation.js';
import type { RequestRecord } from '../observe/exchange.js';
import type { SenderState } from './checksums.js';
import type { OpenRequests } from './open.js';
import type { TimeFrame } from '../decode/time-frame.js';
import { partsKey } from '../net/wall-time.js';

/**
 * An open request. Created by one object literal (all share one shape) and reused once finished: its double
 * fields are then overwritten in place, so a request costs no allocation at all in the steady state.
 */
export interface Pending extends RequestRecord {
  path: PathState;
  /** timestampKey(transmit): what a reply's origin is looked up by. */
  key: number;
  seq: number;
  badChecksum: boolean;
  /** The request hides the client's clock (T1 is a random cookie, not a reading): see hidesClock(). */
  hiddenT1: boolean;
  done: boolean;
  /** The request's origin and receive fields (interleaved mode: ./interleaved.ts). */
  oSec: number;
  oFrac: number;
  rSec: number;
  rFrac: number;
}

/** Per client↔server path: the accumulator plus what tells us where the capture was taken and whether T1 is real. */
export interface PathState {
  /** The path's key: client address, server address and port (the accumulator holds the same, as endpoints). */
  client: string;
  server: string;
  serverPort: number;
  /** An IPv4 path: found by the address words (clientWord, serverWord: signed 32-bit), not by the text. */
  v4: boolean;
  clientWord: number;
  serverWord: number;
  acc: PathAccumulator;
  open: OpenRequests<Pending>;
  /** In the correlator's list of paths with open requests. */
  listed: boolean;
  /** Recently answered transmit keys, to flag duplicate replies (RFC 5905 §8 test 1): a ring, oldest overwritten. */
  answered: number[];
  answeredNext: number;
  sideClient: number;
  sideServer: number;
  refid: number;
  refidStratum: number;
  refidText: string;
  /**
   * Datagrams with a verified checksum from the client and from the server, and the frame of the first of each
   * (-1: none), counted here rather than in the checksum tracker (a state per sender: 100 k of them for 100 k clients);
   * the tracker gets them when it needs them (Correlator.foldGood).
   */
  goodFromClient: number;
  goodFromServer: number;
  firstGoodFromClient: number;
  firstGoodFromServer: number;
  /** The checksum tracker's state for each end, once it counted a bad datagram from it (saves a lookup per frame). */
  clientChecksums: SenderState | undefined;
  serverChecksums: SenderState | undefined;
  /** The checksum tracker has this path's far end among that sender's peers (or no room left): skip the lookup. */
  serverNotedAsPeer: boolean;
  clientNotedAsPeer: boolean;
  /** The frame that made the path: paths are listed in this order (and shards merge by it, src/parallel/). */
  firstFrame: number;
  /** The last exchange whose request asked in interleaved style (./interleaved.ts), made with the first such one. */
  previous: import('./interleaved.js').PreviousExchange | undefined;
  /** The last request whose T1 was far from the capture clock (./measure.ts randomT1): made with the first such one. */
  farT1: { skew: number; sec: number } | undefined;
}

export const RECENT_ANSWERED = 8;
/** Linux SLL/SLL2 packet types (packet(7)): PACKET_HOST 0, PACKET_OUTGOING 4. */
const PACKET_HOST = 0;
const PACKET_OUTGOING = 4;
/** No link-layer packet type (anything but SLL/SLL2): src/decode/time-frame.ts TimeFrame.packetType. */
const NO_PACKET_TYPE = -1;

/** A new path's state, every field in one literal (one hidden class for all paths). */
export function newPathState(
  frame: number,
  client: string,
  server: string,
  serverPort: number,
  cw: number | undefined,
  sw: number | undefined,
  acc: PathAccumulator,
  open: OpenRequests<Pending>,
): PathState {
  const v4 = cw !== undefined && sw !== undefined;
  return {
    client,
    server,
    serverPort,
    v4,
    clientWord: v4 ? cw : 0,
    serverWord: v4 ? sw : 0,
    acc,
    open,
    listed: false,
    answered: new Array<number>(RECENT_ANSWERED).fill(-1),
    answeredNext: 0,
    sideClient: 0,
    sideServer: 0,
    refid: -1,
    refidStratum: -1,
    refidText: '',
    goodFromClient: 0,
    goodFromServer: 0,
    firstGoodFromClient: -1,
    firstGoodFromServer: -1,
    clientChecksums: undefined,
    serverChecksums: undefined,
    serverNotedAsPeer: false,
    clientNotedAsPeer: false,
    firstFrame: frame,
    previous: undefined,
    farT1: undefined,
  };
}

/** Was `key` (a transmit timestamp's key) answered among the path's last RECENT_ANSWERED replies? */
export function recentlyAnswered(p: PathState, key: number): boolean {
  const answered = p.answered;
  for (let i = 0; i < answered.length; i++) if (answered[i] === key) return true;
  return false;
}

/** Remembers `key` as answered (the ring's oldest entry goes). */
export function noteAnswered(p: PathState, key: number): void {
  p.answered[p.answeredNext] = key;
  p.answeredNext = (p.answeredNext + 1) % RECENT_ANSWERED;
}

/**
 * Which end captured: SLL packet types (outgoing requests = client side), --local-ip, and requests with bad
 * checksums that were answered anyway (tx checksum offload: only the sender sees them bad).
 */
export function noteSide(p: PathState, local: ReadonlySet<string> | undefined, packetType: number, isRequest: boolean): void {
  // Most captures say neither (Ethernet, no --local-ip): a test inlined, no call (see ./path-counters.ts on budget).
  if (local !== undefined || packetType !== NO_PACKET_TYPE) countSide(p, local, packetType, isRequest);
}

function countSide(p: PathState, local: ReadonlySet<string> | undefined, packetType: number, isRequest: boolean): void {
  if (local !== undefined) {
    if (local.has(p.client)) p.sideClient++;
    if (local.has(p.server)) p.sideServer++;
  }
  if (packetType === PACKET_OUTGOING) isRequest ? p.sideClient++ : p.sideServer++;
  else if (packetType === PACKET_HOST) isRequest ? p.sideServer++ : p.sideClient++;
}

export function capturedAt(p: PathState): NtpPathObservation['capturedAt'] {
  if (p.sideClient > p.sideServer) return 'client';
  if (p.sideServer > p.sideClient) return 'server';
  return 'unknown';
}

/**
 * A request's open record: `spare` (a finished one, reused: no object per request) refilled, else a new literal
 * with every field in the same order, so both have one shape (V8 keeps the correlator's loads monomorphic).
 * `hiddenT1`: measure.ts hidesClock(t), computed by the caller.
 */
export function pendingFor(spare: Pending | undefined, path: PathState, seq: number, t: TimeFrame, hiddenT1: boolean): Pending {
  // The key is made here, not handed in: a double argument to a call V8 does not inline is boxed (one heap number
  // per request, measured), a double stored in a field is not.
  const key = partsKey(t.xmtSec, t.xmtFrac);
  if (spare === undefined) {
    return {
      path,
      key,
      seq,
      frame: t.frame,
      sec: t.sec,
      nsec: t.nsec,
      clientPort: t.srcPort,
      tSec: t.xmtSec,
      tFrac: t.xmtFrac,
      version: t.version,
      mode: t.mode,
      badChecksum: t.checksumStatus === 'bad',
      hiddenT1,
      done: false,
      oSec: t.orgSec,
      oFrac: t.orgFrac,
      rSec: t.rcvSec,
      rFrac: t.rcvFrac,
    };
  }
  const q = spare;
  q.path = path;
  q.key = key;
  q.seq = seq;
  q.frame = t.frame;
  q.sec = t.sec;
  q.nsec = t.nsec;
  q.clientPort = t.srcPort;
  q.tSec = t.xmtSec;
  q.tFrac = t.xmtFrac;
  q.version = t.version;
  q.mode = t.mode;
  q.badChecksum = t.checksumStatus === 'bad';
  q.hiddenT1 = hiddenT1;
  q.done = false;
  q.oSec = t.orgSec;
  q.oFrac = t.orgFrac;
  q.rSec = t.rcvSec;
  q.rFrac = t.rcvFrac;
  return q;
}
