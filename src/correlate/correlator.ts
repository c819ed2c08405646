import { IcmpFrame, icmpFrameOf } from '../decode/icmp-frame.js';
import { timeFrameOf, TimeFrame } from '../decode/time-frame.js';
import type { DecodedFrame } from '../decode/types.js';
import { describeRefid } from '../ntp/refid.js';
import { KEEP_EXCHANGES, PathAccumulator } from '../observe/accumulate.js';
import type { ChecksumObservation, NtpPathObservation } from '../model/observation.js';
import { ChecksumTracker, type ChecksumState, type SenderState } from './checksums.js';
import { partsKey, TWO_POW_31, TWO_POW_32, TWO_POW_MINUS_32, wallDiff, type WallTime } from '../net/wall-time.js';
import { NTP_UNIX_EPOCH_DELTA } from '../ntp/constants.js';
import { ControlTracker } from './control.js';
import { OpenRequests } from './open.js';
import { PathTable } from './path-table.js';
import { ipv4Text, ipv4Word } from '../decode/address.js';
import type { NtpExchange, ReplySummary } from '../model/exchange.js';

export interface CorrelatorOptions {
  /** Addresses of the capturing host (--local-ip): tells which end the capture was taken on. */
  localIps?: ReadonlySet<string>;
  /** A request not answered within this many seconds (capture time) counts as unanswered. */
  requestTimeout?: number;
  /** Requests younger than this at the end of the capture are not counted as unanswered (their reply may be after the cut). */
  endGrace?: number;
  /** Called as each exchange completes (reply, ICMP error or timeout): a live view streams them. */
  onExchange?: (x: NtpExchange) => void;
}

/**
 * An open request. Created by one object literal (all share one shape) and reused once finished (Correlator.spare):
 * its double fields are then overwritten in place, so a request costs no allocation at all in the steady state.
 */
interface Pending {
  path: PathState;
  /** timestampKey(transmit): what a reply's origin is looked up by. */
  key: number;
  seq: number;
  frame: number;
  /** Capture time of the request: whole seconds and nanoseconds (a WallTime's two parts, no object per frame). */
  sec: number;
  nsec: number;
  clientPort: number;
  /** The request's transmit timestamp T1 (RFC 5905 §7.3): seconds and fraction. */
  tSec: number;
  tFrac: number;
  version: number;
  mode: number;
  badChecksum: boolean;
  /** The request hides the client's clock (T1 is a random cookie, not a reading): see hidesClock(). */
  hiddenT1: boolean;
  done: boolean;
}

/** Per client↔server path: the accumulator plus what tells us where the capture was taken and whether T1 is real. */
interface PathState {
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
  /** In Correlator.withOpen. */
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
}

/** One path of a shard's result (src/parallel/merge.ts puts the shards' paths back in single-thread order). */
export interface ShardPath {
  firstFrame: number;
  observation: NtpPathObservation;
}

const RECENT_ANSWERED = 8;
/** Distinct refid texts remembered at most (Correlator.refidText). */
const REFID_TEXTS = 4096;
/** Finished requests kept for reuse (a few suffice: requests are mostly answered before the next one). */
const SPARE_REQUESTS = 64;
/**
 * Paths past this many keep no sample exchanges (a report lists REPORT_EXCHANGES, src/diagnose/report.ts: the
 * first paths fill it). What rules need of every path is in its counts and statistics; a kept exchange is ~26
 * objects, and on a capture of 100 k clients keeping one per path was a third of the collector's work.
 */
export const MANY_PATHS = 256;
const NO_EXCHANGES = { first: 0, last: 0 };
/** Seconds within which the capture clock is taken to agree with a stated T1. */
const CLOCK_AGREEMENT = 0.005;
/** Linux SLL/SLL2 packet types (packet(7)): PACKET_HOST 0, PACKET_OUTGOING 4. */
const PACKET_HOST = 0;
const PACKET_OUTGOING = 4;

/**
 * Streams decoded frames into client↔server paths: requests matched with replies by origin = client transmit
 * (RFC 5905 §8), ICMP errors matched with the request they quote, requests left unanswered. State is bounded by
 * the open requests (expired after `requestTimeout`) and the number of paths, never by the number of packets.
 */
export class Correlator {
  /** Path numbers by key; the paths themselves in pathList, in the order they first appeared. */
  private readonly table = new PathTable();
  private readonly pathList: PathState[] = [];
  /** Paths that have open requests: the only ones an expiry sweep needs to visit. */
  private withOpen: PathState[] = [];
  /** Capture time (s) of the next expiry sweep. */
  private nextSweep = 0;
  /** Latest capture time seen (WallTime's two parts). */
  private lastSec = 0;
  private lastNsec = 0;
  /** The path of the previous NTP frame: a reply usually follows its request, so most lookups stop here. */
  private lastPath: PathState | undefined;
  /** `options.localIps` when it names any address, else undefined (noteSide then skips two set lookups per frame). */
  private readonly localIps: ReadonlySet<string> | undefined;
  private readonly checksums: ChecksumTracker;
  readonly controls = new ControlTracker();
  ntpFrames = 0;
  private readonly timeout: number;
  private readonly endGrace: number;
  /** Finished requests, for onRequest to reuse. */
  private readonly spare: Pending[] = [];
  /** The reused reply exchange of each Measured shape (onReply's common case), made on first use. */
  private readonly replies: Array<NtpExchange | undefined> = [undefined, undefined, undefined];
  /** What measure() found for the reply at hand (no object per reply). */
  private offset = 0.5;
  private delay = 0.5;
  /** refidText()'s memo. */
  private readonly refidTexts = new Map<number, string>();
  /** feed()'s ICMP errors as primitives (one record, reused). */
  private readonly icmpScratch = new IcmpFrame();
  /** feed()'s mode 3/4 frames as primitives (one record, reused). */
  private readonly scratch = new TimeFrame();

  constructor(private readonly options: CorrelatorOptions = {}) {
    this.timeout = options.requestTimeout ?? 10;
    this.endGrace = options.endGrace ?? 1;
    this.checksums = new ChecksumTracker(options.localIps);
    this.localIps = options.localIps?.size ? options.localIps : undefined;
  }

  feed(f: DecodedFrame): void {
    const sec = f.tsSec;
    const nsec = f.tsNsec;
    this.tick(sec, nsec);
    if (f.icmp) {
      if (icmpFrameOf(f, this.icmpScratch)) this.onIcmp(this.icmpScratch);
      return;
    }
    const udp = f.udp;
    const ip = f.ip;
    const msg = f.ntp?.message;
    if (!udp || !ip || !msg) return;
    this.ntpFrames++;
    if (msg.kind === 'control' || msg.kind === 'private') {
      this.controls.add(f, msg, ip, udp);
      return;
    }
    if (timeFrameOf(f, this.scratch)) this.onTime(this.scratch);
    else this.checksums.add(f, ip.src);
  }

  /**
   * A mode 3 or 4 frame decoded straight to primitives (src/decode/time-frame.ts): the same as feed() with its
   * DecodedFrame, without the objects.
   */
  feedTime(t: TimeFrame): void {
    this.tick(t.sec, t.nsec);
    this.ntpFrames++;
    this.onTime(t);
  }

  private onTime(t: TimeFrame): void {
    if (t.mode === 3) this.onRequest(t);
    else this.onReply(t);
  }

  /**
   * A frame at capture time sec + nsec that carries nothing for the correlator (what feed() does with it): it
   * still moves the capture clock, which times requests out and tells when the capture ended.
   */
  tick(sec: number, nsec: number): void {
    // Later than the latest so far (nsec < 1e9, so the seconds decide unless equal).
    if (sec > this.lastSec || (sec === this.lastSec && nsec > this.lastNsec)) {
      this.lastSec = sec;
      this.lastNsec = nsec;
    }
    if (sec >= this.nextSweep) this.expire(sec, nsec);
  }

  /**
   * The path of an IPv4 client and server, by their address words (./path-table.ts): no address text is needed
   * unless the path is new.
   */
  private pathV4(frame: number, cw: number, clientPort: number, sw: number, serverPort: number): PathState {
    const last = this.lastPath;
    // A reply usually follows its request: most lookups stop here.
    if (last !== undefined && last.clientWord === cw && last.serverWord === sw && last.serverPort === serverPort && last.v4) return last;
    const n = this.table.findV4(cw, sw, serverPort);
    const p = n >= 0 ? this.pathList[n]! : this.newPath(frame, ipv4Text(cw), clientPort, ipv4Text(sw), serverPort, cw, sw);
    this.lastPath = p;
    return p;
  }

  /** The path of a client and server given as address text (IPv4 text is looked up by its words all the same). */
  private path(frame: number, client: string, clientPort: number, server: string, serverPort: number): PathState {
    const cw = ipv4Word(client);
    const sw = ipv4Word(server);
    if (cw !== undefined && sw !== undefined) return this.pathV4(frame, cw, clientPort, sw, serverPort);
    const last = this.lastPath;
    if (last !== undefined && !last.v4 && last.client === client && last.server === server && last.serverPort === serverPort) return last;
    const n = this.table.findText(client, server, serverPort);
    const p = n >= 0 ? this.pathList[n]! : this.newPath(frame, client, clientPort, server, serverPort, undefined, undefined);
    this.lastPath = p;
    return p;
  }

  /** The path of a request (the client is the source) or of a reply (the client is the destination). */
  private timePath(t: TimeFrame, request: boolean): PathState {
    if (t.ipVersion === 4) {
      return request
        ? this.pathV4(t.frame, t.srcWord, t.srcPort, t.dstWord, t.dstPort)
        : this.pathV4(t.frame, t.dstWord, t.dstPort, t.srcWord, t.srcPort);
    }
    return request
      ? this.path(t.frame, t.srcText, t.srcPort, t.dstText, t.dstPort)
      : this.path(t.frame, t.dstText, t.dstPort, t.srcText, t.srcPort);
  }

  /** A path seen for the first time, filed under its words (IPv4) or its text. */
  private newPath(
    frame: number,
    client: string,
    clientPort: number,
    server: string,
    serverPort: number,
    cw: number | undefined,
    sw: number | undefined,
  ): PathState {
    const v4 = cw !== undefined && sw !== undefined;
    const p: PathState = {
      client,
      server,
      serverPort,
      v4,
      clientWord: v4 ? cw : 0,
      serverWord: v4 ? sw : 0,
      acc: new PathAccumulator(
        'capture',
        { ip: client, port: clientPort },
        { ip: server, port: serverPort },
        // Thousands of clients: keep no exchanges past the first paths, so memory stays small per path.
        this.pathList.length < MANY_PATHS ? KEEP_EXCHANGES : NO_EXCHANGES,
      ),
      open: new OpenRequests<Pending>(),
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
    };
    const n = this.pathList.length;
    this.pathList.push(p);
    if (v4) this.table.addV4(cw, sw, serverPort, n);
    else this.table.addText(client, server, serverPort, n);
    return p;
  }

  private onRequest(t: TimeFrame): void {
    const p = this.timePath(t, true);
    this.noteSide(p, t.packetType, true);
    const seq = p.acc.addRequest(t.frame, t.sec + t.nsec / 1e9, t.srcPort);
    const key = partsKey(t.xmtSec, t.xmtFrac);
    let pending = this.spare.pop();
    if (pending === undefined) {
      pending = {
        path: p,
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
        hiddenT1: hidesClock(t),
        done: false,
      };
    } else {
      pending.path = p;
      pending.key = key;
      pending.seq = seq;
      pending.frame = t.frame;
      pending.sec = t.sec;
      pending.nsec = t.nsec;
      pending.clientPort = t.srcPort;
      pending.tSec = t.xmtSec;
      pending.tFrac = t.xmtFrac;
      pending.version = t.version;
      pending.mode = t.mode;
      pending.badChecksum = t.checksumStatus === 'bad';
      pending.hiddenT1 = hidesClock(t);
      pending.done = false;
    }
    // Good checksums are counted per path (most datagrams: no state per sender, see ChecksumTracker.addGood).
    if (t.checksumStatus === 'ok') {
      if (p.goodFromClient++ === 0) p.firstGoodFromClient = t.frame;
    } else if (this.checksums.counts(t.checksumStatus, undefined)) {
      const peer = p.serverNotedAsPeer ? undefined : p.server;
      p.serverNotedAsPeer = true;
      this.checksums.addFrom((p.clientChecksums ??= this.checksums.sender(p.client)), t.frame, peer, t.checksumStatus, t.checksumPartial, t.packetType);
    }
    const older = p.open.get(key);
    if (older) this.finish(older, this.baseExchange(older));
    p.open.add(pending);
    if (!p.listed) {
      p.listed = true;
      this.withOpen.push(p);
    }
  }

  private onReply(t: TimeFrame): void {
    const p = this.timePath(t, false);
    this.noteSide(p, t.packetType, false);
    const key = partsKey(t.orgSec, t.orgFrac);
    let pending = p.open.get(key);
    if (pending && (pending.clientPort !== t.dstPort || pending.tSec !== t.orgSec || pending.tFrac !== t.orgFrac)) {
      pending = undefined;
    }
    // Failed RFC 5905 §8 tests; allocated only when one fails (most replies pass).
    let bogus: string[] | undefined;
    let duplicate = false;
    if (!pending) {
      if (recentlyAnswered(p, key)) {
        bogus = ['duplicate'];
        duplicate = true;
      } else {
        // RFC 5905 §8 test 2: the origin must equal the transmit of a request we sent. A reply to an open request
        // on the same port with another origin is bogus; one with no request at all was sent before the capture began.
        pending = this.latestOpen(p, t.dstPort);
        if (pending) bogus = ['origin-mismatch'];
      }
    }
    const answeredBad = pending?.badChecksum ?? false;
    const answeredRequestFrom = answeredBad ? pending!.path.client : undefined;
    if (t.checksumStatus === 'ok' && answeredRequestFrom === undefined) {
      if (p.goodFromServer++ === 0) p.firstGoodFromServer = t.frame;
    } else if (this.checksums.counts(t.checksumStatus, answeredRequestFrom)) {
      const peer = p.clientNotedAsPeer ? undefined : p.client;
      p.clientNotedAsPeer = true;
      this.checksums.addFrom(
        (p.serverChecksums ??= this.checksums.sender(p.server)),
        t.frame,
        peer,
        t.checksumStatus,
        t.checksumPartial,
        t.packetType,
        answeredRequestFrom,
      );
    }
    if (t.refid !== p.refid || t.stratum !== p.refidStratum) {
      // Cached per path: formatting the refid on every reply is the single most expensive thing here.
      p.refid = t.refid;
      p.refidStratum = t.stratum;
      p.refidText = this.refidText(t.stratum, t.refid, t.ipVersion);
    }
    const zeroTransmit = t.xmtSec === 0 && t.xmtFrac === 0;
    const zeroReceive = t.rcvSec === 0 && t.rcvFrac === 0;
    if (t.stratum !== 0) {
      // Test 3 (RFC 5905 §8): zero timestamps; and a server cannot transmit before it received.
      if (zeroTransmit) (bogus ??= []).push('zero-transmit');
      if (zeroReceive) (bogus ??= []).push('zero-receive');
      else if (!zeroTransmit && (t.xmtSec < t.rcvSec || (t.xmtSec === t.rcvSec && t.xmtFrac < t.rcvFrac))) {
        (bogus ??= []).push('receive-after-transmit');
      }
    }
    const replyTime = t.sec + t.nsec / 1e9;
    if (!pending) {
      // A reply whose request is not in the capture still tells us about the server.
      const reply = summarizeReply(t, p.refidText);
      const orphan: NtpExchange = {
        client: { ip: p.client, port: t.dstPort },
        server: { ip: p.server, port: t.srcPort },
        requestFrame: t.frame,
        requestTime: replyTime,
        requestVersion: t.version,
        requestMode: 3,
        requestTransmit: reply.originTime,
        outcome: 'reply',
        replyFrame: t.frame,
        replyTime,
        reply,
      };
      if (bogus !== undefined) orphan.bogus = bogus;
      this.outcome(p, orphan, Number.MAX_SAFE_INTEGER);
      return;
    }
    const q = pending;
    const measured = bogus === undefined && !zeroReceive && !zeroTransmit ? this.measure(q, t) : NOT_MEASURED;
    // The common case reuses one object per shape (no allocation per reply) when nobody else keeps the exchange:
    // no live view listening.
    if (bogus === undefined && this.options.onExchange === undefined) {
      const shape = measured + 1;
      // Straight into the accumulator's kept copy when it has one of this shape to replace (no copy at all).
      const x = p.acc.slotFor(shape) ?? (this.replies[measured] ??= replyExchange(q, t.frame, replyTime, summarizeReply(t, ''), measured, 0, 0));
      fillReplyExchange(x, q, t, replyTime, p.refidText, this.offset, this.delay);
      this.finish(q, x, shape);
      p.answered[p.answeredNext] = key;
      p.answeredNext = (p.answeredNext + 1) % RECENT_ANSWERED;
      return;
    }
    const x = replyExchange(q, t.frame, replyTime, summarizeReply(t, p.refidText), measured, this.offset, this.delay);
    if (bogus !== undefined) x.bogus = bogus;
    this.finish(q, x);
    if (!duplicate) {
      p.answered[p.answeredNext] = key;
      p.answeredNext = (p.answeredNext + 1) % RECENT_ANSWERED;
    }
  }

  /**
   * The refid's text (describeRefid), one string per distinct refid for the whole capture: 100 k clients of one
   * server each see the same refid, and formatting it per path cost a string and an object each.
   */
  private refidText(stratum: number, refid: number, ipVersion: 4 | 6): string {
    // Exact in a double: 9 bits of version and stratum above the 32 of the refid.
    const key = ((ipVersion === 6 ? 256 : 0) + stratum) * TWO_POW_32 + refid;
    let text = this.refidTexts.get(key);
    if (text === undefined) {
      // Bounded: a capture of spoofed or garbled replies could carry any number of refids.
      if (this.refidTexts.size >= REFID_TEXTS) this.refidTexts.clear();
      text = describeRefid(stratum, refid, ipVersion).text;
      this.refidTexts.set(key, text);
    }
    return text;
  }

  /** An ICMP error decoded straight to primitives (src/decode/icmp-frame.ts): feed() with its DecodedFrame, without the objects. */
  feedIcmp(e: IcmpFrame): void {
    this.tick(e.sec, e.nsec);
    this.onIcmp(e);
  }

  private onIcmp(e: IcmpFrame): void {
    // Only errors answering a request to an NTP server (quoted destination port 123, or a client-mode payload).
    if (e.dstPort !== 123 && !(e.hasTime && e.mode === 3)) return;
    this.ntpFrames++;
    const p = e.version === 4 ? this.pathV4(e.frame, e.srcWord, e.srcPort, e.dstWord, e.dstPort) : this.path(e.frame, e.src, e.srcPort, e.dst, e.dstPort);
    let pending: Pending | undefined;
    if (e.hasTime) {
      const cand = p.open.get(partsKey(e.xmtSec, e.xmtFrac));
      if (cand && cand.clientPort === e.srcPort) pending = cand;
    }
    pending ??= this.latestOpen(p, e.srcPort);
    const info = { frame: e.frame, version: e.version, type: e.type, code: e.code, reporter: e.reporter };
    if (!pending) {
      // The request itself is not in the capture (a filter on ICMP only, or it fell before the start).
      const time = e.sec + e.nsec / 1e9;
      const seq = p.acc.addRequest(e.frame, time, e.srcPort);
      const x: NtpExchange = {
        client: { ip: e.src, port: e.srcPort },
        server: { ip: e.dst, port: e.dstPort },
        requestFrame: e.frame,
        requestTime: time,
        requestVersion: e.ntpVersion,
        requestMode: 3,
        requestTransmit: { seconds: e.xmtSec, fraction: e.xmtFrac },
        outcome: 'icmp',
        icmp: info,
      };
      this.outcome(p, x, seq);
      return;
    }
    const x = this.baseExchange(pending);
    x.outcome = 'icmp';
    x.icmp = info;
    this.finish(pending, x);
  }

  private latestOpen(p: PathState, clientPort: number): Pending | undefined {
    return p.open.latest((o) => o.clientPort === clientPort);
  }

  /** The exchange of a request, outcome 'none' until something answered it. */
  private baseExchange(q: Pending): NtpExchange {
    return {
      client: { ip: q.path.client, port: q.clientPort },
      server: q.path.acc.server,
      requestFrame: q.frame,
      requestTime: q.sec + q.nsec / 1e9,
      requestVersion: q.version,
      requestMode: q.mode,
      requestTransmit: { seconds: q.tSec, fraction: q.tFrac },
      outcome: 'none',
    };
  }

  /** `x` is the request's complete exchange (baseExchange plus what answered it). */
  /** `shape` above 0: `x` is one of this.scratch's reply objects, the accumulator's to copy (addOutcome). */
  private finish(q: Pending, x: NtpExchange, shape = 0): void {
    if (q.done) return;
    q.done = true;
    q.path.open.delete(q.key);
    this.outcome(q.path, x, q.seq, shape);
    this.options.onExchange?.(x);
    // Nothing refers to a finished request any more (its exchange has its own objects): reuse it.
    if (this.spare.length < SPARE_REQUESTS) this.spare.push(q);
  }

  private outcome(p: PathState, x: NtpExchange, seq: number, shape = 0): void {
    p.acc.addOutcome(x, seq, shape);
  }

  /**
   * Requests older than the timeout become unanswered. Swept once per second of capture time over the paths
   * with open requests only, so answered requests (the common case) cost nothing here and die young.
   */
  private expire(sec: number, nsec: number): void {
    if (sec < this.nextSweep) return;
    this.nextSweep = sec + 1;
    // A list compacted in place as paths leave it (a Set hashed every path on every request of it: 100 k paths).
    const list = this.withOpen;
    let kept = 0;
    for (let i = 0; i < list.length; i++) {
      const p = list[i]!;
      // Most paths listed here had their requests answered since the last sweep: nothing to copy and walk.
      if (p.open.size > 0) {
        for (const q of p.open.values()) {
          if (sec - q.sec + (nsec - q.nsec) / 1e9 >= this.timeout) this.finish(q, this.baseExchange(q));
        }
      }
      if (p.open.size === 0) p.listed = false;
      else list[kept++] = p;
    }
    list.length = kept;
  }

  /**
   * Which end captured: SLL packet types (outgoing requests = client side), --local-ip, and requests with bad
   * checksums that were answered anyway (tx checksum offload: only the sender sees them bad).
   */
  private noteSide(p: PathState, t: number, isRequest: boolean): void {
    const local = this.localIps;
    if (local !== undefined) {
      if (local.has(p.client)) p.sideClient++;
      if (local.has(p.server)) p.sideServer++;
    }
    if (t === PACKET_OUTGOING) isRequest ? p.sideClient++ : p.sideServer++;
    else if (t === PACKET_HOST) isRequest ? p.sideServer++ : p.sideClient++;
  }

  private capturedAt(p: PathState): NtpPathObservation['capturedAt'] {
    if (p.sideClient > p.sideServer) return 'client';
    if (p.sideServer > p.sideClient) return 'server';
    return 'unknown';
  }

  /**
   * The offset θ (this.offset) and, at the client, the delay δ (this.delay) of a request's reply; says which.
   * RFC 5905 §8: θ = ((T2 − T1) + (T3 − T4)) / 2, δ = (T4 − T1) − (T3 − T2). T2, T3 come from the reply.
   * - T1 hidden (chrony ≥ 4 and ntpsec send a random cookie, draft-ietf-ntp-data-minimization): only the capture
   *   clock can stand in for the client's, so T1/T4 are the capture times — exact when the capture is on the client.
   * - T1 a real reading: T4 = T1 + (capture time of reply − capture time of request), which holds wherever the
   *   capture was taken. At the server, that elapsed time is just the server's turnaround, so θ is the one-way
   *   T2 − T1 (it includes the forward delay) and δ is unknown.
   */
  private measure(q: Pending, t: TimeFrame): Measured {
    // ntpPartsMinusCapture (./clock.ts), written out: measured 5 % faster on 2 M frames than the calls, which were
    // not inlined here and boxed their double arguments.
    let ds = t.rcvSec - NTP_UNIX_EPOCH_DELTA - q.sec;
    if (ds >= TWO_POW_31 || ds < -TWO_POW_31) ds -= Math.round(ds / TWO_POW_32) * TWO_POW_32;
    const t2MinusT1w = ds + (t.rcvFrac * TWO_POW_MINUS_32 - q.nsec / 1e9);
    ds = t.xmtSec - NTP_UNIX_EPOCH_DELTA - t.sec;
    if (ds >= TWO_POW_31 || ds < -TWO_POW_31) ds -= Math.round(ds / TWO_POW_32) * TWO_POW_32;
    const t3MinusT4w = ds + (t.xmtFrac * TWO_POW_MINUS_32 - t.nsec / 1e9);
    if (q.hiddenT1 || (q.tSec === 0 && q.tFrac === 0)) {
      this.offset = (t2MinusT1w + t3MinusT4w) / 2;
      this.delay = t2MinusT1w - t3MinusT4w; // = (T4 − T1) − (T3 − T2)
      return AT_CLIENT;
    }
    ds = q.tSec - NTP_UNIX_EPOCH_DELTA - q.sec;
    if (ds >= TWO_POW_31 || ds < -TWO_POW_31) ds -= Math.round(ds / TWO_POW_32) * TWO_POW_32;
    const t1MinusT1w = ds + (q.tFrac * TWO_POW_MINUS_32 - q.nsec / 1e9);
    // With T4 = T1 + elapsed: (T2 − T1) = t2MinusT1w − t1MinusT1w and (T3 − T4) = t3MinusT4w − t1MinusT1w.
    this.offset = (t2MinusT1w + t3MinusT4w) / 2 - t1MinusT1w;
    let side = this.capturedAt(q.path);
    if (side === 'unknown') {
      // Whose clock does the capture clock agree with: the client's T1 or the server's T2?
      side = Math.abs(t1MinusT1w) <= Math.abs(t2MinusT1w) + CLOCK_AGREEMENT ? 'client' : 'server';
    }
    if (side !== 'client') return ONE_WAY;
    this.delay = t2MinusT1w - t3MinusT4w;
    return AT_CLIENT;
  }

  /**
   * Ends the stream: requests still open count as unanswered unless they were sent in the last `endGrace` s.
   * `until`, when known (a live capture's stop time), is when the window closed; otherwise the last frame's time.
   */
  end(until?: WallTime): void {
    const lastWall: WallTime = { sec: this.lastSec, nsec: this.lastNsec };
    const last = until !== undefined && wallDiff(until, lastWall) > 0 ? until : lastWall;
    for (const p of this.withOpen) {
      for (const q of p.open.values()) {
        if (last.sec - q.sec + (last.nsec - q.nsec) / 1e9 < this.endGrace) {
          // Too young to call unanswered, but counted all the same: evidence counts every request.
          q.done = true;
          p.open.delete(q.key);
          p.acc.addPending(q.frame);
        } else this.finish(q, this.baseExchange(q));
      }
      p.listed = false;
    }
    this.withOpen = [];
  }

  pathObservations(): NtpPathObservation[] {
    return this.pathList.map((p) => p.acc.toObservation(this.capturedAt(p)));
  }

  /** The udp-checksum observations: the tracker's, with the good checksums counted per path added to its senders. */
  checksumObservations(): ChecksumObservation[] {
    // Only senders with a bad checksum are observed, and those the tracker has already.
    this.foldGood(false);
    return this.checksums.observations();
  }

  /** The checksum tracker's state for merging shards: every sender (another shard may have its bad ones). */
  checksumState(): ChecksumState {
    this.foldGood(true);
    return this.checksums.state();
  }

  /**
   * Hands the good checksums counted per path to the tracker (ChecksumTracker.addGood: to the senders it has, or to
   * every sender if `all`); what it takes is cleared, so it is never handed over twice.
   */
  private foldGood(all: boolean): void {
    const t = this.checksums;
    for (const p of this.pathList) {
      if (p.goodFromClient > 0 && t.addGood(p.client, p.server, p.goodFromClient, p.firstGoodFromClient, all)) {
        p.goodFromClient = 0;
        p.firstGoodFromClient = -1;
      }
      if (p.goodFromServer > 0 && t.addGood(p.server, p.client, p.goodFromServer, p.firstGoodFromServer, all)) {
        p.goodFromServer = 0;
        p.firstGoodFromServer = -1;
      }
    }
  }

  /** The paths with what merging shards needs (src/parallel/merge.ts). */
  shardPaths(): ShardPath[] {
    return this.pathList.map((p) => ({ firstFrame: p.firstFrame, observation: p.acc.toObservation(this.capturedAt(p)) }));
  }
}

/** How a reply's offset was measured (Correlator.measure): not at all, at the client (θ and δ), or one way (θ). */
type Measured = 0 | 1 | 2;
const NOT_MEASURED = 0;
const AT_CLIENT = 1;
const ONE_WAY = 2;

/**
 * The exchange of request `q` and its reply, built as one literal per shape so every field is in the object from
 * the start (a field added later costs a property store and, beyond the literal's own, a backing array — once per
 * reply). Field order: baseExchange's, then the reply's, then the measurement's (JSON output keeps this order).
 */
function replyExchange(q: Pending, replyFrame: number, replyTime: number, reply: ReplySummary, measured: Measured, offset: number, delay: number): NtpExchange {
  const client = { ip: q.path.client, port: q.clientPort };
  const server = q.path.acc.server;
  const requestTime = q.sec + q.nsec / 1e9;
  const requestTransmit = { seconds: q.tSec, fraction: q.tFrac };
  const outcome = 'reply';
  if (measured === AT_CLIENT) {
    return { client, server, requestFrame: q.frame, requestTime, requestVersion: q.version, requestMode: q.mode, requestTransmit, outcome, replyFrame, replyTime, reply, offset, delay, offsetMethod: 'capture-client' };
  }
  if (measured === ONE_WAY) {
    return { client, server, requestFrame: q.frame, requestTime, requestVersion: q.version, requestMode: q.mode, requestTransmit, outcome, replyFrame, replyTime, reply, offset, offsetMethod: 'one-way' };
  }
  return { client, server, requestFrame: q.frame, requestTime, requestVersion: q.version, requestMode: q.mode, requestTransmit, outcome, replyFrame, replyTime, reply };
}

/**
 * Refills `x`, one of the reused reply exchanges (made by replyExchange with the same Measured shape), with
 * request `q` and reply `t`: every field replyExchange and summarizeReply would set, in place.
 */
function fillReplyExchange(x: NtpExchange, q: Pending, t: TimeFrame, replyTime: number, refidText: string, offset: number, delay: number): void {
  // Pointers only when they change: a store into a long-lived object is a write barrier's work.
  const client = x.client;
  if (client.ip !== q.path.client) client.ip = q.path.client;
  client.port = q.clientPort;
  if (x.server !== q.path.acc.server) x.server = q.path.acc.server;
  x.requestFrame = q.frame;
  x.requestTime = q.sec + q.nsec / 1e9;
  x.requestVersion = q.version;
  x.requestMode = q.mode;
  x.requestTransmit.seconds = q.tSec;
  x.requestTransmit.fraction = q.tFrac;
  x.replyFrame = t.frame;
  x.replyTime = replyTime;
  const r = x.reply as ReplySummary;
  r.leap = t.leap;
  r.version = t.version;
  r.mode = t.mode;
  r.stratum = t.stratum;
  r.poll = t.poll;
  r.precision = t.precision;
  r.rootDelay = t.rootDelay;
  r.rootDispersion = t.rootDispersion;
  r.refid = t.refid;
  if (r.refidText !== refidText) r.refidText = refidText;
  r.referenceTime.seconds = t.refSec;
  r.referenceTime.fraction = t.refFrac;
  // The origin equals the request's transmit (the match above).
  r.originTime.seconds = q.tSec;
  r.originTime.fraction = q.tFrac;
  r.receiveTime.seconds = t.rcvSec;
  r.receiveTime.fraction = t.rcvFrac;
  r.transmitTime.seconds = t.xmtSec;
  r.transmitTime.fraction = t.xmtFrac;
  if (x.offset !== undefined) x.offset = offset;
  if (x.delay !== undefined) x.delay = delay;
}

function summarizeReply(t: TimeFrame, refidText: string): ReplySummary {
  return {
    leap: t.leap,
    version: t.version,
    mode: t.mode,
    stratum: t.stratum,
    poll: t.poll,
    precision: t.precision,
    rootDelay: t.rootDelay,
    rootDispersion: t.rootDispersion,
    refid: t.refid,
    refidText,
    referenceTime: { seconds: t.refSec, fraction: t.refFrac },
    originTime: { seconds: t.orgSec, fraction: t.orgFrac },
    receiveTime: { seconds: t.rcvSec, fraction: t.rcvFrac },
    transmitTime: { seconds: t.xmtSec, fraction: t.xmtFrac },
  };
}

/**
 * A data-minimized client request (chrony ≥ 4, ntpsec; draft-ietf-ntp-data-minimization) zeroes every field but
 * a random transmit cookie and sets precision to 0x20 (2^32 s, no real clock): T1 is then no clock reading.
 */
export function hidesClock(t: Pick<TimeFrame, 'precision' | 'rootDelay' | 'rootDispersion' | 'refSec' | 'refFrac'>): boolean {
  return t.precision >= 20 && t.rootDelay === 0 && t.rootDispersion === 0 && t.refSec === 0 && t.refFrac === 0;
}

/** Was `key` (a transmit timestamp's key) answered among the path's last RECENT_ANSWERED replies? */
function recentlyAnswered(p: PathState, key: number): boolean {
  const answered = p.answered;
  for (let i = 0; i < answered.length; i++) if (answered[i] === key) return true;
  return false;
}



