/**
 * Streams frames into client↔server paths: requests matched with replies by origin = client transmit (RFC 5905
 * §8), ICMP errors matched with the request they quote, requests left unanswered. State is bounded by the open
 * requests (expired after `requestTimeout`) and the number of paths, never by the number of packets.
 *
 * Its pieces, each on its own: the path table (./paths.ts) and per-path state and counters (./path-state.ts),
 * open requests (./open.ts), the packet tests (./reply-tests.ts), measurement (./measure.ts), the one builder of
 * exchanges (src/observe/exchange.ts) and the per-path summary (src/observe/accumulate.ts).
 *
 * Two frame shapes come in, on purpose: `feed` takes a DecodedFrame (the full, allocating decode with its issues,
 * control messages and every odd header: the library's public shape, src/index.ts), the analysis loop hands the
 * plain mode 3/4 and ICMP-error frames straight as primitives (feedTime, feedIcmp: reused records, no object per
 * frame; src/correlate/records.ts). feed() converts to the same records (timeFrameOf, icmpFrameOf), so one code
 * path below handles both, and the fast-path tests prove the two decodes equal.
 */
import { IcmpFrame, icmpFrameOf } from '../decode/icmp-frame.js';
import { timeFrameOf, TimeFrame } from '../decode/time-frame.js';
import type { DecodedFrame } from '../decode/types.js';
import {
  NOT_MEASURED,
  orphanReplyExchange,
  fillReply,
  replyExchange,
  replySummary,
  requestExchange,
  unseenRequestExchange,
} from '../observe/exchange.js';
import type { ChecksumObservation, NtpPathObservation } from '../model/observation.js';
import { ChecksumTracker, type ChecksumState } from './checksums.js';
import { partsKey, wallDiff, type WallTime } from '../net/wall-time.js';
import { ControlTracker } from './control.js';
import { asksInterleaved, interleavedRequest, measureInterleaved, noteExchange } from './interleaved.js';
import { hidesClock, measure, type Measurement } from './measure.js';
import { RECEIVE_AFTER_TRANSMIT, ZERO_TRANSMIT } from '../ntp/tests.js';
import { countReplyChecksum, countRequestChecksum, foldGoodChecksums, RefidTexts } from './path-counters.js';
import { capturedAt, noteAnswered, noteSide, pendingFor, recentlyAnswered, type Pending, type PathState } from './path-state.js';
import { PathBook } from './paths.js';
import { FAILED_TEST1, failedTestNames, packetTests } from './reply-tests.js';
import type { NtpExchange } from '../model/exchange.js';

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

/** One path of a shard's result (src/parallel/merge.ts puts the shards' paths back in single-thread order). */
export interface ShardPath {
  firstFrame: number;
  observation: NtpPathObservation;
}

/** Finished requests kept for reuse (a few suffice: requests are mostly answered before the next one). */
const SPARE_REQUESTS = 64;

export class Correlator {
  private readonly paths = new PathBook();
  /** Paths that have open requests: the only ones an expiry sweep needs to visit. */
  private withOpen: PathState[] = [];
  /** Capture time (s) of the next expiry sweep. */
  private nextSweep = 0;
  /** Latest capture time seen (WallTime's two parts). */
  private lastSec = 0;
  private lastNsec = 0;
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
  private readonly replies: Array<NtpExchange | undefined> = [undefined, undefined, undefined, undefined];
  /** What measure() found for the reply at hand (one record: no object per reply). */
  private readonly measured: Measurement = { offset: 0.5, delay: 0.5 };
  private readonly refids = new RefidTexts();
  /** feed()'s frames as primitives (one record each, reused). */
  private readonly icmpScratch = new IcmpFrame();
  private readonly scratch = new TimeFrame();

  constructor(private readonly options: CorrelatorOptions = {}) {
    this.timeout = options.requestTimeout ?? 10;
    this.endGrace = options.endGrace ?? 1;
    this.checksums = new ChecksumTracker(options.localIps);
    this.localIps = options.localIps?.size ? options.localIps : undefined;
  }

  feed(f: DecodedFrame): void {
    this.tick(f.tsSec, f.tsNsec);
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
    else if (timeFrameOf(f, this.scratch, true)) this.onSymmetric(this.scratch);
    else this.checksums.add(f, ip.src);
  }

  /** A mode 3 or 4 frame decoded straight to primitives (src/decode/time-frame.ts): feed() without the objects. */
  feedTime(t: TimeFrame): void {
    this.tick(t.sec, t.nsec);
    this.ntpFrames++;
    this.onTime(t);
  }

  /** An ICMP error decoded straight to primitives (src/decode/icmp-frame.ts): feed() without the objects. */
  feedIcmp(e: IcmpFrame): void {
    this.tick(e.sec, e.nsec);
    this.onIcmp(e);
  }

  /**
   * A frame at capture time sec + nsec that carries nothing for the correlator: it still moves the capture clock,
   * which times requests out and tells when the capture ended.
   */
  tick(sec: number, nsec: number): void {
    // Later than the latest so far (nsec < 1e9, so the seconds decide unless equal).
    if (sec > this.lastSec || (sec === this.lastSec && nsec > this.lastNsec)) {
      this.lastSec = sec;
      this.lastNsec = nsec;
    }
    if (sec >= this.nextSweep) this.expire(sec, nsec);
  }

  private onTime(t: TimeFrame): void {
    if (t.mode === 3) this.onRequest(t);
    else this.onReply(t);
  }

  /**
   * RFC 5905 §9.2 and §8 (on-wire protocol) in the symmetric modes: mode 1 (symmetric active: ntpd's `peer`, w32time
   * in symmetric mode) is a request and mode 2 (symmetric passive) its reply, matched as mode 3/4 are, by origin =
   * the request's transmit (so `nopeer` servers show as unanswered mode 1). Two active peers answer each other in
   * mode 1: a mode 1 whose origin is an open request of the reverse path answers that request, and asks in turn.
   */
  private onSymmetric(t: TimeFrame): void {
    if (t.mode === 5) {
      this.onBroadcast(t);
      return;
    }
    if (t.mode === 2) {
      this.onReply(t);
      return;
    }
    if ((t.orgSec !== 0 || t.orgFrac !== 0) && this.paths.find(t, false)?.open.get(partsKey(t.orgSec, t.orgFrac)) !== undefined) this.onReply(t);
    this.onRequest(t);
  }

  /**
   * Broadcast (mode 5, RFC 5905 §9.2 / §8): a server's time nobody asked for, judged on its own terms — a reply without
   * a request on the path from the sender to the broadcast (or multicast) address, so its stratum, leap, refid and
   * root distance are judged as any server's; never an unanswered request, never an origin test (origin is zero).
   * No offset: a broadcast client knows neither T1 nor the delay (ntpd calibrates it with a volley, seen as mode 3).
   */
  private onBroadcast(t: TimeFrame): void {
    const p = this.paths.ofReply(t);
    noteSide(p, this.localIps, t.packetType, false);
    countReplyChecksum(this.checksums, p, t, undefined);
    this.refids.note(p, t);
    // A broadcast has no request: origin and receive are zero by design (RFC 5905 §9.2); only a zero transmit is
    // invalid (test3 as a broadcast client applies it).
    const failed = packetTests(t, false, false) & ZERO_TRANSMIT;
    const time = t.sec + t.nsec / 1e9;
    const x = orphanReplyExchange({ ip: p.client, port: t.dstPort }, { ip: p.server, port: t.srcPort }, time, t, replySummary(t, p.refidText));
    x.requestMode = 5;
    const bogus = failedTestNames(failed);
    if (bogus !== undefined) x.bogus = bogus;
    p.acc.addOutcome(x, Number.MAX_SAFE_INTEGER);
  }

  private onRequest(t: TimeFrame): void {
    const p = this.paths.ofRequest(t);
    noteSide(p, this.localIps, t.packetType, true);
    const seq = p.acc.addRequest(t.frame, t.sec + t.nsec / 1e9, t.srcPort);
    const key = partsKey(t.xmtSec, t.xmtFrac);
    const q = pendingFor(this.spare.pop(), p, key, seq, t, hidesClock(t));
    // Good checksums are counted per path (most datagrams: no state per sender, see ChecksumTracker.addGood).
    countRequestChecksum(this.checksums, p, t);
    const older = p.open.get(key);
    if (older) this.finish(older, this.requestExchange(older));
    p.open.add(q);
    if (!p.listed) {
      p.listed = true;
      this.withOpen.push(p);
    }
  }

  private onReply(t: TimeFrame): void {
    const p = this.paths.ofReply(t);
    noteSide(p, this.localIps, t.packetType, false);
    const key = partsKey(t.orgSec, t.orgFrac);
    let pending = p.open.get(key);
    if (pending && (pending.clientPort !== t.dstPort || pending.tSec !== t.orgSec || pending.tFrac !== t.orgFrac)) {
      pending = undefined;
    }
    // RFC 5905 §8 test 1 (duplicate) and test 2 (origin): see ./reply-tests.ts.
    let duplicate = false;
    let originMismatch = false;
    if (!pending) {
      if (recentlyAnswered(p, key)) duplicate = true;
      else if (p.previous !== undefined && (pending = interleavedRequest(p, t)) !== undefined) {
        this.onInterleaved(p, pending, t, key);
        return;
      } else {
        // A reply to an open request on the same port with another origin is bogus; one with no request at all was
        // sent before the capture began.
        pending = p.open.latest((o) => o.clientPort === t.dstPort);
        if (pending) originMismatch = true;
      }
    }
    countReplyChecksum(this.checksums, p, t, pending);
    // Cached per path: formatting the refid on every reply is the single most expensive thing here.
    this.refids.note(p, t);
    const failed = packetTests(t, duplicate, originMismatch);
    const replyTime = t.sec + t.nsec / 1e9;
    if (!pending) {
      // A reply whose request is not in the capture still tells us about the server.
      const reply = replySummary(t, p.refidText);
      const orphan = orphanReplyExchange({ ip: p.client, port: t.dstPort }, { ip: p.server, port: t.srcPort }, replyTime, t, reply);
      const bogus = failedTestNames(failed);
      if (bogus !== undefined) orphan.bogus = bogus;
      p.acc.addOutcome(orphan, Number.MAX_SAFE_INTEGER);
      return;
    }
    const q = pending;
    const zeroTimes = (t.xmtSec === 0 && t.xmtFrac === 0) || (t.rcvSec === 0 && t.rcvFrac === 0);
    const m = this.measured;
    const measured = failed === 0 && !zeroTimes ? measure(q, t, m) : NOT_MEASURED;
    const server = p.acc.server;
    // The common case reuses one object per shape (no allocation per reply) when nobody else keeps the exchange:
    // no live view listening.
    if (failed === 0 && this.options.onExchange === undefined) {
      const shape = measured + 1;
      // Straight into the accumulator's kept copy when it has one of this shape to replace (no copy at all).
      const x = p.acc.slotFor(shape) ?? (this.replies[measured] ??= replyExchange(q, p.client, server, t.frame, replyTime, replySummary(t, ''), measured, 0, 0));
      fillReply(x, q, p.client, server, t, replyTime, p.refidText, m.offset, m.delay);
      if (asksInterleaved(q)) noteExchange(p, q, t);
      this.finish(q, x, shape);
      noteAnswered(p, key);
      return;
    }
    if (failed === 0 && asksInterleaved(q)) noteExchange(p, q, t);
    const x = replyExchange(q, p.client, server, t.frame, replyTime, replySummary(t, p.refidText), measured, m.offset, m.delay);
    const bogus = failedTestNames(failed);
    if (bogus !== undefined) x.bogus = bogus;
    this.finish(q, x);
    if ((failed & FAILED_TEST1) === 0) noteAnswered(p, key);
  }

  /**
   * A reply in interleaved mode (./interleaved.ts: origin = request `q`'s receive field): measured on the previous
   * exchange, never called bogus for its origin or for transmit < receive (chrony's tests in this mode).
   */
  private onInterleaved(p: PathState, q: Pending, t: TimeFrame, key: number): void {
    countReplyChecksum(this.checksums, p, t, q);
    this.refids.note(p, t);
    const failed = packetTests(t, false, false) & ~RECEIVE_AFTER_TRANSMIT;
    const zeroTimes = (t.xmtSec === 0 && t.xmtFrac === 0) || (t.rcvSec === 0 && t.rcvFrac === 0);
    const m = this.measured;
    const measured = failed === 0 && !zeroTimes ? measureInterleaved(p, t, m) : NOT_MEASURED;
    const x = replyExchange(q, p.client, p.acc.server, t.frame, t.sec + t.nsec / 1e9, replySummary(t, p.refidText), measured, m.offset, m.delay);
    x.interleaved = true;
    const bogus = failedTestNames(failed);
    if (bogus !== undefined) x.bogus = bogus;
    if (failed === 0) noteExchange(p, q, t);
    this.finish(q, x);
    noteAnswered(p, key);
  }

  private onIcmp(e: IcmpFrame): void {
    // Only errors answering a request to an NTP server (quoted destination port 123, or a client-mode payload).
    if (e.dstPort !== 123 && !(e.hasTime && e.mode === 3)) return;
    this.ntpFrames++;
    const p = e.version === 4 ? this.paths.v4(e.frame, e.srcWord, e.srcPort, e.dstWord, e.dstPort) : this.paths.text(e.frame, e.src, e.srcPort, e.dst, e.dstPort);
    let pending: Pending | undefined;
    if (e.hasTime) {
      const cand = p.open.get(partsKey(e.xmtSec, e.xmtFrac));
      if (cand && cand.clientPort === e.srcPort) pending = cand;
    }
    pending ??= p.open.latest((o) => o.clientPort === e.srcPort);
    const info = { frame: e.frame, version: e.version, type: e.type, code: e.code, reporter: e.reporter };
    if (!pending) {
      // The request itself is not in the capture (a filter on ICMP only, or it fell before the start).
      const time = e.sec + e.nsec / 1e9;
      const seq = p.acc.addRequest(e.frame, time, e.srcPort);
      const transmit = { seconds: e.xmtSec, fraction: e.xmtFrac };
      const x = unseenRequestExchange({ ip: e.src, port: e.srcPort }, { ip: e.dst, port: e.dstPort }, e.frame, time, e.ntpVersion, transmit);
      x.outcome = 'icmp';
      x.icmp = info;
      p.acc.addOutcome(x, seq);
      return;
    }
    const x = this.requestExchange(pending);
    x.outcome = 'icmp';
    x.icmp = info;
    this.finish(pending, x);
  }

  private requestExchange(q: Pending): NtpExchange {
    return requestExchange(q, q.path.client, q.path.acc.server);
  }

  /**
   * `x` is the request's complete exchange (requestExchange plus what answered it). `shape` above 0: `x` is one of
   * this.replies (or the accumulator's own slot), the accumulator's to copy (PathAccumulator.addOutcome).
   */
  private finish(q: Pending, x: NtpExchange, shape = 0): void {
    if (q.done) return;
    q.done = true;
    q.path.open.delete(q.key);
    q.path.acc.addOutcome(x, q.seq, shape);
    this.options.onExchange?.(x);
    // Nothing refers to a finished request any more (its exchange has its own objects): reuse it.
    if (this.spare.length < SPARE_REQUESTS) this.spare.push(q);
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
          if (sec - q.sec + (nsec - q.nsec) / 1e9 >= this.timeout) this.finish(q, this.requestExchange(q));
        }
      }
      if (p.open.size === 0) p.listed = false;
      else list[kept++] = p;
    }
    list.length = kept;
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
        } else this.finish(q, this.requestExchange(q));
      }
      p.listed = false;
    }
    this.withOpen = [];
  }

  pathObservations(): NtpPathObservation[] {
    return this.paths.list.map((p) => p.acc.toObservation(capturedAt(p)));
  }

  /** The udp-checksum observations: the tracker's, with the good checksums counted per path added to its senders. */
  checksumObservations(): ChecksumObservation[] {
    // Only senders with a bad checksum are observed, and those the tracker has already.
    foldGoodChecksums(this.checksums, this.paths.list, false);
    return this.checksums.observations();
  }

  /** The checksum tracker's state for merging shards: every sender (another shard may have its bad ones). */
  checksumState(): ChecksumState {
    foldGoodChecksums(this.checksums, this.paths.list, true);
    return this.checksums.state();
  }

  /** The paths with what merging shards needs (src/parallel/merge.ts). */
  shardPaths(): ShardPath[] {
    return this.paths.list.map((p) => ({ firstFrame: p.firstFrame, observation: p.acc.toObservation(capturedAt(p)) }));
  }
}
