/**
 * Every exchange of an input, reduced to what a plot of offset and delay over time needs, in bounded memory: one
 * series per client → server path, each a list of time bins. A bin starts as one exchange; when a series holds
 * more than MAX_BINS, neighbours merge pairwise, keeping the minimum and maximum offset and delay and the counts
 * (an envelope, as ntpviz and Wireshark's I/O graphs draw dense data). Nothing is sampled away: every exchange
 * is in exactly one bin, and every mark (rejected, KoD, ICMP, unanswered) is counted.
 */
import type { NtpExchange } from '../../model/exchange.js';

/** What answered a request, for the marks. */
export type Mark = 'rejected' | 'kod' | 'icmp' | 'none';
export const MARKS: readonly Mark[] = ['rejected', 'kod', 'icmp', 'none'];

export interface Bin {
  /** First and last request time in the bin (s since the epoch). */
  t0: number;
  t1: number;
  /** Exchanges in the bin. */
  n: number;
  /** Offsets and delays of the usable time replies in it (RFC 5905 §8 θ and δ), as envelopes. */
  offsets: number;
  offsetMin: number;
  offsetMax: number;
  delays: number;
  delayMin: number;
  delayMax: number;
  /** Exchanges of each mark kind in the bin. */
  marks: Record<Mark, number>;
}

export interface Series {
  client: string;
  server: string;
  port: number;
  exchanges: number;
  bins: Bin[];
}

/** Bins per series at most (a 1000-pixel-wide plot cannot show more), and series drawn at most. */
export const MAX_BINS = 2048;
export const MAX_SERIES = 12;

/**
 * Which mark an exchange gets, if any. 'rejected': a reply the client throws away — an RFC 5905 §8 packet test
 * failed (bogus: origin mismatch, zero or reversed timestamps, duplicate; chrony test1–test3), or the server says it
 * is unsynchronised (leap 3 or stratum 16; chrony test6/testB). 'kod': stratum 0, a Kiss-o'-Death (RFC 5905 §7.4).
 */
export function markOf(x: NtpExchange): Mark | undefined {
  if (x.outcome === 'icmp') return 'icmp';
  if (x.outcome === 'none' || !x.reply) return 'none';
  if (x.reply.stratum === 0) return 'kod';
  if (x.bogus?.length || x.reply.leap === 3 || x.reply.stratum >= 16) return 'rejected';
  return undefined;
}

const key = (x: NtpExchange) => `${x.client.ip}\u0000${x.server.ip}\u0000${x.server.port}`;

function newBin(x: NtpExchange): Bin {
  const mark = markOf(x);
  // Points are the replies a client would use; a rejected one is a mark, not a point.
  const hasTime = mark === undefined;
  const offset = hasTime && x.offset !== undefined && Number.isFinite(x.offset) ? x.offset : undefined;
  const delay = hasTime && x.delay !== undefined && Number.isFinite(x.delay) ? x.delay : undefined;
  return {
    t0: x.requestTime,
    t1: x.requestTime,
    n: 1,
    offsets: offset === undefined ? 0 : 1,
    offsetMin: offset ?? Infinity,
    offsetMax: offset ?? -Infinity,
    delays: delay === undefined ? 0 : 1,
    delayMin: delay ?? Infinity,
    delayMax: delay ?? -Infinity,
    marks: { rejected: mark === 'rejected' ? 1 : 0, kod: mark === 'kod' ? 1 : 0, icmp: mark === 'icmp' ? 1 : 0, none: mark === 'none' ? 1 : 0 },
  };
}

function merge(a: Bin, b: Bin): Bin {
  return {
    t0: Math.min(a.t0, b.t0),
    t1: Math.max(a.t1, b.t1),
    n: a.n + b.n,
    offsets: a.offsets + b.offsets,
    offsetMin: Math.min(a.offsetMin, b.offsetMin),
    offsetMax: Math.max(a.offsetMax, b.offsetMax),
    delays: a.delays + b.delays,
    delayMin: Math.min(a.delayMin, b.delayMin),
    delayMax: Math.max(a.delayMax, b.delayMax),
    marks: { rejected: a.marks.rejected + b.marks.rejected, kod: a.marks.kod + b.marks.kod, icmp: a.marks.icmp + b.marks.icmp, none: a.marks.none + b.marks.none },
  };
}

/** Feed it every exchange (AnalyzeOptions.onExchange); read `series()` at the end. */
export class PlotCollector {
  private readonly byPath = new Map<string, Series>();
  /** Exchanges of paths past MAX_SERIES: counted, not drawn. */
  private otherPaths = new Set<string>();
  private otherExchanges = 0;
  /** Distinct paths past MAX_SERIES counted exactly up to this many (a server-side capture of 100 k clients). */
  private static readonly OTHER_PATHS = 100_000;

  constructor(private readonly maxBins = MAX_BINS, private readonly maxSeries = MAX_SERIES) {}

  add(x: NtpExchange): void {
    if (!Number.isFinite(x.requestTime)) return;
    const k = key(x);
    let s = this.byPath.get(k);
    if (!s) {
      if (this.byPath.size >= this.maxSeries) {
        if (this.otherPaths.size < PlotCollector.OTHER_PATHS) this.otherPaths.add(k);
        this.otherExchanges++;
        return;
      }
      s = { client: x.client.ip, server: x.server.ip, port: x.server.port, exchanges: 0, bins: [] };
      this.byPath.set(k, s);
    }
    s.exchanges++;
    s.bins.push(newBin(x));
    if (s.bins.length > this.maxBins) s.bins = halve(s.bins);
  }

  series(): Series[] {
    // Exchanges arrive when they complete (a reply, an ICMP error, a timeout): in request order per series.
    return [...this.byPath.values()].map((s) => ({ ...s, bins: [...s.bins].sort((a, b) => a.t0 - b.t0) }));
  }

  /** Paths (and their exchanges) not drawn because MAX_SERIES were already. */
  get others(): { paths: number; exchanges: number } {
    return { paths: this.otherPaths.size, exchanges: this.otherExchanges };
  }
}

/** Neighbours merged pairwise, in time order (exchanges complete out of order: a timeout comes late). */
function halve(bins: Bin[]): Bin[] {
  const sorted = [...bins].sort((a, b) => a.t0 - b.t0);
  const out: Bin[] = [];
  for (let i = 0; i < sorted.length; i += 2) {
    const b = sorted[i + 1];
    out.push(b ? merge(sorted[i]!, b) : sorted[i]!);
  }
  return out;
}
