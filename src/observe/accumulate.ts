/**
 * Incremental summary of one client↔server path (PathAccumulator): counts, running statistics and frame samples,
 * fed by the capture correlator as frames stream by and by the probe with its samples (./path.ts). Its pieces:
 * frame samples (./samples.ts), source ports (./ports.ts), kept exchanges (./kept.ts, copies by ./exchange.ts).
 */
import type { Endpoint, NtpExchange } from '../model/exchange.js';
import { ntpPartsDiffSeconds } from '../ntp/timestamp.js';
import { AT_CLIENT, CAPTURE_TIMES, NOT_MEASURED, ONE_WAY, type Measured, type ReplyFields, type ReplyMeasure, type RequestRecord } from './exchange.js';
import { KEEP_EXCHANGES, KeptExchanges } from './kept.js';
import { PortSet } from './ports.js';
import type { RequestClasses } from '../model/observation.js';
import { copyClasses, countApart, countRequestApart, isCountedApart, isRequestCountedApart } from './request-classes.js';
import { addToSample, addValue, copySeen, NONE, SAMPLE_FRAMES } from './samples.js';
import type { FrameSample, IcmpSeen, NtpPathObservation, Stats, ValueSeen } from '../model/observation.js';

export { CITED_EXCHANGES, KEEP_EXCHANGES } from './kept.js';
export { inexactPorts, NAMED_PORTS } from './ports.js';
export { addToSample, DISTINCT_VALUES, mergeSamples, newSample, SAMPLE_FRAMES } from './samples.js';
import { DISTINCT_VALUES } from './samples.js';
import {
  BEST_DELAY,
  BEST_OFFSET,
  DELAY,
  FIRST_REQUEST,
  INITIAL,
  INITIAL_COUNTS,
  LAST_REQUEST,
  MIN_INTERVAL,
  OFFSET,
  REFERENCE_AGE,
  REPLIES,
  REQUESTS,
  ROOT_DELAY,
  ROOT_DISPERSION,
  ROOT_DISTANCE,
  UNANSWERED,
  addFrame,
  addStat,
  framesOf,
  sampleOf,
  statOf,
} from './path-numbers.js';


/** Outcomes remembered individually to tell "answered early, silent later" (rate limiting) on short runs. */
const EARLY_WINDOW = 16;

/** The keeper of the paths that keep no exchange: stateless (KeptExchanges keeps nothing when both counts are 0). */
const NO_KEPT = new KeptExchanges({ first: 0, last: 0 }, { ip: '', port: 0 }, { ip: '', port: 0 });

/** The reply fields a path's numbers are made of (src/decode/time-frame.ts TimeFrame has them all). */
type ReplyNumbers = Pick<ReplyFields, 'frame' | 'stratum' | 'leap' | 'refSec' | 'refFrac' | 'xmtSec' | 'xmtFrac' | 'rootDelay' | 'rootDispersion'>;
/** addReply's records, refilled per exchange (an accumulator runs on one thread; each worker has its own module). */
const OF_EXCHANGE: ReplyNumbers = { frame: 0, stratum: 0, leap: 0, refSec: 0.5, refFrac: 0.5, xmtSec: 0.5, xmtFrac: 0.5, rootDelay: 0.5, rootDispersion: 0.5 };
const MEASURE_OF_EXCHANGE: ReplyMeasure = { replyTime: 0.5, offset: 0.5, delay: 0.5 };
/**
 * The time of the request being added (addRequest → request), passed here so that no double is an argument (a double
 * argument to a call V8 does not inline is boxed, one heap number per request). Not a field: a double field is a heap
 * number of its own per accumulator (100 k of them on 100 k paths), an element of this array none.
 */
const AT = new Float64Array(1);

/**
 * Incremental summary of one client↔server path. The capture correlator feeds it as frames stream by; the probe
 * feeds it its samples (summarizePath). Memory is bounded whatever the number of exchanges, and small per path:
 * numbers in two arrays (counts, doubles), lists allocated only once they get an entry.
 */
export class PathAccumulator extends PortSet {
  private readonly n: number[] = INITIAL.slice();
  private icmp: IcmpSeen[] | undefined = undefined;
  /**
   * Stratum, leap and refid of the replies. Every reply adds one of each, so while all replies carried the same
   * value that value's sample is the replies' sample: only the value is kept (`…One`), and the list is built
   * when a second value shows up.
   */
  private strata: ValueSeen<number>[] | undefined = undefined;
  private stratumOne = 0;
  private leaps: ValueSeen<number>[] | undefined = undefined;
  private leapOne = 0;
  private refids: ValueSeen<string>[] | undefined = undefined;
  private refidOne = '';
  private kissCodes: ValueSeen<string>[] | undefined = undefined;
  private bogus: ValueSeen<string>[] | undefined = undefined;
  private hasBestOffset = false;
  private offsetMethod: NtpExchange['offsetMethod'] = undefined;
  private readonly kept: KeptExchanges;
  /** Requests the capture ended too soon after to judge (Correlator.end): made when the first one comes. */
  private pending: FrameSample | undefined = undefined;
  private finished = 0;
  /** Bit i set: request i (of the first EARLY_WINDOW, by request order) was answered. */
  private earlyAnswered = 0;
  private answeredTotal = 0;
  /** Requests counted apart (./request-classes.ts): made with the first such request. */
  private classes: RequestClasses | undefined = undefined;

  constructor(
    readonly source: 'capture' | 'probe',
    readonly client: Endpoint,
    readonly server: Endpoint,
    /** How many exchanges the path keeps (KeptExchanges): the first and last few, or none past MANY_PATHS. */
    private readonly keepCounts: { first: number; last: number } = KEEP_EXCHANGES,
  ) {
    // The source ports (PortSet, this class's base: its fields in this object, not one of their own — on 100 k paths,
    // an object less each and a dependent load less per request) are counted exactly only where exchanges are kept
    // (the first MANY_PATHS paths of a capture).
    // Its ports are named in the path's array of counts (`c`, ./path-numbers.ts), made here for both.
    super(keepCounts.first > 0 || keepCounts.last > 0, INITIAL_COUNTS.slice());
    // A path that keeps none (past MANY_PATHS) shares one empty keeper: it never changes (100 k paths, 100 k objects less).
    this.kept = keepCounts.first === 0 && keepCounts.last === 0 ? NO_KEPT : new KeptExchanges(keepCounts, client, server);
  }

  /**
   * A request went out (frame or sample index, time in s since the epoch, the client's source port when known).
   * Returns its 0-based sequence.
   */
  addRequest(frame: number, time: number, port = -1): number {
    AT[0] = time;
    return this.request(frame, port);
  }

  /**
   * addRequest for a captured request given by its record (frame, capture time in two parts, source port): the
   * capture correlator's way in, where the time as a double argument would be boxed per request (see ReplyMeasure).
   */
  addRequestOf(r: { frame: number; sec: number; nsec: number; srcPort: number }): number {
    AT[0] = r.sec + r.nsec / 1e9;
    return this.request(r.frame, r.srcPort);
  }

  /** addRequest with its time in AT[0]. */
  private request(frame: number, port: number): number {
    const time = AT[0]!;
    if (port !== this.lastPort) this.note(port);
    const n = this.n;
    const seq = this.c[REQUESTS]!;
    addFrame(this.c, n, REQUESTS, frame);
    if (time < n[FIRST_REQUEST]!) n[FIRST_REQUEST] = time;
    const last = n[LAST_REQUEST]!;
    if (last !== -Infinity) {
      const gap = time - last;
      if (gap >= 0 && gap < n[MIN_INTERVAL]!) n[MIN_INTERVAL] = gap;
    }
    if (time > last) n[LAST_REQUEST] = time;
    return seq;
  }

  /** The request's fate is known: reply, ICMP error or nothing. `seq` is what addRequest returned. */
  addOutcome(x: NtpExchange, seq: number): void {
    const answered = x.outcome === 'reply';
    if (seq < EARLY_WINDOW && answered) this.earlyAnswered |= 1 << seq;
    if (answered) this.answeredTotal++;
    // Cited: one of its frames is among a sample's examples, which evidence lists (the request's, for a start).
    let cited = seq < SAMPLE_FRAMES;
    if (x.outcome === 'none') {
      if (this.c[UNANSWERED]! < SAMPLE_FRAMES) cited = true;
      addFrame(this.c, this.n, UNANSWERED, x.requestFrame);
    } else if (x.outcome === 'icmp' && x.icmp) {
      if (this.addIcmp(x.icmp)) cited = true;
    }
    if (x.reply && x.replyFrame !== undefined && this.addReply(x)) cited = true;
    this.finished++;
    this.kept.keep(x, cited);
    // Mode 3 from source port 123 and mode 1, counted apart (./request-classes.ts).
    if (isCountedApart(x)) this.classes = countApart(this.classes, x);
  }

  /**
   * addOutcome for the capture correlator's common case, given as records: request `q` answered by reply `t`, every
   * packet test passed, measured as `measured` says into `m` (with the reply's capture time). No exchange object is
   * made unless one is kept among the first or cited ones (KeptExchanges.keepReply packs the rest), and no double is
   * an argument (see ReplyMeasure).
   */
  addMeasuredReply(q: RequestRecord & { seq: number }, t: ReplyFields, m: ReplyMeasure, refidText: string, measured: Measured): void {
    const seq = q.seq;
    if (seq < EARLY_WINDOW) this.earlyAnswered |= 1 << seq;
    this.answeredTotal++;
    let cited = seq < SAMPLE_FRAMES;
    const method = measured === NOT_MEASURED ? undefined : measured === AT_CLIENT ? 'capture-client' : measured === CAPTURE_TIMES ? 'capture-times' : 'one-way';
    if (this.addReplyOf(t, refidText, undefined, measured, m, method)) cited = true;
    this.finished++;
    this.kept.keepReply(q, t, m, refidText, measured, cited);
    if (isRequestCountedApart(q.mode, q.clientPort)) {
      this.classes = countRequestApart(this.classes, q.mode, q.frame, q.sec + q.nsec / 1e9, false, t.frame);
    }
  }

  /** A request the capture ended too soon after to tell whether it was answered (no outcome will come). */
  addPending(frame: number): void {
    addToSample((this.pending ??= { count: 0, frames: [] }), frame);
  }

  /** True when the ICMP error's frame was kept among its kind's examples. */
  private addIcmp(icmp: NonNullable<NtpExchange['icmp']>): boolean {
    const list = (this.icmp ??= []);
    // A loop, not find(): no closure per ICMP error (a capture of a blocked server is mostly these).
    let seen: IcmpSeen | undefined;
    for (let i = 0; i < list.length; i++) {
      const e = list[i]!;
      if (e.type === icmp.type && e.code === icmp.code && e.reporter === icmp.reporter && e.version === icmp.version) {
        seen = e;
        break;
      }
    }
    if (!seen) {
      if (list.length >= DISTINCT_VALUES) return false;
      seen = { version: icmp.version, type: icmp.type, code: icmp.code, reporter: icmp.reporter, count: 0, frames: [] };
      if (icmp.errno !== undefined) seen.errno = icmp.errno;
      if (icmp.alternatives?.length) seen.alternatives = icmp.alternatives;
      list.push(seen);
    }
    const kept = seen.count < SAMPLE_FRAMES;
    addToSample(seen, icmp.frame);
    return kept;
  }

  /**
   * The replies before this one, all with value `one`, as that value's entry (see `strata`). `frames`: those replies'
   * frames when the caller has them already (toObservation shares one array: an observation never changes).
   */
  private sameAsReplies<T>(one: T, before: number, frames: number[] = framesOf(this.n, REPLIES, before)): ValueSeen<T>[] {
    return [{ value: one, count: before, frames }];
  }

  /** True when the reply's frame was kept among the examples of a sample (replies, a value of a field, a kiss code...). */
  private addReply(x: NtpExchange): boolean {
    const r = x.reply!;
    const f = OF_EXCHANGE;
    f.frame = x.replyFrame!;
    f.stratum = r.stratum;
    f.leap = r.leap;
    f.refSec = r.referenceTime.seconds;
    f.refFrac = r.referenceTime.fraction;
    f.xmtSec = r.transmitTime.seconds;
    f.xmtFrac = r.transmitTime.fraction;
    f.rootDelay = r.rootDelay;
    f.rootDispersion = r.rootDispersion;
    // Offsets of replies that failed a test stay out of the numbers.
    const m = MEASURE_OF_EXCHANGE;
    let measured: Measured = NOT_MEASURED;
    if (x.offset !== undefined && !(x.bogus && x.bogus.length)) {
      m.offset = x.offset;
      if (x.delay !== undefined) {
        m.delay = x.delay;
        measured = AT_CLIENT;
      } else measured = ONE_WAY;
    }
    return this.addReplyOf(f, r.refidText, x.bogus, measured, m, x.offsetMethod);
  }

  /**
   * addReply on the reply's numbers (`r`) and how it was measured (`m` as `measured` says: NOT_MEASURED, or an offset
   * and with AT_CLIENT or CAPTURE_TIMES a delay, by `method`).
   */
  private addReplyOf(
    r: ReplyNumbers,
    refidText: string,
    bogus: readonly string[] | undefined,
    measured: Measured,
    m: ReplyMeasure,
    method: NtpExchange['offsetMethod'],
  ): boolean {
    const { frame, stratum, leap, refSec, refFrac, xmtSec, xmtFrac, rootDelay, rootDispersion } = r;
    const c = this.c;
    const n = this.n;
    const before = c[REPLIES]!;
    // While every reply had one value of a field, that value's examples are the replies' (see `strata`).
    let cited = before < SAMPLE_FRAMES;
    addFrame(c, n, REPLIES, frame);
    if (this.strata !== undefined) cited = addValue(this.strata, stratum, frame) || cited;
    else if (before === 0) this.stratumOne = stratum;
    else if (stratum !== this.stratumOne) cited = addValue((this.strata = this.sameAsReplies(this.stratumOne, before)), stratum, frame) || cited;
    if (this.leaps !== undefined) cited = addValue(this.leaps, leap, frame) || cited;
    else if (before === 0) this.leapOne = leap;
    else if (leap !== this.leapOne) cited = addValue((this.leaps = this.sameAsReplies(this.leapOne, before)), leap, frame) || cited;
    if (this.refids !== undefined) cited = addValue(this.refids, refidText, frame) || cited;
    else if (before === 0) this.refidOne = refidText;
    else if (refidText !== this.refidOne) cited = addValue((this.refids = this.sameAsReplies(this.refidOne, before)), refidText, frame) || cited;
    if (stratum === 0 && /^[A-Z0-9 ]{1,4}$/.test(refidText)) cited = addValue((this.kissCodes ??= []), refidText.trim(), frame) || cited;
    if (bogus !== undefined) for (const b of bogus) cited = addValue((this.bogus ??= []), b, frame) || cited;
    // How long ago the server last set its clock (RFC 5905 §7.3 reference timestamp; zero: never, or not said).
    if ((refSec !== 0 || refFrac !== 0) && (xmtSec !== 0 || xmtFrac !== 0)) {
      const age = ntpPartsDiffSeconds(xmtSec, xmtFrac, refSec, refFrac);
      if (age >= 0 && age < n[REFERENCE_AGE]!) n[REFERENCE_AGE] = age;
    }
    // Kiss-o'-death replies carry no usable time (RFC 5905 §7.4): keep them out of the numbers.
    if (stratum === 0) return cited;
    addStat(c, n, ROOT_DELAY, rootDelay);
    addStat(c, n, ROOT_DISPERSION, rootDispersion);
    // RFC 5905 §11.2.1 root distance, without the client's own peer delay/dispersion terms.
    addStat(c, n, ROOT_DISTANCE, rootDelay / 2 + rootDispersion);
    if (measured !== NOT_MEASURED) {
      const offset = m.offset;
      addStat(c, n, OFFSET, offset);
      if (method) this.offsetMethod = method;
      if (measured === AT_CLIENT || measured === CAPTURE_TIMES) {
        const delay = m.delay;
        addStat(c, n, DELAY, delay);
        // ntpd's clock filter (RFC 5905 §10) prefers the sample with the lowest delay.
        if (delay < n[BEST_DELAY]!) {
          n[BEST_DELAY] = delay;
          n[BEST_OFFSET] = offset;
          this.hasBestOffset = true;
        }
      } else if (!this.hasBestOffset) {
        n[BEST_OFFSET] = offset;
        this.hasBestOffset = true;
      }
    }
    return cited;
  }

  get exchangeCount(): number {
    return this.finished;
  }

  toObservation(capturedAt: NtpPathObservation['capturedAt']): NtpPathObservation {
    const c = this.c;
    const n = this.n;
    const replies = c[REPLIES]!;
    const firstRequestTime = n[FIRST_REQUEST]!;
    const lastRequestTime = n[LAST_REQUEST]!;
    // One array for the replies' frames and for each field's value while all replies had one (most paths, each of
    // stratum, leap and refid): 100 k paths made 300 k copies of it.
    const replyFrames = framesOf(n, REPLIES, replies);
    const obs: NtpPathObservation = {
      kind: 'ntp-path',
      source: this.source,
      client: this.client,
      server: this.server,
      capturedAt,
      requests: sampleOf(c, n, REQUESTS),
      unanswered: sampleOf(c, n, UNANSWERED),
      replies: { count: replies, frames: replyFrames },
      icmp: copySeen(this.icmp),
      firstRequestTime: Number.isFinite(firstRequestTime) ? firstRequestTime : 0,
      lastRequestTime: Number.isFinite(lastRequestTime) ? lastRequestTime : 0,
      strata: this.strata !== undefined ? copySeen(this.strata) : replies > 0 ? this.sameAsReplies(this.stratumOne, replies, replyFrames) : NONE,
      leaps: this.leaps !== undefined ? copySeen(this.leaps) : replies > 0 ? this.sameAsReplies(this.leapOne, replies, replyFrames) : NONE,
      refids: this.refids !== undefined ? copySeen(this.refids) : replies > 0 ? this.sameAsReplies(this.refidOne, replies, replyFrames) : NONE,
      kissCodes: copySeen(this.kissCodes),
      bogus: copySeen(this.bogus),
      exchanges: this.kept.list(),
      exchangeCount: this.finished,
    };
    const clientPorts = this.clientPorts(this.client.port);
    if (clientPorts !== undefined) obs.clientPorts = clientPorts;
    if (this.classes !== undefined) obs.requestClasses = copyClasses(this.classes);
    if (this.pending !== undefined) obs.pendingAtEnd = { count: this.pending.count, frames: this.pending.frames.slice() };
    const minInterval = n[MIN_INTERVAL]!;
    if (Number.isFinite(minInterval)) obs.minRequestInterval = minInterval;
    const set = <K extends 'rootDelay' | 'rootDispersion' | 'rootDistance' | 'offset' | 'delay'>(k: K, s?: Stats) => {
      if (s) obs[k] = s;
    };
    const bestDelay = n[BEST_DELAY]!;
    set('rootDelay', statOf(c, n, ROOT_DELAY));
    set('rootDispersion', statOf(c, n, ROOT_DISPERSION));
    set('rootDistance', statOf(c, n, ROOT_DISTANCE));
    set('offset', statOf(c, n, OFFSET, this.hasBestOffset ? n[BEST_OFFSET] : undefined));
    set('delay', statOf(c, n, DELAY, Number.isFinite(bestDelay) ? bestDelay : undefined));
    if (this.offsetMethod) obs.offsetMethod = this.offsetMethod;
    const referenceAge = n[REFERENCE_AGE]!;
    if (Number.isFinite(referenceAge)) obs.referenceAge = referenceAge;
    const requests = c[REQUESTS]!;
    const decided = Math.min(requests, this.finished);
    if (decided >= 4) {
      const [earlyN, earlyAnswered] = this.earlyCounts(decided);
      const lateN = decided - earlyN;
      if (earlyN > 0 && lateN > 0) {
        obs.answeredFirstHalf = earlyAnswered / earlyN;
        obs.answeredSecondHalf = (this.answeredTotal - earlyAnswered) / lateN;
      }
    }
    return obs;
  }

  /** Requests in the "early" part and how many of them were answered: the first half on short runs, else the first 8. */
  private earlyCounts(n: number): [number, number] {
    const earlyN = n <= EARLY_WINDOW ? Math.floor(n / 2) : EARLY_WINDOW / 2;
    let answered = 0;
    for (let i = 0; i < earlyN; i++) if (this.earlyAnswered & (1 << i)) answered++;
    return [earlyN, answered];
  }
}
