import type { Endpoint, NtpExchange, ReplySummary } from '../correlate/types.js';
import { ntpDiffSeconds } from '../ntp/timestamp.js';
import type { NtpTimestamp } from '../ntp/types.js';
import { Rows } from './rows.js';
import type { FrameSample, IcmpSeen, NtpPathObservation, Stats, ValueSeen } from './types.js';

/** How many example frame numbers evidence keeps per fact; the counts stay exact. */
export const SAMPLE_FRAMES = 8;
/** Exchanges kept per path by default: the first and the last few (callers with many paths keep fewer). */
export const KEEP_EXCHANGES: Readonly<KeepCounts> = { first: 6, last: 6 };
/** Outcomes remembered individually to tell "answered early, silent later" (rate limiting) on short runs. */
const EARLY_WINDOW = 16;

export interface KeepCounts {
  first: number;
  last: number;
}

export function newSample(): FrameSample {
  return { count: 0, frames: [] };
}

export function addToSample(s: FrameSample, frame: number): void {
  s.count++;
  if (s.frames.length < SAMPLE_FRAMES) s.frames.push(frame);
}

function addValue<T>(list: ValueSeen<T>[], value: T, frame: number): void {
  let seen: ValueSeen<T> | undefined;
  for (let i = 0; i < list.length; i++) {
    if (list[i]!.value === value) {
      seen = list[i];
      break;
    }
  }
  if (!seen) {
    seen = { value, count: 0, frames: [] };
    list.push(seen);
  }
  addToSample(seen, frame);
}

/*
 * A path's numbers are one row of an Int32Array (counts, small values) and one row of a Float64Array (times,
 * statistics, sample frames), path after path: a capture with 100 k clients holds 100 k paths at once, and as
 * objects (an accumulator, its arrays, their backing stores) each path was ten objects for the garbage collector
 * to copy and trace, spread over the heap so that every frame of a cold path missed the cache several times.
 * Rows keep a path's numbers in a few adjacent cache lines and cost the collector nothing.
 */

/** Int32 row: the counts first (REQUESTS … DELAY are also the frame samples' and statistics' counts). */
const REQUESTS = 0;
const UNANSWERED = 1;
const REPLIES = 2;
/** Five running statistics: a count each, and 3 double slots (min, max, sum) from statAt(). */
const ROOT_DELAY = 3;
const ROOT_DISPERSION = 4;
const ROOT_DISTANCE = 5;
const OFFSET = 6;
const DELAY = 7;
const STAT_END = 8;
const FINISHED = 8;
const ANSWERED_TOTAL = 9;
/** Bit i set: request i (of the first EARLY_WINDOW, by request order) was answered. */
const EARLY_ANSWERED = 10;
/** Stratum and leap of the replies while all carried the same (see Rare.strata). */
const STRATUM_ONE = 11;
const LEAP_ONE = 12;
const HAS_BEST_OFFSET = 13;
/** Index + 1 in OFFSET_METHODS, 0: none. */
const OFFSET_METHOD = 14;
const LAST_NEXT = 15;
const KEEP_FIRST = 16;
const KEEP_LAST = 17;
/** 1 once the path has a list of strata, leaps or refids (Rare): until then a reply need not look at Rare. */
const HAS_LISTS = 18;
const INTS = 19;

/** Float64 row. */
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
const FRAMES = STATS + 3 * (STAT_END - ROOT_DELAY);
const framesAt = (sample: number) => FRAMES + SAMPLE_FRAMES * sample;
const DOUBLES = FRAMES + 3 * SAMPLE_FRAMES;

/** A new row's doubles. */
const INITIAL = (() => {
  const a = new Float64Array(DOUBLES);
  a[FIRST_REQUEST] = Infinity;
  a[LAST_REQUEST] = -Infinity;
  a[MIN_INTERVAL] = Infinity;
  a[BEST_DELAY] = Infinity;
  a[REFERENCE_AGE] = Infinity;
  for (let s = ROOT_DELAY; s < STAT_END; s++) {
    a[statAt(s)] = Infinity;
    a[statAt(s) + 1] = -Infinity;
  }
  return a;
})();

const OFFSET_METHODS: ReadonlyArray<NonNullable<NtpExchange['offsetMethod']>> = ['capture-client', 'one-way', 'probe'];

/**
 * What few paths have, made on first use: ICMP errors, a second stratum (leap, refid) value, kiss codes, failed
 * packet tests, kept exchanges — and the endpoints kept exchanges share.
 */
interface Rare {
  client: Endpoint | undefined;
  server: Endpoint | undefined;
  icmp: IcmpSeen[] | undefined;
  /**
   * Stratum, leap and refid of the replies. Every reply adds one of each, so while all replies carried the same
   * value that value's sample is the replies' sample: only the value is kept (STRATUM_ONE, LEAP_ONE, refidOne),
   * and the list is built when a second value shows up.
   */
  strata: ValueSeen<number>[] | undefined;
  leaps: ValueSeen<number>[] | undefined;
  refids: ValueSeen<string>[] | undefined;
  kissCodes: ValueSeen<string>[] | undefined;
  bogus: ValueSeen<string>[] | undefined;
  first: NtpExchange[] | undefined;
  /** The latest exchanges after `first`: a ring of KEEP_LAST, the oldest overwritten at LAST_NEXT. */
  last: NtpExchange[] | undefined;
  /** The `shape` each `last` slot was added with (0: the caller's own object, never overwritten). */
  lastShapes: number[] | undefined;
}

function newRare(): Rare {
  return { client: undefined, server: undefined, icmp: undefined, strata: undefined, leaps: undefined, refids: undefined, kissCodes: undefined, bogus: undefined, first: undefined, last: undefined, lastShapes: undefined };
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
 * The incremental summaries of many client↔server paths, each a row number: the capture correlator adds a path per
 * client↔server pair and feeds it as frames stream by; a probe's PathAccumulator (./accumulate.ts) is one row.
 * Memory is bounded whatever the number of exchanges, and small per path: two rows of numbers, a list slot or two,
 * and what a path has that few do (Rare) only once it has it.
 */
export class PathColumns {
  private readonly rows = new Rows(INTS, DOUBLES);
  /** rows.ints and rows.nums (the same arrays until add() grows them). */
  private ints = this.rows.ints;
  private nums = this.rows.nums;
  /** The refid text of the replies while all carried the same (see Rare.strata). */
  private readonly refidOne: string[] = [];
  private readonly rare: Array<Rare | undefined> = [];

  get size(): number {
    return this.rows.size;
  }

  /**
   * A new path's row. `keep`: how many of its first and last exchanges to keep; `client`, `server`: its endpoints,
   * which kept exchanges share (when they have the same), as a path observation's exchanges always did.
   */
  add(keep: Readonly<KeepCounts>, client?: Endpoint, server?: Endpoint): number {
    const p = this.rows.add();
    this.ints = this.rows.ints;
    this.nums = this.rows.nums;
    this.nums.set(INITIAL, p * DOUBLES);
    const i = p * INTS;
    this.ints[i + KEEP_FIRST] = keep.first;
    this.ints[i + KEEP_LAST] = keep.last;
    this.refidOne.push('');
    if (client !== undefined || server !== undefined) {
      const r = newRare();
      r.client = client;
      r.server = server;
      this.rare.push(r);
    } else this.rare.push(undefined);
    return p;
  }

  private rareOf(p: number): Rare {
    return (this.rare[p] ??= newRare());
  }

  /** Rare of a path about to get a strata, leaps or refids list (HAS_LISTS). */
  private lists(p: number): Rare {
    this.ints[p * INTS + HAS_LISTS] = 1;
    return this.rareOf(p);
  }

  /** Path `p` sent a request (frame or sample index, time in s since the epoch). Returns its 0-based sequence. */
  addRequest(p: number, frame: number, time: number): number {
    const n = this.nums;
    const d = p * DOUBLES;
    const seq = this.ints[p * INTS + REQUESTS]!;
    this.addFrame(p, REQUESTS, frame);
    if (time < n[d + FIRST_REQUEST]!) n[d + FIRST_REQUEST] = time;
    const last = n[d + LAST_REQUEST]!;
    if (last !== -Infinity) {
      const gap = time - last;
      if (gap >= 0 && gap < n[d + MIN_INTERVAL]!) n[d + MIN_INTERVAL] = gap;
    }
    if (time > last) n[d + LAST_REQUEST] = time;
    return seq;
  }

  private addFrame(p: number, sample: number, frame: number): void {
    const i = p * INTS + sample;
    const count = this.ints[i]!;
    if (count < SAMPLE_FRAMES) this.nums[p * DOUBLES + framesAt(sample) + count] = frame;
    this.ints[i] = count + 1;
  }

  private addStat(p: number, s: number, v: number): void {
    this.ints[p * INTS + s]!++;
    const n = this.nums;
    const at = p * DOUBLES + statAt(s);
    if (v < n[at]!) n[at] = v;
    if (v > n[at + 1]!) n[at + 1] = v;
    n[at + 2]! += v;
  }

  /**
   * The fate of path `p`'s request `seq` (what addRequest returned) is known: reply, ICMP error or nothing.
   * `shape` 0: the path may keep `x` itself. Above 0, `x` is the caller's to reuse (the capture correlator fills
   * one object per reply instead of allocating one): whatever is kept is copied, and `shape` says which fields `x`
   * has — equal shapes, equal keys in equal order — so a kept copy of the same shape is overwritten in place
   * (overwriteReply) rather than allocated again.
   */
  addOutcome(p: number, x: NtpExchange, seq: number, shape = 0): void {
    const i = p * INTS;
    const answered = x.outcome === 'reply';
    if (seq < EARLY_WINDOW && answered) this.ints[i + EARLY_ANSWERED]! |= 1 << seq;
    if (answered) this.ints[i + ANSWERED_TOTAL]!++;
    if (x.outcome === 'none') this.addFrame(p, UNANSWERED, x.requestFrame);
    else if (x.outcome === 'icmp' && x.icmp) this.addIcmp(p, x.icmp);
    if (x.reply && x.replyFrame !== undefined) this.addReply(p, x);
    this.keep(p, x, shape);
  }

  private addIcmp(p: number, icmp: NonNullable<NtpExchange['icmp']>): void {
    const list = (this.rareOf(p).icmp ??= []);
    let seen = list.find(
      (i) => i.type === icmp.type && i.code === icmp.code && i.reporter === icmp.reporter && i.version === icmp.version,
    );
    if (!seen) {
      seen = { version: icmp.version, type: icmp.type, code: icmp.code, reporter: icmp.reporter, count: 0, frames: [] };
      if (icmp.errno !== undefined) seen.errno = icmp.errno;
      if (icmp.alternatives?.length) seen.alternatives = icmp.alternatives;
      list.push(seen);
    }
    addToSample(seen, icmp.frame);
  }

  /** The first `count` frames of a sample (at most SAMPLE_FRAMES), in an array exactly that long. */
  private framesOf(p: number, sample: number, count: number): number[] {
    const at = p * DOUBLES + framesAt(sample);
    const k = Math.min(count, SAMPLE_FRAMES);
    if (k === 0) return [];
    // Exactly as long as it needs to be (pushing would grow it, and leave the smaller store behind as garbage).
    const out = new Array<number>(k);
    for (let j = 0; j < k; j++) out[j] = this.nums[at + j]!;
    return out;
  }

  private sampleOf(p: number, sample: number): FrameSample {
    const count = this.ints[p * INTS + sample]!;
    return { count, frames: this.framesOf(p, sample, count) };
  }

  /** The replies before this one, all with value `one`, as that value's entry (see Rare.strata). */
  private sameAsReplies<T>(p: number, one: T, before: number): ValueSeen<T>[] {
    return [{ value: one, count: before, frames: this.framesOf(p, REPLIES, before) }];
  }

  private addReply(p: number, x: NtpExchange): void {
    const r = x.reply!;
    const frame = x.replyFrame!;
    const ints = this.ints;
    const i = p * INTS;
    const before = ints[i + REPLIES]!;
    this.addFrame(p, REPLIES, frame);
    const rare = ints[i + HAS_LISTS] !== 0 ? this.rare[p] : undefined;
    if (rare?.strata !== undefined) addValue(rare.strata, r.stratum, frame);
    else if (before === 0) ints[i + STRATUM_ONE] = r.stratum;
    else if (r.stratum !== ints[i + STRATUM_ONE]) addValue((this.lists(p).strata = this.sameAsReplies(p, ints[i + STRATUM_ONE]!, before)), r.stratum, frame);
    if (rare?.leaps !== undefined) addValue(rare.leaps, r.leap, frame);
    else if (before === 0) ints[i + LEAP_ONE] = r.leap;
    else if (r.leap !== ints[i + LEAP_ONE]) addValue((this.lists(p).leaps = this.sameAsReplies(p, ints[i + LEAP_ONE]!, before)), r.leap, frame);
    if (rare?.refids !== undefined) addValue(rare.refids, r.refidText, frame);
    else if (before === 0) this.refidOne[p] = r.refidText;
    else if (r.refidText !== this.refidOne[p]) addValue((this.lists(p).refids = this.sameAsReplies(p, this.refidOne[p]!, before)), r.refidText, frame);
    if (r.stratum === 0 && /^[A-Z0-9 ]{1,4}$/.test(r.refidText)) addValue((this.rareOf(p).kissCodes ??= []), r.refidText.trim(), frame);
    if (x.bogus !== undefined) for (const b of x.bogus) addValue((this.rareOf(p).bogus ??= []), b, frame);
    const n = this.nums;
    const d = p * DOUBLES;
    // How long ago the server last set its clock (RFC 5905 §7.3 reference timestamp; zero: never, or not said).
    const ref = r.referenceTime;
    const xmt = r.transmitTime;
    if ((ref.seconds !== 0 || ref.fraction !== 0) && (xmt.seconds !== 0 || xmt.fraction !== 0)) {
      const age = ntpDiffSeconds(xmt, ref);
      if (age >= 0 && age < n[d + REFERENCE_AGE]!) n[d + REFERENCE_AGE] = age;
    }
    // Kiss-o'-death replies carry no usable time (RFC 5905 §7.4): keep them out of the numbers.
    if (r.stratum === 0) return;
    this.addStat(p, ROOT_DELAY, r.rootDelay);
    this.addStat(p, ROOT_DISPERSION, r.rootDispersion);
    // RFC 5905 §11.2.1 root distance, without the client's own peer delay/dispersion terms.
    this.addStat(p, ROOT_DISTANCE, r.rootDelay / 2 + r.rootDispersion);
    if (x.offset !== undefined && !(x.bogus && x.bogus.length)) {
      this.addStat(p, OFFSET, x.offset);
      if (x.offsetMethod) ints[i + OFFSET_METHOD] = OFFSET_METHODS.indexOf(x.offsetMethod) + 1;
      if (x.delay !== undefined) {
        this.addStat(p, DELAY, x.delay);
        // ntpd's clock filter (RFC 5905 §10) prefers the sample with the lowest delay.
        if (x.delay < n[d + BEST_DELAY]!) {
          n[d + BEST_DELAY] = x.delay;
          n[d + BEST_OFFSET] = x.offset;
          ints[i + HAS_BEST_OFFSET] = 1;
        }
      } else if (ints[i + HAS_BEST_OFFSET] === 0) {
        n[d + BEST_OFFSET] = x.offset;
        ints[i + HAS_BEST_OFFSET] = 1;
      }
    }
  }

  private keep(p: number, x: NtpExchange, shape: number): void {
    const ints = this.ints;
    const i = p * INTS;
    ints[i + FINISHED]!++;
    const keepFirst = ints[i + KEEP_FIRST]!;
    const keepLast = ints[i + KEEP_LAST]!;
    if (keepFirst === 0 && keepLast === 0) return;
    const rare = this.rareOf(p);
    const first = rare.first;
    if (first === undefined) {
      if (keepFirst > 0) {
        // A one-element literal: exactly as long as it needs to be when one is all a path keeps.
        rare.first = [shape === 0 ? this.retained(rare, x) : this.copyReply(rare, x)];
        return;
      }
    } else if (first.length < keepFirst) {
      first.push(shape === 0 ? this.retained(rare, x) : this.copyReply(rare, x));
      return;
    }
    if (keepLast === 0) return;
    const kept = shape === 0 ? x : undefined;
    const last = rare.last;
    const shapes = (rare.lastShapes ??= []);
    if (last === undefined || last.length < keepLast) {
      (rare.last ??= []).push(kept ?? this.copyReply(rare, x));
      shapes.push(shape);
      return;
    }
    const slot = ints[i + LAST_NEXT]!;
    ints[i + LAST_NEXT] = (slot + 1) % keepLast;
    // Filled in place already: the caller had it from slotFor().
    if (last[slot] === x) return;
    if (kept === undefined && shapes[slot] === shape) this.overwriteReply(rare, last[slot] as NtpExchange, x);
    else last[slot] = kept ?? this.copyReply(rare, x);
    shapes[slot] = shape;
  }

  /**
   * A copy of a reply exchange handed over with a shape (addOutcome), key for key in its order — the capture
   * correlator's reply literal: request fields, outcome, reply fields, then offset, delay, offsetMethod when
   * present — built as literals so every copy of a shape shares one hidden class (overwriteReply stays fast).
   * The path's own endpoints stay shared, as retained() keeps them.
   */
  private copyReply(rare: Rare, x: NtpExchange): NtpExchange {
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
    const client = x.client === rare.client ? x.client : { ip: x.client.ip, port: x.client.port };
    const server = x.server === rare.server ? x.server : { ip: x.server.ip, port: x.server.port };
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
   * The kept exchange that path `p`'s next outcome of `shape` (above 0) will take the place of, when it is one of
   * that shape: a caller may fill it in place and hand it to addOutcome, which then keeps it as it is (no copy).
   * Undefined when the next outcome is copied (the first few) or not kept, or the slot holds another shape. The
   * object is the path's: fill every field of the shape, and hand it over before anything else is added.
   */
  slotFor(p: number, shape: number): NtpExchange | undefined {
    const last = this.rare[p]?.last;
    const i = p * INTS;
    if (shape === 0 || last === undefined || last.length < this.ints[i + KEEP_LAST]!) return undefined;
    const slot = this.ints[i + LAST_NEXT]!;
    return this.rare[p]!.lastShapes?.[slot] === shape ? last[slot] : undefined;
  }

  /** Whether path `p` keeps any exchange (a caller that fills exchanges only for keeping paths asks). */
  keeps(p: number): boolean {
    const i = p * INTS;
    return this.ints[i + KEEP_FIRST]! > 0 || this.ints[i + KEEP_LAST]! > 0;
  }

  /**
   * Copies the reply exchange `src` into `dst`, a kept copy of the same shape (so the same keys: only values
   * change, and the JSON of `dst` is what a fresh copy of `src` would give). Nested objects of `dst` are its own
   * (retained() copied them), but for the path's endpoints, which stay shared.
   */
  private overwriteReply(rare: Rare, dst: NtpExchange, src: NtpExchange): void {
    const r = src.reply as ReplySummary;
    const d = dst.reply as ReplySummary;
    if (src.client === rare.client) dst.client = src.client;
    else if (dst.client === rare.client) dst.client = { ip: src.client.ip, port: src.client.port };
    else {
      if (dst.client.ip !== src.client.ip) dst.client.ip = src.client.ip;
      dst.client.port = src.client.port;
    }
    if (src.server === rare.server) {
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
  private retained(rare: Rare, x: NtpExchange): NtpExchange {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(x)) {
      const v = (x as unknown as Record<string, unknown>)[k];
      out[k] = v !== undefined && (v === rare.server || v === rare.client) ? v : copyPlain(v);
    }
    return out as unknown as NtpExchange;
  }

  exchangeCount(p: number): number {
    return this.ints[p * INTS + FINISHED]!;
  }

  /** Path `p`'s observation: a new object of its own (nothing in it changes as the path goes on). */
  toObservation(p: number, source: 'capture' | 'probe', client: Endpoint, server: Endpoint, capturedAt: NtpPathObservation['capturedAt']): NtpPathObservation {
    const ints = this.ints;
    const n = this.nums;
    const i = p * INTS;
    const d = p * DOUBLES;
    const rare = this.rare[p];
    const replies = ints[i + REPLIES]!;
    const firstRequestTime = n[d + FIRST_REQUEST]!;
    const lastRequestTime = n[d + LAST_REQUEST]!;
    const strata = rare?.strata;
    const leaps = rare?.leaps;
    const refids = rare?.refids;
    const obs: NtpPathObservation = {
      kind: 'ntp-path',
      source,
      client,
      server,
      capturedAt,
      requests: this.sampleOf(p, REQUESTS),
      unanswered: this.sampleOf(p, UNANSWERED),
      replies: this.sampleOf(p, REPLIES),
      icmp: copySeen(rare?.icmp),
      firstRequestTime: Number.isFinite(firstRequestTime) ? firstRequestTime : 0,
      lastRequestTime: Number.isFinite(lastRequestTime) ? lastRequestTime : 0,
      strata: strata !== undefined ? copySeen(strata) : replies > 0 ? this.sameAsReplies(p, ints[i + STRATUM_ONE]!, replies) : NONE,
      leaps: leaps !== undefined ? copySeen(leaps) : replies > 0 ? this.sameAsReplies(p, ints[i + LEAP_ONE]!, replies) : NONE,
      refids: refids !== undefined ? copySeen(refids) : replies > 0 ? this.sameAsReplies(p, this.refidOne[p]!, replies) : NONE,
      kissCodes: copySeen(rare?.kissCodes),
      bogus: copySeen(rare?.bogus),
      exchanges: rare?.first === undefined && rare?.last === undefined ? NONE : [...(rare.first ?? []), ...(rare.last ?? [])].sort((a, b) => a.requestFrame - b.requestFrame),
    };
    const minInterval = n[d + MIN_INTERVAL]!;
    if (Number.isFinite(minInterval)) obs.minRequestInterval = minInterval;
    const bestDelay = n[d + BEST_DELAY]!;
    const rootDelay = this.statOf(p, ROOT_DELAY);
    if (rootDelay) obs.rootDelay = rootDelay;
    const rootDispersion = this.statOf(p, ROOT_DISPERSION);
    if (rootDispersion) obs.rootDispersion = rootDispersion;
    const rootDistance = this.statOf(p, ROOT_DISTANCE);
    if (rootDistance) obs.rootDistance = rootDistance;
    const offset = this.statOf(p, OFFSET, ints[i + HAS_BEST_OFFSET] ? n[d + BEST_OFFSET] : undefined);
    if (offset) obs.offset = offset;
    const delay = this.statOf(p, DELAY, Number.isFinite(bestDelay) ? bestDelay : undefined);
    if (delay) obs.delay = delay;
    const method = ints[i + OFFSET_METHOD]!;
    if (method > 0) obs.offsetMethod = OFFSET_METHODS[method - 1];
    const referenceAge = n[d + REFERENCE_AGE]!;
    if (Number.isFinite(referenceAge)) obs.referenceAge = referenceAge;
    const requests = ints[i + REQUESTS]!;
    const decided = Math.min(requests, ints[i + FINISHED]!);
    if (decided >= 4) {
      // The "early" part: the first half on short runs, else the first EARLY_WINDOW / 2.
      const earlyN = decided <= EARLY_WINDOW ? Math.floor(decided / 2) : EARLY_WINDOW / 2;
      let earlyAnswered = 0;
      for (let b = 0; b < earlyN; b++) if (ints[i + EARLY_ANSWERED]! & (1 << b)) earlyAnswered++;
      const lateN = decided - earlyN;
      if (earlyN > 0 && lateN > 0) {
        obs.answeredFirstHalf = earlyAnswered / earlyN;
        obs.answeredSecondHalf = (ints[i + ANSWERED_TOTAL]! - earlyAnswered) / lateN;
      }
    }
    return obs;
  }

  private statOf(p: number, s: number, best?: number): Stats | undefined {
    const count = this.ints[p * INTS + s]!;
    if (count === 0) return undefined;
    const at = p * DOUBLES + statAt(s);
    const n = this.nums;
    const min = n[at]!;
    const max = n[at + 1]!;
    const mean = n[at + 2]! / count;
    // One literal per shape: a property added later would put the object's properties out of line.
    return best === undefined ? { count, min, max, mean } : { count, min, max, mean, best };
  }
}
