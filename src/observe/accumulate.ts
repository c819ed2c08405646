import type { Endpoint, NtpExchange, ReplySummary } from '../model/exchange.js';
import { ntpDiffSeconds } from '../ntp/timestamp.js';
import type { NtpTimestamp } from '../ntp/types.js';
import type { ClientPorts, FrameSample, IcmpSeen, NtpPathObservation, Stats, ValueSeen } from '../model/observation.js';

/** How many example frame numbers evidence keeps per fact; the counts stay exact. */
export const SAMPLE_FRAMES = 8;
/** Exchanges kept per path by default: the first and the last few (callers with many paths keep fewer). */
export const KEEP_EXCHANGES = { first: 6, last: 6 };
/** Outcomes remembered individually to tell "answered early, silent later" (rate limiting) on short runs. */
const EARLY_WINDOW = 16;
/**
 * Distinct values a field (refid, kiss code, failed test) or ICMP errors of distinct kinds listed per path at most: all
 * 256 strata fit; past that, a new value is not listed (its replies still count in `replies`).
 */
export const DISTINCT_VALUES = 256;
/**
 * Exchanges kept beyond the first and last few because evidence may cite them: each has a frame that made it into a
 * frame sample (the first SAMPLE_FRAMES requests, unanswered requests, replies, KoD replies of a code, ICMP errors of
 * a kind...). Bounded per path, since the number of distinct values (refids) is not.
 */
export const CITED_EXCHANGES = 64;
/** Source ports of a path's client named one by one; past this many, counted (see PortLog). */
export const NAMED_PORTS = 8;

/**
 * Exact count of a client's distinct source ports past the NAMED_PORTS a path names itself (PathAccumulator.notePort),
 * on the paths that may keep one (the first MANY_PATHS of a capture, as for kept exchanges).
 *
 * Each port is appended to a log (a sequential store per request) and the log folded into a 65536-bit map when it
 * fills: setting the bits straight away cost a cache miss per request (4 % of the bench, whose clients take a new
 * port per request as chrony does); folded in batches the map stays in cache. 16 KiB per path.
 */
class PortLog {
  private readonly log = new Uint16Array(PORT_LOG);
  private logged = 0;
  private readonly bits = new Uint8Array(8192);
  /** Bits set in `bits`. */
  private counted = 0;

  constructor(named: readonly number[]) {
    for (const p of named) this.add(p);
  }

  add(port: number): void {
    if (this.logged === PORT_LOG) this.fold();
    this.log[this.logged++] = port;
  }

  /** Sets the bits of the logged ports and empties the log. */
  private fold(): void {
    const bits = this.bits;
    const log = this.log;
    let counted = this.counted;
    for (let i = 0; i < this.logged; i++) {
      const port = log[i]!;
      const byte = bits[port >>> 3]!;
      const bit = 1 << (port & 7);
      if ((byte & bit) === 0) {
        bits[port >>> 3] = byte | bit;
        counted++;
      }
    }
    this.counted = counted;
    this.logged = 0;
  }

  get count(): number {
    this.fold();
    return this.counted;
  }
}

/** Ports logged before PortLog folds them into its bit map. */
const PORT_LOG = 4096;

/**
 * What ClientPorts a path would have had without an exact count (a path past MANY_PATHS, src/parallel/merge.ts):
 * the same as PathAccumulator gives when it may not keep a PortLog.
 */
export function inexactPorts(p: ClientPorts): ClientPorts {
  if (p.count <= NAMED_PORTS || p.atLeast) return p;
  return { count: NAMED_PORTS + 1, ports: p.ports, atLeast: true };
}

export function newSample(): FrameSample {
  return { count: 0, frames: [] };
}

export function addToSample(s: FrameSample, frame: number): void {
  s.count++;
  if (s.frames.length < SAMPLE_FRAMES) s.frames.push(frame);
}

/**
 * Two samples of the same fact from disjoint parts of one capture (shards, src/parallel/) as one: counts added,
 * and the earliest SAMPLE_FRAMES frames — what one sample fed every frame in order would hold, since addToSample
 * keeps the first ones.
 */
export function mergeSamples(a: FrameSample, b: FrameSample): FrameSample {
  const frames = [...a.frames, ...b.frames].sort((x, y) => x - y);
  if (frames.length > SAMPLE_FRAMES) frames.length = SAMPLE_FRAMES;
  return { count: a.count + b.count, frames };
}

/** Adds `frame` to the sample of `value`; true when the frame was kept among the sample's examples. */
function addValue<T>(list: ValueSeen<T>[], value: T, frame: number): boolean {
  let seen: ValueSeen<T> | undefined;
  for (let i = 0; i < list.length; i++) {
    if (list[i]!.value === value) {
      seen = list[i];
      break;
    }
  }
  if (!seen) {
    // Bounded: spoofed replies can carry millions of refids, and each new one would lengthen this scan.
    if (list.length >= DISTINCT_VALUES) return false;
    seen = { value, count: 0, frames: [] };
    list.push(seen);
  }
  const kept = seen.count < SAMPLE_FRAMES;
  addToSample(seen, frame);
  return kept;
}

/**
 * Every number a path accumulates, in two arrays: counts as small integers, the rest as unboxed doubles (V8
 * PACKED_DOUBLE_ELEMENTS). A capture with 100 k clients holds 100 k accumulators at once, and as object fields each
 * double would be a heap object of its own for the garbage collector to trace. Counts stay apart so that the
 * observation's `count` fields are small integers too (a number read from a double array would be stored boxed).
 */
const REQUESTS = 0;
const UNANSWERED = 1;
const REPLIES = 2;
/** Five running statistics: a count each, and 3 double slots (min, max, sum) from the given index. */
const ROOT_DELAY = 3;
const ROOT_DISPERSION = 4;
const ROOT_DISTANCE = 5;
const OFFSET = 6;
const DELAY = 7;
const COUNTS = 8;
const INITIAL_COUNTS: readonly number[] = [0, 0, 0, 0, 0, 0, 0, 0];

const FIRST_REQUEST = 0;
const LAST_REQUEST = 1;
const MIN_INTERVAL = 2;
const BEST_DELAY = 3;
const BEST_OFFSET = 4;
/** The youngest reference time among the replies: min over replies of transmit − reference ≥ 0 (s). */
const REFERENCE_AGE = 5;
const STATS = 6;
/** Double slots of statistic `s` (ROOT_DELAY … DELAY): min, max, sum. */
const statAt = (s: number) => STATS + 3 * (s - ROOT_DELAY);
/** The first SAMPLE_FRAMES frames of the three frame samples (REQUESTS, UNANSWERED, REPLIES), from: */
const FRAMES = STATS + 3 * (COUNTS - ROOT_DELAY);
const framesAt = (sample: number) => FRAMES + SAMPLE_FRAMES * sample;
const SLOTS = FRAMES + 3 * SAMPLE_FRAMES;

/** Initial values, copied per path by slice() (which keeps the double elements kind). */
const INITIAL: readonly number[] = (() => {
  const a: number[] = [];
  for (let i = 0; i < SLOTS; i++) a.push(0.5);
  a.fill(0);
  a[FIRST_REQUEST] = Infinity;
  a[LAST_REQUEST] = -Infinity;
  a[MIN_INTERVAL] = Infinity;
  a[BEST_DELAY] = Infinity;
  a[REFERENCE_AGE] = Infinity;
  for (let s = ROOT_DELAY; s < COUNTS; s++) {
    a[statAt(s)] = Infinity;
    a[statAt(s) + 1] = -Infinity;
  }
  return a;
})();

function addStat(c: number[], n: number[], s: number, v: number): void {
  c[s]!++;
  const at = statAt(s);
  if (v < n[at]!) n[at] = v;
  if (v > n[at + 1]!) n[at + 1] = v;
  n[at + 2]! += v;
}

function statOf(c: readonly number[], n: readonly number[], s: number, best?: number): Stats | undefined {
  const count = c[s]!;
  if (count === 0) return undefined;
  const at = statAt(s);
  const min = n[at]!;
  const max = n[at + 1]!;
  const mean = n[at + 2]! / count;
  // One literal per shape: a property added later would put the object's properties out of line.
  return best === undefined ? { count, min, max, mean } : { count, min, max, mean, best };
}

function addFrame(c: number[], n: number[], sample: number, frame: number): void {
  const count = c[sample]!;
  if (count < SAMPLE_FRAMES) n[framesAt(sample) + count] = frame;
  c[sample] = count + 1;
}

/** The first `count` frames of a sample (at most SAMPLE_FRAMES), in an array exactly that long. */
function framesOf(n: readonly number[], sample: number, count: number): number[] {
  const at = framesAt(sample);
  return n.slice(at, at + Math.min(count, SAMPLE_FRAMES));
}

function sampleOf(c: readonly number[], n: readonly number[], sample: number): FrameSample {
  const count = c[sample]!;
  return { count, frames: framesOf(n, sample, count) };
}

/**
 * The empty list of every observation that has none of a kind (most paths have no ICMP errors, kiss codes, failed
 * tests or kept exchanges): one frozen array, not four per path (100 k paths), since an observation never changes.
 */
const NONE: never[] = Object.freeze([]) as unknown as never[];

/** A copy with its own frames (exactly as long as they are), so an observation never changes after it is made. */
function copySeen<S extends FrameSample>(list: readonly S[] | undefined): S[] {
  if (list === undefined) return NONE;
  return list.map((s) => ({ ...s, frames: s.frames.slice() }));
}

function setTimestamp(dst: NtpTimestamp, src: NtpTimestamp): void {
  dst.seconds = src.seconds;
  dst.fraction = src.fraction;
}

/** A deep copy of plain data: primitives as they are, arrays and objects copied with their keys in the same order. */
function copyPlain(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.map(copyPlain);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) out[k] = copyPlain((v as Record<string, unknown>)[k]);
  return out;
}

/**
 * Incremental summary of one client↔server path. The capture correlator feeds it as frames stream by; the probe
 * feeds it its samples (summarizePath). Memory is bounded whatever the number of exchanges, and small per path:
 * numbers in two arrays (counts, doubles), lists allocated only once they get an entry.
 */
export class PathAccumulator {
  private readonly c: number[] = INITIAL_COUNTS.slice();
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
  private first: NtpExchange[] | undefined = undefined;
  /** The latest exchanges after `first`: a ring of keepCounts.last, the oldest overwritten at lastNext. */
  private last: NtpExchange[] | undefined = undefined;
  /** The `shape` each `last` slot was added with (0: the caller's own object, never overwritten). */
  private lastShapes: number[] | undefined = undefined;
  private lastNext = 0;
  /** Exchanges evidence may cite that neither `first` nor (yet) `last` holds: copies, at most CITED_EXCHANGES. */
  private cited: NtpExchange[] | undefined = undefined;
  /**
   * Source ports of the requests, in order of first use: the first one, the first NAMED_PORTS once there is a second
   * (no allocation for the one-port paths of ntpd clients), then an exact count (PortLog) or `portsAtLeast`. lastPort
   * short-cuts the common cases: one port, or the same as the request before.
   */
  private lastPort = -1;
  private firstPort = -1;
  private ports: number[] | undefined = undefined;
  /** Ports named in `ports`. */
  private portCount = 0;
  private portLog: PortLog | undefined = undefined;
  private portsAtLeast = false;
  /** Requests the capture ended too soon after to judge (Correlator.end): made when the first one comes. */
  private pending: FrameSample | undefined = undefined;
  private finished = 0;
  /** Bit i set: request i (of the first EARLY_WINDOW, by request order) was answered. */
  private earlyAnswered = 0;
  private answeredTotal = 0;

  constructor(
    readonly source: 'capture' | 'probe',
    readonly client: Endpoint,
    readonly server: Endpoint,
    private readonly keepCounts: { first: number; last: number } = KEEP_EXCHANGES,
  ) {}

  /**
   * A request went out (frame or sample index, time in s since the epoch, the client's source port when known).
   * Returns its 0-based sequence.
   */
  addRequest(frame: number, time: number, port = -1): number {
    if (port !== this.lastPort) this.notePort(port);
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

  /** A source port other than the last request's (kept out of addRequest, which stays small enough to inline). */
  private notePort(port: number): void {
    if (port < 0) return;
    this.lastPort = port;
    if (this.portLog !== undefined) {
      this.portLog.add(port);
      return;
    }
    if (this.portsAtLeast || port === this.firstPort) return;
    if (this.firstPort < 0) {
      this.firstPort = port;
      return;
    }
    let ports = this.ports;
    if (ports === undefined) {
      // One store of its final size (a literal grown by push reallocates): 100 k paths of chrony clients have one each.
      ports = this.ports = new Array<number>(NAMED_PORTS).fill(-1);
      ports[0] = this.firstPort;
      ports[1] = port;
      this.portCount = 2;
      return;
    }
    const named = this.portCount;
    for (let i = 1; i < named; i++) if (ports[i] === port) return;
    if (named < NAMED_PORTS) {
      ports[named] = port;
      this.portCount = named + 1;
    } else if (this.keepCounts.first > 0 || this.keepCounts.last > 0) (this.portLog = new PortLog(ports)).add(port);
    else this.portsAtLeast = true;
  }

  /** ClientPorts when they say more than `client.port` does (several ports, or another one). */
  private clientPorts(): ClientPorts | undefined {
    const ports = this.ports;
    if (ports === undefined) return this.firstPort >= 0 && this.firstPort !== this.client.port ? { count: 1, ports: [this.firstPort] } : undefined;
    const named = ports.slice(0, this.portCount);
    if (this.portsAtLeast) return { count: NAMED_PORTS + 1, ports: named, atLeast: true };
    return { count: this.portLog !== undefined ? this.portLog.count : named.length, ports: named };
  }

  /**
   * The request's fate is known: reply, ICMP error or nothing. `seq` is what addRequest returned.
   * `shape` 0: the accumulator may keep `x` itself. Above 0, `x` is the caller's to reuse (the capture correlator
   * fills one object per reply instead of allocating one): whatever is kept is copied, and `shape` says which
   * fields `x` has — equal shapes, equal keys in equal order — so a kept copy of the same shape is overwritten in
   * place (overwriteReply) rather than allocated again.
   */
  addOutcome(x: NtpExchange, seq: number, shape = 0): void {
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
    this.keep(x, shape, cited);
  }

  /** A request the capture ended too soon after to tell whether it was answered (no outcome will come). */
  addPending(frame: number): void {
    addToSample((this.pending ??= { count: 0, frames: [] }), frame);
  }

  /** True when the ICMP error's frame was kept among its kind's examples. */
  private addIcmp(icmp: NonNullable<NtpExchange['icmp']>): boolean {
    const list = (this.icmp ??= []);
    let seen = list.find(
      (i) => i.type === icmp.type && i.code === icmp.code && i.reporter === icmp.reporter && i.version === icmp.version,
    );
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

  /** The replies before this one, all with value `one`, as that value's entry (see `strata`). */
  private sameAsReplies<T>(one: T, before: number): ValueSeen<T>[] {
    return [{ value: one, count: before, frames: framesOf(this.n, REPLIES, before) }];
  }

  /** True when the reply's frame was kept among the examples of a sample (replies, a value of a field, a kiss code...). */
  private addReply(x: NtpExchange): boolean {
    const r = x.reply!;
    const frame = x.replyFrame!;
    const c = this.c;
    const n = this.n;
    const before = c[REPLIES]!;
    // While every reply had one value of a field, that value's examples are the replies' (see `strata`).
    let cited = before < SAMPLE_FRAMES;
    addFrame(c, n, REPLIES, frame);
    if (this.strata !== undefined) cited = addValue(this.strata, r.stratum, frame) || cited;
    else if (before === 0) this.stratumOne = r.stratum;
    else if (r.stratum !== this.stratumOne) cited = addValue((this.strata = this.sameAsReplies(this.stratumOne, before)), r.stratum, frame) || cited;
    if (this.leaps !== undefined) cited = addValue(this.leaps, r.leap, frame) || cited;
    else if (before === 0) this.leapOne = r.leap;
    else if (r.leap !== this.leapOne) cited = addValue((this.leaps = this.sameAsReplies(this.leapOne, before)), r.leap, frame) || cited;
    if (this.refids !== undefined) cited = addValue(this.refids, r.refidText, frame) || cited;
    else if (before === 0) this.refidOne = r.refidText;
    else if (r.refidText !== this.refidOne) cited = addValue((this.refids = this.sameAsReplies(this.refidOne, before)), r.refidText, frame) || cited;
    if (r.stratum === 0 && /^[A-Z0-9 ]{1,4}$/.test(r.refidText)) cited = addValue((this.kissCodes ??= []), r.refidText.trim(), frame) || cited;
    if (x.bogus !== undefined) for (const b of x.bogus) cited = addValue((this.bogus ??= []), b, frame) || cited;
    // How long ago the server last set its clock (RFC 5905 §7.3 reference timestamp; zero: never, or not said).
    const ref = r.referenceTime;
    const xmt = r.transmitTime;
    if ((ref.seconds !== 0 || ref.fraction !== 0) && (xmt.seconds !== 0 || xmt.fraction !== 0)) {
      const age = ntpDiffSeconds(xmt, ref);
      if (age >= 0 && age < n[REFERENCE_AGE]!) n[REFERENCE_AGE] = age;
    }
    // Kiss-o'-death replies carry no usable time (RFC 5905 §7.4): keep them out of the numbers.
    if (r.stratum === 0) return cited;
    addStat(c, n, ROOT_DELAY, r.rootDelay);
    addStat(c, n, ROOT_DISPERSION, r.rootDispersion);
    // RFC 5905 §11.2.1 root distance, without the client's own peer delay/dispersion terms.
    addStat(c, n, ROOT_DISTANCE, r.rootDelay / 2 + r.rootDispersion);
    if (x.offset !== undefined && !(x.bogus && x.bogus.length)) {
      addStat(c, n, OFFSET, x.offset);
      if (x.offsetMethod) this.offsetMethod = x.offsetMethod;
      if (x.delay !== undefined) {
        addStat(c, n, DELAY, x.delay);
        // ntpd's clock filter (RFC 5905 §10) prefers the sample with the lowest delay.
        if (x.delay < n[BEST_DELAY]!) {
          n[BEST_DELAY] = x.delay;
          n[BEST_OFFSET] = x.offset;
          this.hasBestOffset = true;
        }
      } else if (!this.hasBestOffset) {
        n[BEST_OFFSET] = x.offset;
        this.hasBestOffset = true;
      }
    }
    return cited;
  }

  private keep(x: NtpExchange, shape: number, cited: boolean): void {
    this.finished++;
    const first = this.first;
    const keepFirst = this.keepCounts.first;
    const keepLast = this.keepCounts.last;
    // A path that keeps no exchanges keeps no cited ones either (src/correlate/correlator.ts MANY_PATHS).
    if (cited && (first !== undefined ? first.length >= keepFirst : keepFirst === 0) && (keepFirst > 0 || keepLast > 0)) {
      // The ring below overwrites its entries: a cited exchange is kept as a copy of its own.
      const list = (this.cited ??= []);
      if (list.length < CITED_EXCHANGES) list.push(shape === 0 ? this.retained(x) : this.copyReply(x));
    }
    if (first === undefined) {
      if (keepFirst > 0) {
        // A one-element literal: exactly as long as it needs to be when one is all a path keeps.
        this.first = [shape === 0 ? this.retained(x) : this.copyReply(x)];
        return;
      }
    } else if (first.length < keepFirst) {
      first.push(shape === 0 ? this.retained(x) : this.copyReply(x));
      return;
    }
    if (keepLast === 0) return;
    const kept = shape === 0 ? x : undefined;
    const last = this.last;
    const shapes = (this.lastShapes ??= []);
    if (last === undefined || last.length < keepLast) {
      (this.last ??= []).push(kept ?? this.copyReply(x));
      shapes.push(shape);
      return;
    }
    const slot = this.lastNext;
    this.lastNext = (slot + 1) % keepLast;
    // Filled in place already: the caller had it from slotFor().
    if (last[slot] === x) return;
    if (kept === undefined && shapes[slot] === shape) this.overwriteReply(last[slot] as NtpExchange, x);
    else last[slot] = kept ?? this.copyReply(x);
    shapes[slot] = shape;
  }

  /**
   * A copy of a reply exchange handed over with a shape (addOutcome), key for key in its order — the capture
   * correlator's reply literal: request fields, outcome, reply fields, then offset, delay, offsetMethod when
   * present — built as literals so every copy of a shape shares one hidden class (overwriteReply stays fast).
   * The path's own endpoints stay shared, as retained() keeps them.
   */
  private copyReply(x: NtpExchange): NtpExchange {
    const r = x.reply as ReplySummary;
    const reply: ReplySummary = {
      leap: r.leap,
      version: r.version,
      mode: r.mode,
      stratum: r.stratum,
      poll: r.poll,
      precision: r.precision,
      rootDelay: r.rootDelay,
      rootDispersion: r.rootDispersion,
      refid: r.refid,
      refidText: r.refidText,
      referenceTime: { seconds: r.referenceTime.seconds, fraction: r.referenceTime.fraction },
      originTime: { seconds: r.originTime.seconds, fraction: r.originTime.fraction },
      receiveTime: { seconds: r.receiveTime.seconds, fraction: r.receiveTime.fraction },
      transmitTime: { seconds: r.transmitTime.seconds, fraction: r.transmitTime.fraction },
    };
    const client = x.client === this.client ? x.client : { ip: x.client.ip, port: x.client.port };
    const server = x.server === this.server ? x.server : { ip: x.server.ip, port: x.server.port };
    const requestTransmit = { seconds: x.requestTransmit.seconds, fraction: x.requestTransmit.fraction };
    const { requestFrame, requestTime, requestVersion, requestMode, outcome, offset, delay, offsetMethod } = x;
    const replyFrame = x.replyFrame as number;
    const replyTime = x.replyTime as number;
    // One literal per shape (no spread: a spread copy gets a map of its own, slow to overwrite).
    if (offset === undefined || offsetMethod === undefined) {
      return { client, server, requestFrame, requestTime, requestVersion, requestMode, requestTransmit, outcome, replyFrame, replyTime, reply };
    }
    if (delay === undefined) {
      return { client, server, requestFrame, requestTime, requestVersion, requestMode, requestTransmit, outcome, replyFrame, replyTime, reply, offset, offsetMethod };
    }
    return { client, server, requestFrame, requestTime, requestVersion, requestMode, requestTransmit, outcome, replyFrame, replyTime, reply, offset, delay, offsetMethod };
  }

  /**
   * The kept exchange that the next outcome of `shape` (above 0) will take the place of, when it is one of that
   * shape: a caller may fill it in place and hand it to addOutcome, which then keeps it as it is (no copy). Undefined
   * when the next outcome is copied (the first few) or not kept, or the slot holds another shape. The object is the
   * accumulator's: fill every field of the shape, and hand it over before anything else is added.
   */
  slotFor(shape: number): NtpExchange | undefined {
    const last = this.last;
    if (shape === 0 || last === undefined || last.length < this.keepCounts.last) return undefined;
    const slot = this.lastNext;
    return this.lastShapes?.[slot] === shape ? last[slot] : undefined;
  }

  /**
   * Copies the reply exchange `src` into `dst`, a kept copy of the same shape (so the same keys: only values
   * change, and the JSON of `dst` is what a fresh copy of `src` would give). Nested objects of `dst` are its own
   * (retained() copied them), but for the path's endpoints, which stay shared.
   */
  private overwriteReply(dst: NtpExchange, src: NtpExchange): void {
    const r = src.reply as ReplySummary;
    const d = dst.reply as ReplySummary;
    if (src.client === this.client) dst.client = src.client;
    else if (dst.client === this.client) dst.client = { ip: src.client.ip, port: src.client.port };
    else {
      if (dst.client.ip !== src.client.ip) dst.client.ip = src.client.ip;
      dst.client.port = src.client.port;
    }
    if (src.server === this.server) {
      if (dst.server !== src.server) dst.server = src.server;
    } else dst.server = { ip: src.server.ip, port: src.server.port };
    dst.requestFrame = src.requestFrame;
    dst.requestTime = src.requestTime;
    dst.requestVersion = src.requestVersion;
    dst.requestMode = src.requestMode;
    setTimestamp(dst.requestTransmit, src.requestTransmit);
    if (dst.outcome !== src.outcome) dst.outcome = src.outcome;
    dst.replyFrame = src.replyFrame as number;
    dst.replyTime = src.replyTime as number;
    d.leap = r.leap;
    d.version = r.version;
    d.mode = r.mode;
    d.stratum = r.stratum;
    d.poll = r.poll;
    d.precision = r.precision;
    d.rootDelay = r.rootDelay;
    d.rootDispersion = r.rootDispersion;
    d.refid = r.refid;
    // Strings and objects only when they differ: a store into a long-lived object is a write barrier's work.
    if (d.refidText !== r.refidText) d.refidText = r.refidText;
    setTimestamp(d.referenceTime, r.referenceTime);
    setTimestamp(d.originTime, r.originTime);
    setTimestamp(d.receiveTime, r.receiveTime);
    setTimestamp(d.transmitTime, r.transmitTime);
    if (src.offset !== undefined) dst.offset = src.offset;
    if (src.delay !== undefined) dst.delay = src.delay;
    if (src.offsetMethod !== undefined) dst.offsetMethod = src.offsetMethod;
  }

  /**
   * A copy of an exchange kept for the rest of the run. The correlator's exchanges nearly all die young; when the
   * ones kept are its own objects, V8 sees objects from those allocation sites survive and allocates later ones
   * straight in the old generation (allocation-site pretenuring), where they pile up as garbage until a full
   * collection: +0.5 GB peak RSS on bench/out/2M-many-clients.pcap when each of its 100 k paths kept its first.
   * Plain data (numbers, strings, objects, arrays), copied with keys in the same order; the path's own endpoints
   * are shared as they were.
   */
  private retained(x: NtpExchange): NtpExchange {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(x)) {
      const v = (x as unknown as Record<string, unknown>)[k];
      out[k] = v === this.server || v === this.client ? v : copyPlain(v);
    }
    return out as unknown as NtpExchange;
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
    const obs: NtpPathObservation = {
      kind: 'ntp-path',
      source: this.source,
      client: this.client,
      server: this.server,
      capturedAt,
      requests: sampleOf(c, n, REQUESTS),
      unanswered: sampleOf(c, n, UNANSWERED),
      replies: sampleOf(c, n, REPLIES),
      icmp: copySeen(this.icmp),
      firstRequestTime: Number.isFinite(firstRequestTime) ? firstRequestTime : 0,
      lastRequestTime: Number.isFinite(lastRequestTime) ? lastRequestTime : 0,
      strata: this.strata !== undefined ? copySeen(this.strata) : replies > 0 ? this.sameAsReplies(this.stratumOne, replies) : NONE,
      leaps: this.leaps !== undefined ? copySeen(this.leaps) : replies > 0 ? this.sameAsReplies(this.leapOne, replies) : NONE,
      refids: this.refids !== undefined ? copySeen(this.refids) : replies > 0 ? this.sameAsReplies(this.refidOne, replies) : NONE,
      kissCodes: copySeen(this.kissCodes),
      bogus: copySeen(this.bogus),
      exchanges: this.first === undefined && this.last === undefined ? NONE : this.keptExchanges(),
      exchangeCount: this.finished,
    };
    const clientPorts = this.clientPorts();
    if (clientPorts !== undefined) obs.clientPorts = clientPorts;
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

  /** The first, cited and last exchanges in request order, each once (a cited one may also be among the last). */
  private keptExchanges(): NtpExchange[] {
    const all = [...(this.first ?? []), ...(this.cited ?? []), ...(this.last ?? [])].sort(
      (a, b) => a.requestFrame - b.requestFrame || (a.replyFrame ?? -1) - (b.replyFrame ?? -1),
    );
    if (this.cited === undefined) return all;
    const out: NtpExchange[] = [];
    for (const x of all) {
      const prev = out[out.length - 1];
      if (prev !== undefined && sameExchange(prev, x)) continue;
      out.push(x);
    }
    return out;
  }

  /** Requests in the "early" part and how many of them were answered: the first half on short runs, else the first 8. */
  private earlyCounts(n: number): [number, number] {
    const earlyN = n <= EARLY_WINDOW ? Math.floor(n / 2) : EARLY_WINDOW / 2;
    let answered = 0;
    for (let i = 0; i < earlyN; i++) if (this.earlyAnswered & (1 << i)) answered++;
    return [earlyN, answered];
  }
}

/** Two kept copies of one exchange: the same request, answered (or not) by the same frame. */
function sameExchange(a: NtpExchange, b: NtpExchange): boolean {
  return a.requestFrame === b.requestFrame && a.replyFrame === b.replyFrame && a.outcome === b.outcome && a.icmp?.frame === b.icmp?.frame;
}
