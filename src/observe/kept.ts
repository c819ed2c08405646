/**
 * The exchanges a path keeps for the report (src/diagnose/report.ts lists a sample): the first few, the last few
 * (a ring, overwritten in place), and those evidence may cite. Copies are made by ./exchange.ts, the one module
 * that builds and copies an NtpExchange.
 */
import type { Endpoint, NtpExchange } from '../model/exchange.js';
import { copyReply, overwriteReply, retained, sameExchange } from './exchange.js';
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
  /** The latest exchanges after `first`: a ring of counts.last, the oldest overwritten at lastNext. */
  private last: NtpExchange[] | undefined = undefined;
  /** The `shape` each `last` slot was added with (0: the caller's own object, never overwritten). */
  private lastShapes: number[] | undefined = undefined;
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

  /** A copy of `x` to keep: `shape` 0 is a caller's object to retain, above 0 a reused reply to copy. */
  private copy(x: NtpExchange, shape: number): NtpExchange {
    return shape === 0 ? retained(x, this.client, this.server) : copyReply(x, this.client, this.server);
  }

  /** See PathAccumulator.addOutcome for `shape`; `cited`: one of its frames is among a sample's examples. */
  keep(x: NtpExchange, shape: number, cited: boolean): void {
    const first = this.first;
    const keepFirst = this.counts.first;
    const keepLast = this.counts.last;
    // A path that keeps no exchanges keeps no cited ones either (src/correlate/paths.ts MANY_PATHS).
    if (cited && (first !== undefined ? first.length >= keepFirst : keepFirst === 0) && (keepFirst > 0 || keepLast > 0)) {
      // The ring below overwrites its entries: a cited exchange is kept as a copy of its own.
      const list = (this.cited ??= []);
      if (list.length < CITED_EXCHANGES) list.push(this.copy(x, shape));
    }
    if (first === undefined) {
      if (keepFirst > 0) {
        // A one-element literal: exactly as long as it needs to be when one is all a path keeps.
        this.first = [this.copy(x, shape)];
        return;
      }
    } else if (first.length < keepFirst) {
      first.push(this.copy(x, shape));
      return;
    }
    if (keepLast === 0) return;
    const kept = shape === 0 ? x : undefined;
    const last = this.last;
    const shapes = (this.lastShapes ??= []);
    if (last === undefined || last.length < keepLast) {
      (this.last ??= []).push(kept ?? copyReply(x, this.client, this.server));
      shapes.push(shape);
      return;
    }
    const slot = this.lastNext;
    this.lastNext = (slot + 1) % keepLast;
    // Filled in place already: the caller had it from slotFor().
    if (last[slot] === x) return;
    if (kept === undefined && shapes[slot] === shape) overwriteReply(last[slot] as NtpExchange, x, this.client, this.server);
    else last[slot] = kept ?? copyReply(x, this.client, this.server);
    shapes[slot] = shape;
  }

  /**
   * The kept exchange that the next outcome of `shape` (above 0) will take the place of, when it is one of that
   * shape: a caller may fill it in place and hand it to keep(), which then keeps it as it is (no copy). Undefined
   * when the next outcome is copied (the first few) or not kept, or the slot holds another shape.
   */
  slotFor(shape: number): NtpExchange | undefined {
    const last = this.last;
    if (shape === 0 || last === undefined || last.length < this.counts.last) return undefined;
    return this.lastShapes?.[this.lastNext] === shape ? last[this.lastNext] : undefined;
  }

  /** The first, cited and last exchanges in request order, each once (a cited one may also be among the last). */
  list(): NtpExchange[] {
    if (this.first === undefined && this.last === undefined) return NONE;
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
}
