/**
 * The exchanges a path keeps for the report (src/diagnose/report.ts lists a sample): the first few, the last few
 * (a ring, overwritten in place), and those evidence may cite. Copies are made by ./exchange.ts, the one module
 * that builds and copies an NtpExchange; the ring holds measured replies packed as numbers (./packed.ts) and
 * builds their exchanges only when the list is asked for.
 */
import type { Endpoint, NtpExchange } from '../model/exchange.js';
import { replyExchange, replySummary, retained, sameExchange, type Measured, type ReplyFields, type ReplyMeasure, type RequestRecord } from './exchange.js';
import { packReply, PACKED_FIELDS, unpackReply } from './packed.js';
import { NONE } from './samples.js';

/** Exchanges kept per path by default: the first and the last few (callers with many paths keep fewer). */
export const KEEP_EXCHANGES = { first: 6, last: 6 };
/**
 * Exchanges kept beyond the first and last few because evidence may cite them: each has a frame that made it into a
 * frame sample (the first SAMPLE_FRAMES requests, unanswered requests, replies, KoD replies of a code, ICMP errors of
 * a kind...). Bounded per path, since the number of distinct values (refids) is not.
 */
export const CITED_EXCHANGES = 64;


export class KeptExchanges {
  private first: NtpExchange[] | undefined = undefined;
  /**
   * The latest exchanges after `first`: a ring of counts.last, the oldest overwritten at lastNext. A slot holds the
   * exchange object, or the refid text of a reply packed at that slot of `packed` (./packed.ts): one array to keep up
   * per reply, not three (kind, object, text: measured, the bookkeeping cost more than the packing).
   */
  private last: Array<NtpExchange | string> | undefined = undefined;
  private packed: Float64Array | undefined = undefined;
  private lastNext = 0;
  /** Exchanges evidence may cite that neither `first` nor (yet) `last` holds: copies, at most CITED_EXCHANGES. */
  private cited: NtpExchange[] | undefined = undefined;

  constructor(
    private readonly counts: { first: number; last: number },
    private readonly client: Endpoint,
    private readonly server: Endpoint,
  ) {}

  /** Keeps nothing at all (a path past MANY_PATHS, src/correlate/paths.ts). */
  get none(): boolean {
    return this.counts.first === 0 && this.counts.last === 0;
  }

  /**
   * Keeps `x` where it belongs (`cited`: one of its frames is among a sample's examples): the first few and the cited
   * ones as copies (./exchange.ts retained), the ring the object itself.
   */
  keep(x: NtpExchange, cited: boolean): void {
    if (this.keepCopy(x, cited)) return;
    const slot = this.ringSlot();
    if (slot < 0) return;
    this.last![slot] = x;
  }

  /**
   * A request and the reply that passed every packet test (the correlator's common case): the first few and the cited
   * ones as exchange objects, the ring packed (./packed.ts) — no object per reply.
   */
  keepReply(q: RequestRecord, t: ReplyFields, m: ReplyMeasure, refidText: string, measured: Measured, cited: boolean): void {
    const first = this.first;
    if ((first === undefined ? this.counts.first > 0 : first.length < this.counts.first) || (cited && !this.none)) {
      // Built here and seen by no one else: kept as it is, not copied (./exchange.ts retained walks every key).
      const x = replyExchange(q, this.client.ip, this.server, t.frame, m.replyTime, replySummary(t, refidText), measured, m.offset, m.delay);
      if (this.keepCopy(x, cited, true)) return;
    }
    const slot = this.ringSlot();
    if (slot < 0) return;
    const packed = (this.packed ??= new Float64Array(this.counts.last * PACKED_FIELDS));
    packReply(packed, slot, q, t, m, measured);
    // Stored only when it changes (the slot held a reply of the same refid before, mostly): no store, no write barrier.
    const last = this.last!;
    if (last[slot] !== refidText) last[slot] = refidText;
  }

  /**
   * Keeps a copy of `x` among the cited or the first ones; true when it went to the first ones (done with it).
   * `fresh`: nobody else holds `x` (keepReply built it), so it is kept itself, not a copy (measured: the generic copy
   * of the first and cited exchanges of 64 paths was ~8 ms of a 20 k-frame analysis).
   */
  private keepCopy(x: NtpExchange, cited: boolean, fresh = false): boolean {
    const keep = (e: NtpExchange) => (fresh ? e : retained(e, this.client, this.server));
    const first = this.first;
    const keepFirst = this.counts.first;
    // A path that keeps no exchanges keeps no cited ones either (src/correlate/paths.ts MANY_PATHS).
    if (cited && (first !== undefined ? first.length >= keepFirst : keepFirst === 0) && !this.none) {
      // The ring overwrites its entries: a cited exchange is kept as a copy of its own.
      const list = (this.cited ??= []);
      if (list.length < CITED_EXCHANGES) list.push(keep(x));
    }
    if (first === undefined) {
      if (keepFirst === 0) return false;
      // A one-element literal: exactly as long as it needs to be when one is all a path keeps.
      this.first = [keep(x)];
      return true;
    }
    if (first.length < keepFirst) {
      first.push(keep(x));
      return true;
    }
    return false;
  }

  /** The ring slot the next kept exchange takes (the oldest once full), or -1 when the path keeps no last ones. */
  private ringSlot(): number {
    const keepLast = this.counts.last;
    if (keepLast === 0) return -1;
    const last = this.last;
    if (last === undefined || last.length < keepLast) {
      const l = (this.last ??= []);
      l.push('');
      return l.length - 1;
    }
    const slot = this.lastNext;
    // Not `% keepLast`: a division by a variable, per reply.
    this.lastNext = slot + 1 === keepLast ? 0 : slot + 1;
    return slot;
  }

  /** Ring slot `i` as an exchange (a packed one built now). */
  private ringAt(i: number): NtpExchange {
    const held = this.last![i]!;
    return typeof held === 'string' ? unpackReply(this.packed!, i, this.client.ip, this.server, held) : held;
  }

  /** The first, cited and last exchanges in request order, each once (a cited one may also be among the last). */
  list(): NtpExchange[] {
    if (this.first === undefined && this.last === undefined) return NONE;
    const ring: NtpExchange[] = [];
    for (let i = 0; i < (this.last?.length ?? 0); i++) ring.push(this.ringAt(i));
    const all = [...(this.first ?? []), ...(this.cited ?? []), ...ring].sort(
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
}
