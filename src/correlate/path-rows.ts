/**
 * What the correlator keeps per client↔server path besides the observation's numbers (src/observe/path-columns.ts):
 * the path's key, which end the capture saw, the last refid, recent answered transmits, checksum bookkeeping. One
 * row of an Int32Array and one of a Float64Array per path, and a slot in a few lists: no object per path. On a
 * capture of 100 k clients, the object per path this replaces (with its arrays) was work for the garbage collector
 * on every minor collection and a cache miss or two on every frame of the path.
 */
import type { Endpoint } from './types.js';
import type { SenderState } from './checksums.js';
import { Rows } from '../observe/rows.js';

/** Int32 row. Address words are signed 32-bit IPv4 addresses (0 for IPv6 paths, found by text). */
export const CLIENT_WORD = 0;
export const SERVER_WORD = 1;
export const SERVER_PORT = 2;
/** The client port of the path's first frame (the observation's client endpoint). */
export const CLIENT_PORT = 3;
/** FLAG_* bits. */
export const FLAGS = 4;
/** Frames that say the capture was taken at the client, or at the server (Correlator.noteSide). */
export const SIDE_CLIENT = 5;
export const SIDE_SERVER = 6;
/** Stratum of `REFID` (refidText's key), -1 before the first reply. */
export const REFID_STRATUM = 7;
/** Next slot of the ANSWERED ring. */
export const ANSWERED_NEXT = 8;
/**
 * Datagrams with a verified checksum from the client, and from the server, counted here rather than in the
 * checksum tracker (a state per sender: 100 k of them); the tracker gets them when it needs them (foldGood).
 */
const GOOD_FROM_CLIENT = 9;
const GOOD_FROM_SERVER = 10;
const INTS = 11;

export const FLAG_V4 = 1;
/** In Correlator.withOpen. */
export const FLAG_LISTED = 2;
/** The checksum tracker has this path's server among the client's peers (or no room left): skip the lookup. */
export const FLAG_SERVER_NOTED = 4;
export const FLAG_CLIENT_NOTED = 8;

/** Float64 row. */
export const REFID = 0;
/** The frame that made the path: paths are listed in this order (and shards merge by it, src/parallel/). */
export const FIRST_FRAME = 1;
/** The frame of the first of GOOD_FROM_CLIENT, GOOD_FROM_SERVER (-1: none yet). */
const FIRST_GOOD_CLIENT = 2;
const FIRST_GOOD_SERVER = 3;
/** Recently answered transmit keys, to flag duplicate replies (RFC 5905 §8 test 1): a ring, oldest overwritten. */
export const ANSWERED = 4;
export const RECENT_ANSWERED = 8;
const DOUBLES = ANSWERED + RECENT_ANSWERED;

export class PathRows<Open> {
  private readonly rows = new Rows(INTS, DOUBLES);
  /** rows.ints and rows.nums (the same arrays until add() grows them). */
  private ints = this.rows.ints;
  private nums = this.rows.nums;
  /** Address texts: IPv4 ones formatted once per path (paths are listed and reported by them), IPv6 as decoded. */
  readonly clientText: string[] = [];
  readonly serverText: string[] = [];
  /** describeRefid's text of REFID at REFID_STRATUM. */
  readonly refidText: string[] = [];
  /** The path's open requests, while it has any (the correlator pools the containers). */
  readonly open: Array<Open | undefined> = [];
  /** The checksum tracker's state for each end, once it counted a bad datagram from it (saves a lookup per frame). */
  readonly clientChecksums: Array<SenderState | undefined> = [];
  readonly serverChecksums: Array<SenderState | undefined> = [];
  /** Endpoints the path's kept exchanges share (only paths that keep exchanges have them). */
  readonly serverEndpoint: Array<Endpoint | undefined> = [];

  /** Row of a new path; `cw`, `sw`: IPv4 address words, undefined for an IPv6 path. */
  add(client: string, clientPort: number, server: string, serverPort: number, cw: number | undefined, sw: number | undefined, frame: number): number {
    const p = this.rows.add();
    this.ints = this.rows.ints;
    this.nums = this.rows.nums;
    const i = p * INTS;
    const ints = this.ints;
    const v4 = cw !== undefined && sw !== undefined;
    ints[i + CLIENT_WORD] = v4 ? cw : 0;
    ints[i + SERVER_WORD] = v4 ? sw : 0;
    ints[i + SERVER_PORT] = serverPort;
    ints[i + CLIENT_PORT] = clientPort;
    ints[i + FLAGS] = v4 ? FLAG_V4 : 0;
    ints[i + REFID_STRATUM] = -1;
    const d = p * DOUBLES;
    const nums = this.nums;
    nums[d + REFID] = -1;
    nums[d + FIRST_FRAME] = frame;
    nums[d + FIRST_GOOD_CLIENT] = -1;
    nums[d + FIRST_GOOD_SERVER] = -1;
    nums.fill(-1, d + ANSWERED, d + ANSWERED + RECENT_ANSWERED);
    this.clientText.push(client);
    this.serverText.push(server);
    this.refidText.push('');
    this.open.push(undefined);
    this.clientChecksums.push(undefined);
    this.serverChecksums.push(undefined);
    this.serverEndpoint.push(undefined);
    return p;
  }

  get size(): number {
    return this.rows.size;
  }

  int(p: number, field: number): number {
    return this.ints[p * INTS + field]!;
  }

  setInt(p: number, field: number, value: number): void {
    this.ints[p * INTS + field] = value;
  }

  num(p: number, field: number): number {
    return this.nums[p * DOUBLES + field]!;
  }

  setNum(p: number, field: number, value: number): void {
    this.nums[p * DOUBLES + field] = value;
  }

  has(p: number, flag: number): boolean {
    return (this.ints[p * INTS + FLAGS]! & flag) !== 0;
  }

  set(p: number, flag: number, on: boolean): void {
    const i = p * INTS + FLAGS;
    this.ints[i] = on ? this.ints[i]! | flag : this.ints[i]! & ~flag;
  }

  /** Whether the IPv4 path `p` has this key. */
  isV4(p: number, cw: number, sw: number, serverPort: number): boolean {
    const i = p * INTS;
    const ints = this.ints;
    return ints[i + CLIENT_WORD] === cw && ints[i + SERVER_WORD] === sw && ints[i + SERVER_PORT] === serverPort && (ints[i + FLAGS]! & FLAG_V4) !== 0;
  }

  /** The endpoint exchanges of path `p` name as the server: the path's own when it has one, else a new one. */
  server(p: number): Endpoint {
    return this.serverEndpoint[p] ?? { ip: this.serverText[p]!, port: this.ints[p * INTS + SERVER_PORT]! };
  }

  /** Was `key` (a transmit timestamp's key) answered among the path's last RECENT_ANSWERED replies? */
  recentlyAnswered(p: number, key: number): boolean {
    const at = p * DOUBLES + ANSWERED;
    const nums = this.nums;
    for (let j = 0; j < RECENT_ANSWERED; j++) if (nums[at + j] === key) return true;
    return false;
  }

  noteAnswered(p: number, key: number): void {
    const i = p * INTS + ANSWERED_NEXT;
    const next = this.ints[i]!;
    this.nums[p * DOUBLES + ANSWERED + next] = key;
    this.ints[i] = (next + 1) % RECENT_ANSWERED;
  }

  /** Which end the capture was taken on, by the frames that tell (Correlator.noteSide). */
  capturedAt(p: number): 'client' | 'server' | 'unknown' {
    const i = p * INTS;
    const client = this.ints[i + SIDE_CLIENT]!;
    const server = this.ints[i + SIDE_SERVER]!;
    if (client > server) return 'client';
    if (server > client) return 'server';
    return 'unknown';
  }

  addSide(p: number, field: typeof SIDE_CLIENT | typeof SIDE_SERVER): void {
    this.ints[p * INTS + field]!++;
  }

  /** A datagram with a verified checksum on path `p`, in frame `frame`: from the client, or from the server. */
  countGood(p: number, fromClient: boolean, frame: number): void {
    this.ints[p * INTS + (fromClient ? GOOD_FROM_CLIENT : GOOD_FROM_SERVER)]!++;
    const at = p * DOUBLES + (fromClient ? FIRST_GOOD_CLIENT : FIRST_GOOD_SERVER);
    if (this.nums[at]! < 0) this.nums[at] = frame;
  }

  /**
   * Hands the counts of countGood to `take` (sender, peer, count, first frame), path by path, each direction with
   * any; a count `take` accepts (returns true) is cleared, so it is never handed over twice.
   */
  foldGood(take: (sender: string, peer: string, good: number, first: number) => boolean): void {
    const ints = this.ints;
    const nums = this.nums;
    for (let p = 0; p < this.size; p++) {
      const i = p * INTS;
      const d = p * DOUBLES;
      if (ints[i + GOOD_FROM_CLIENT]! > 0 && take(this.clientText[p]!, this.serverText[p]!, ints[i + GOOD_FROM_CLIENT]!, nums[d + FIRST_GOOD_CLIENT]!)) {
        ints[i + GOOD_FROM_CLIENT] = 0;
        nums[d + FIRST_GOOD_CLIENT] = -1;
      }
      if (ints[i + GOOD_FROM_SERVER]! > 0 && take(this.serverText[p]!, this.clientText[p]!, ints[i + GOOD_FROM_SERVER]!, nums[d + FIRST_GOOD_SERVER]!)) {
        ints[i + GOOD_FROM_SERVER] = 0;
        nums[d + FIRST_GOOD_SERVER] = -1;
      }
    }
  }
}
