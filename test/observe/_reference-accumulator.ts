/**
 * The PathAccumulator as it was before it was packed into number arrays (git 1348784, src/observe/accumulate.ts),
 * kept verbatim apart from names and imports: the reference that accumulate.test.ts holds the compact one to.
 * Later additions, written the plain way: `referenceAge` (the youngest reference time among the replies); the
 * exchanges evidence may cite (a frame of theirs among a sample's examples) kept beside the first and last few;
 * `exchangeCount`, `clientPorts`, `pendingAtEnd`.
 */
import type { Endpoint, NtpExchange } from '../../src/model/exchange.js';
import { isZeroTimestamp, ntpDiffSeconds } from '../../src/ntp/timestamp.js';
import type { FrameSample, IcmpSeen, NtpPathObservation, Stats, ValueSeen } from '../../src/model/observation.js';

/** How many example frame numbers evidence keeps per fact; the counts stay exact. */
const SAMPLE_FRAMES = 8;
/** Exchanges kept per path by default: the first and the last few (callers with many paths keep fewer). */
const KEEP_EXCHANGES = { first: 6, last: 6 };
/** Outcomes remembered individually to tell "answered early, silent later" (rate limiting) on short runs. */
const EARLY_WINDOW = 16;
const DISTINCT_VALUES = 256;
const CITED_EXCHANGES = 64;
const NAMED_PORTS = 8;

function newSample(): FrameSample {
  return { count: 0, frames: [] };
}

function addToSample(s: FrameSample, frame: number): void {
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
    if (list.length >= DISTINCT_VALUES) return;
    seen = { value, count: 0, frames: [] };
    list.push(seen);
  }
  addToSample(seen, frame);
}

class StatsAcc {
  count = 0;
  min = Infinity;
  max = -Infinity;
  sum = 0;
  add(v: number): void {
    this.count++;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    this.sum += v;
  }
  result(best?: number): Stats | undefined {
    if (this.count === 0) return undefined;
    const s: Stats = { count: this.count, min: this.min, max: this.max, mean: this.sum / this.count };
    if (best !== undefined) s.best = best;
    return s;
  }
}

/**
 * Incremental summary of one client↔server path. The capture correlator feeds it as frames stream by; the probe
 * feeds it its samples (summarizePath). Memory is bounded whatever the number of exchanges.
 */
export class ReferencePathAccumulator {
  readonly requests = newSample();
  readonly unanswered = newSample();
  readonly replies = newSample();
  readonly icmp: IcmpSeen[] = [];
  readonly strata: ValueSeen<number>[] = [];
  readonly leaps: ValueSeen<number>[] = [];
  readonly refids: ValueSeen<string>[] = [];
  readonly kissCodes: ValueSeen<string>[] = [];
  readonly bogus: ValueSeen<string>[] = [];
  private firstRequestTime = Infinity;
  private lastRequestTime = -Infinity;
  private minInterval = Infinity;
  private readonly rootDelay = new StatsAcc();
  private readonly rootDispersion = new StatsAcc();
  private readonly rootDistance = new StatsAcc();
  private readonly offset = new StatsAcc();
  private readonly delay = new StatsAcc();
  private bestDelay = Infinity;
  private bestOffset: number | undefined;
  private offsetMethod: NtpExchange['offsetMethod'];
  private ages: number[] = [];
  private readonly first: NtpExchange[] = [];
  /** The latest exchanges after `first`: a ring of keepCounts.last, the oldest overwritten at lastNext. */
  private readonly last: NtpExchange[] = [];
  private lastNext = 0;
  private readonly cited: NtpExchange[] = [];
  private readonly ports: number[] = [];
  private pending: FrameSample | undefined;
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

  /** A request went out (frame or sample index, time in s since the epoch). Returns its 0-based sequence. */
  addRequest(frame: number, time: number, port = -1): number {
    if (port >= 0 && !this.ports.includes(port)) this.ports.push(port);
    const seq = this.requests.count;
    addToSample(this.requests, frame);
    if (time < this.firstRequestTime) this.firstRequestTime = time;
    if (this.lastRequestTime !== -Infinity) {
      const gap = time - this.lastRequestTime;
      if (gap >= 0 && gap < this.minInterval) this.minInterval = gap;
    }
    if (time > this.lastRequestTime) this.lastRequestTime = time;
    return seq;
  }

  /** The request's fate is known: reply, ICMP error or nothing. `seq` is what addRequest returned. */
  addOutcome(x: NtpExchange, seq: number): void {
    const answered = x.outcome === 'reply';
    if (seq < EARLY_WINDOW && answered) this.earlyAnswered |= 1 << seq;
    if (answered) this.answeredTotal++;
    const examples = this.examples();
    if (x.outcome === 'none') addToSample(this.unanswered, x.requestFrame);
    else if (x.outcome === 'icmp' && x.icmp) this.addIcmp(x.icmp, x.requestFrame);
    if (x.reply && x.replyFrame !== undefined) this.addReply(x);
    // Cited: its request is among the first SAMPLE_FRAMES, or one of its frames became an example of some sample.
    this.keep(x, seq < SAMPLE_FRAMES || this.examples() > examples);
  }

  /** How many example frames all samples of outcomes hold together. */
  private examples(): number {
    const lists = [this.unanswered, this.replies, ...this.icmp, ...this.strata, ...this.leaps, ...this.refids, ...this.kissCodes, ...this.bogus];
    return lists.reduce((n, s) => n + s.frames.length, 0);
  }

  addPending(frame: number): void {
    addToSample((this.pending ??= newSample()), frame);
  }

  private addIcmp(icmp: NonNullable<NtpExchange['icmp']>, _requestFrame: number): void {
    let seen = this.icmp.find(
      (i) => i.type === icmp.type && i.code === icmp.code && i.reporter === icmp.reporter && i.version === icmp.version,
    );
    if (!seen) {
      if (this.icmp.length >= DISTINCT_VALUES) return;
      seen = { version: icmp.version, type: icmp.type, code: icmp.code, reporter: icmp.reporter, count: 0, frames: [] };
      if (icmp.errno !== undefined) seen.errno = icmp.errno;
      if (icmp.alternatives?.length) seen.alternatives = icmp.alternatives;
      this.icmp.push(seen);
    }
    addToSample(seen, icmp.frame);
  }

  private addReply(x: NtpExchange): void {
    const r = x.reply!;
    const frame = x.replyFrame!;
    addToSample(this.replies, frame);
    addValue(this.strata, r.stratum, frame);
    addValue(this.leaps, r.leap, frame);
    addValue(this.refids, r.refidText, frame);
    if (r.stratum === 0 && /^[A-Z0-9 ]{1,4}$/.test(r.refidText)) addValue(this.kissCodes, r.refidText.trim(), frame);
    for (const b of x.bogus ?? []) addValue(this.bogus, b, frame);
    if (!isZeroTimestamp(r.referenceTime) && !isZeroTimestamp(r.transmitTime)) this.ages.push(ntpDiffSeconds(r.transmitTime, r.referenceTime));
    // Kiss-o'-death replies carry no usable time (RFC 5905 §7.4): keep them out of the numbers.
    if (r.stratum === 0) return;
    this.rootDelay.add(r.rootDelay);
    this.rootDispersion.add(r.rootDispersion);
    // RFC 5905 §11.2.1 root distance, without the client's own peer delay/dispersion terms.
    this.rootDistance.add(r.rootDelay / 2 + r.rootDispersion);
    if (x.offset !== undefined && !(x.bogus && x.bogus.length)) {
      this.offset.add(x.offset);
      if (x.offsetMethod) this.offsetMethod = x.offsetMethod;
      if (x.delay !== undefined) {
        this.delay.add(x.delay);
        // ntpd's clock filter (RFC 5905 §10) prefers the sample with the lowest delay.
        if (x.delay < this.bestDelay) {
          this.bestDelay = x.delay;
          this.bestOffset = x.offset;
        }
      } else if (this.bestOffset === undefined) {
        this.bestOffset = x.offset;
      }
    }
  }

  private keep(x: NtpExchange, cited: boolean): void {
    this.finished++;
    const keepsAny = this.keepCounts.first > 0 || this.keepCounts.last > 0;
    if (cited && keepsAny && this.first.length >= this.keepCounts.first && this.cited.length < CITED_EXCHANGES) this.cited.push(x);
    if (this.first.length < this.keepCounts.first) {
      this.first.push(x);
      return;
    }
    const n = this.keepCounts.last;
    if (this.last.length < n) this.last.push(x);
    else if (n > 0) {
      this.last[this.lastNext] = x;
      this.lastNext = (this.lastNext + 1) % n;
    }
  }

  get exchangeCount(): number {
    return this.finished;
  }

  toObservation(capturedAt: NtpPathObservation['capturedAt']): NtpPathObservation {
    const obs: NtpPathObservation = {
      kind: 'ntp-path',
      source: this.source,
      client: this.client,
      server: this.server,
      capturedAt,
      requests: this.requests,
      unanswered: this.unanswered,
      replies: this.replies,
      icmp: this.icmp,
      firstRequestTime: Number.isFinite(this.firstRequestTime) ? this.firstRequestTime : 0,
      lastRequestTime: Number.isFinite(this.lastRequestTime) ? this.lastRequestTime : 0,
      strata: this.strata,
      leaps: this.leaps,
      refids: this.refids,
      kissCodes: this.kissCodes,
      bogus: this.bogus,
      exchanges: this.keptExchanges(),
      exchangeCount: this.finished,
    };
    if (this.ports.length > 1 || (this.ports.length === 1 && this.ports[0] !== this.client.port)) {
      const exact = this.keepCounts.first > 0 || this.keepCounts.last > 0;
      obs.clientPorts =
        !exact && this.ports.length > NAMED_PORTS
          ? { count: NAMED_PORTS + 1, ports: this.ports.slice(0, NAMED_PORTS), atLeast: true }
          : { count: this.ports.length, ports: this.ports.slice(0, NAMED_PORTS) };
    }
    if (this.pending) obs.pendingAtEnd = this.pending;
    if (Number.isFinite(this.minInterval)) obs.minRequestInterval = this.minInterval;
    const set = <K extends 'rootDelay' | 'rootDispersion' | 'rootDistance' | 'offset' | 'delay'>(k: K, s?: Stats) => {
      if (s) obs[k] = s;
    };
    set('rootDelay', this.rootDelay.result());
    set('rootDispersion', this.rootDispersion.result());
    set('rootDistance', this.rootDistance.result());
    set('offset', this.offset.result(this.bestOffset));
    set('delay', this.delay.result(Number.isFinite(this.bestDelay) ? this.bestDelay : undefined));
    if (this.offsetMethod) obs.offsetMethod = this.offsetMethod;
    const ages = this.ages.filter((a) => a >= 0);
    if (ages.length > 0) obs.referenceAge = Math.min(...ages);
    const n = this.requests.count;
    const decided = Math.min(n, this.finished);
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

  private keptExchanges(): NtpExchange[] {
    const all = [...this.first, ...this.cited, ...this.last].sort((a, b) => a.requestFrame - b.requestFrame || (a.replyFrame ?? -1) - (b.replyFrame ?? -1));
    const key = (x: NtpExchange) => `${x.requestFrame}/${x.replyFrame}/${x.outcome}/${x.icmp?.frame}`;
    return all.filter((x, i) => i === 0 || key(all[i - 1]!) !== key(x));
  }

  /** Requests in the "early" part and how many of them were answered: the first half on short runs, else the first 8. */
  private earlyCounts(n: number): [number, number] {
    const earlyN = n <= EARLY_WINDOW ? Math.floor(n / 2) : EARLY_WINDOW / 2;
    let answered = 0;
    for (let i = 0; i < earlyN; i++) if (this.earlyAnswered & (1 << i)) answered++;
    return [earlyN, answered];
  }
}
