/**
 * The per-server summary a report carries (`servers`): one row per client → server path, with the columns an
 * admin knows from `ntpq -p` and `chronyc sources` — remote, refid, stratum, a reach-like answered/sent, offset,
 * delay, jitter. Built from the paths' observations, whose counts and statistics cover every exchange of the
 * input (src/observe/accumulate.ts), not from the bounded sample of exchanges the report lists.
 */
import type { NtpExchange } from '../model/exchange.js';
import type { NtsPathCounts } from '../model/nts-wire.js';
import type { NtpPathObservation, Observation, ValueSeen } from '../model/observation.js';
import { firstInOrder } from './select.js';

export interface ServerSummary {
  source: 'capture' | 'probe';
  client: string;
  server: string;
  port: number;
  /** Requests sent on the path. */
  sent: number;
  /** Replies that carried time: matched replies minus Kiss-o'-Death ones (ntpq's reach counts only those). */
  answered: number;
  /** Requests answered by an ICMP error, and by nothing at all. */
  icmp: number;
  unanswered: number;
  /** ICMP errors by kind (RFC 792 / RFC 4443 type and code), with how many requests each answered. */
  icmpErrors?: Array<{ version: 4 | 6; type: number; code: number; reporter: string; count: number }>;
  /** Kiss codes seen (RATE, DENY, …) with how many replies carried each. */
  kiss?: Array<{ code: string; count: number }>;
  /** The stratum, refid and leap most replies carried (time replies; KoD replies are stratum 0). */
  stratum?: number;
  refid?: string;
  leap?: number;
  /** Distinct strata / refids seen, when more than one (a server that changed its source mid-capture). */
  strata?: number;
  refids?: number;
  /**
   * Offset of the lowest-delay reply, the sample ntpd's clock filter picks (RFC 5905 §10); else the mean.
   * Seconds; the server's clock minus the client's.
   */
  offset?: number;
  /** Lowest round-trip delay seen (s), RFC 5905 §8 δ. */
  delay?: number;
  /**
   * RFC 5905 §10 peer jitter ψ = √(Σ (θ0 − θj)² / (n − 1)) over the clock filter's window — the path's last
   * (up to 8) measured replies, θ0 the lowest-delay one among them — as ntpq's `jitter` column shows it.
   */
  jitter?: number;
  offsetMethod?: NtpExchange['offsetMethod'];
  /** NTS extension fields on the path and the authenticated exchanges (src/correlate/nts-ef.ts). */
  nts?: NtsPathCounts;
  firstRequestTime: number;
  lastRequestTime: number;
}

/** Rows a report keeps at most: a server-side capture can have 100 k clients (the rest are counted). */
export const REPORT_SERVERS = 256;
/** RFC 5905 §10: the clock filter holds NSTAGE = 8 samples. */
export const NSTAGE = 8;

/** Every ntp-path observation as a summary row, servers together, most requests first within a server. */
export function summarizeServers(observations: readonly Observation[]): { servers: ServerSummary[]; omitted: number } {
  const paths = observations.filter((o): o is NtpPathObservation => o.kind === 'ntp-path');
  // Sorted on what the order needs (server, port, requests, client), read off the observations; only the rows kept
  // are summarized (a server-side capture of 100 k clients keeps REPORT_SERVERS of them: summarizing every path
  // first was a quarter of the report's CPU there). Address keys made once per path, not per comparison (a regexp
  // and two arrays per comparison were ~0.8 s of CPU on 100 k paths), as numbers in typed arrays, and path numbers
  // sorted by the comparator compareAddress uses: a stable sort from the same order, so the order sorting the rows
  // with it would give.
  // The port and request count too: a comparison then reads the observations only on a tie of the keys (the paths
  // of 100 k clients are 100 k objects apart in memory: reading two per comparison was ~60 ms of cache misses).
  // The server as its rank among the distinct server addresses in compareAddress order (a few servers, often one
  // string each: src/correlate/paths.ts), so that no comparison reads an address.
  const n = paths.length;
  const serverRank = new Float64Array(n);
  const clientKey = new Float64Array(n);
  const serverPort = new Int32Array(n);
  const requests = new Float64Array(n);
  const ranks = new Map<string, number>();
  const serverIp = new Array<string>(n);
  let lastIp: string | undefined;
  for (let i = 0; i < n; i++) {
    const p = paths[i]!;
    const ip = p.server.ip;
    serverIp[i] = ip;
    // Most paths have the server of the path before (one string: the decoder's): no hash lookup then.
    if (ip !== lastIp) ranks.set((lastIp = ip), 0);
    clientKey[i] = addressKey(p.client.ip);
    serverPort[i] = p.server.port;
    requests[i] = p.requests.count;
  }
  [...ranks.keys()].sort(compareAddress).forEach((ip, rank) => ranks.set(ip, rank));
  for (let i = 0; i < n; i++) serverRank[i] = ranks.get(serverIp[i]!)!;
  // Only the rows kept are put in order (./select.ts): the index last, for the order a stable sort gives.
  const order = firstInOrder(
    n,
    REPORT_SERVERS,
    (i, j) =>
      serverRank[i]! - serverRank[j]! ||
      serverPort[i]! - serverPort[j]! ||
      requests[j]! - requests[i]! ||
      clientKey[i]! - clientKey[j]! ||
      compareText(paths[i]!.client.ip, paths[j]!.client.ip) ||
      i - j,
  );
  const omitted = Math.max(0, paths.length - REPORT_SERVERS);
  return { servers: order.map((i) => summarizePath(paths[i]!)), omitted };
}

export function summarizePath(p: NtpPathObservation): ServerSummary {
  const kissTotal = p.kissCodes.reduce((n, k) => n + k.count, 0);
  const icmp = p.icmp.reduce((n, i) => n + i.count, 0);
  const row: ServerSummary = {
    source: p.source,
    client: p.client.ip,
    server: p.server.ip,
    port: p.server.port,
    sent: p.requests.count,
    answered: Math.max(0, p.replies.count - kissTotal),
    icmp,
    unanswered: p.unanswered.count,
    firstRequestTime: p.firstRequestTime,
    lastRequestTime: p.lastRequestTime,
  };
  if (p.icmp.length) row.icmpErrors = p.icmp.map((i) => ({ version: i.version, type: i.type, code: i.code, reporter: i.reporter, count: i.count }));
  if (p.kissCodes.length) row.kiss = p.kissCodes.map((k) => ({ code: k.value, count: k.count }));
  // KoD replies carry stratum 0 and the kiss code as refid: they say nothing about the server's clock.
  const kodCodes = new Set(p.kissCodes.map((k) => k.value));
  const stratum = mostSeen(p.strata.filter((s) => s.value !== 0));
  if (stratum !== undefined) row.stratum = stratum;
  const refid = mostSeen(p.refids.filter((r) => !kodCodes.has(r.value)));
  if (refid !== undefined) row.refid = refid;
  const leap = mostSeen(p.leaps);
  if (leap !== undefined && p.replies.count > kissTotal) row.leap = leap;
  const strata = p.strata.filter((s) => s.value !== 0).length;
  if (strata > 1) row.strata = strata;
  const refids = p.refids.filter((r) => !kodCodes.has(r.value)).length;
  if (refids > 1) row.refids = refids;
  const offset = p.offset?.best ?? p.offset?.mean;
  if (offset !== undefined && Number.isFinite(offset)) row.offset = offset;
  if (p.delay !== undefined && Number.isFinite(p.delay.min)) row.delay = p.delay.min;
  const jitter = filterJitter(p.exchanges);
  if (jitter !== undefined) row.jitter = jitter;
  if (p.offsetMethod !== undefined) row.offsetMethod = p.offsetMethod;
  if (p.nts !== undefined) row.nts = { ...p.nts };
  return row;
}

/**
 * RFC 5905 §10 jitter over the last NSTAGE measured exchanges (time replies with an offset, not KoD): the window
 * ntpq's jitter is computed on. Undefined with fewer than two samples (one sample has no jitter).
 */
export function filterJitter(exchanges: readonly NtpExchange[]): number | undefined {
  const window: Array<{ offset: number; delay: number }> = [];
  for (let i = exchanges.length - 1; i >= 0 && window.length < NSTAGE; i--) {
    const x = exchanges[i]!;
    if (x.outcome !== 'reply' || !x.reply || x.reply.stratum === 0 || x.offset === undefined || !Number.isFinite(x.offset)) continue;
    window.push({ offset: x.offset, delay: x.delay !== undefined && Number.isFinite(x.delay) ? x.delay : Infinity });
  }
  if (window.length < 2) return undefined;
  let best = window[0]!;
  for (const s of window) if (s.delay < best.delay) best = s;
  let sum = 0;
  for (const s of window) sum += (best.offset - s.offset) ** 2;
  return Math.sqrt(sum / (window.length - 1));
}

/** The value most samples carried (the first seen on a tie). */
function mostSeen<T>(values: readonly ValueSeen<T>[]): T | undefined {
  let best: ValueSeen<T> | undefined;
  for (const v of values) if (!best || v.count > best.count) best = v;
  return best?.value;
}

/** IPv4 before IPv6, numerically within each (198.51.100.9 before 198.51.100.10); other text by code unit. */
export function compareAddress(a: string, b: string): number {
  return compareKeyed(addressKey(a), addressKey(b), a, b);
}

/** compareAddress with the addresses' keys (addressKey) made beforehand. */
function compareKeyed(ka: number, kb: number, a: string, b: string): number {
  return ka - kb || compareText(a, b);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * IPv4 text as 4·2^40 + its four numbers at 2^30, 2^20, 2^10, 1 (each at most 999 < 2^10, exact in a double), so
 * one subtraction orders them as the numbers read left to right; anything else 6·2^40 (ordered by its text).
 */
function addressKey(s: string): number {
  // By character codes, not a regular expression: made for every path (100 k on a server-side capture).
  let key = 0;
  let part = 0;
  let digits = 0;
  let parts = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 46; // '.' ends the last number
    if (c >= 48 && c <= 57) {
      if (++digits > 3) return OTHER;
      part = part * 10 + (c - 48);
    } else if (c === 46 && digits > 0 && parts < 4) {
      key = key * 2 ** 10 + part;
      parts++;
      part = 0;
      digits = 0;
    } else return OTHER;
  }
  return parts === 4 ? 4 * 2 ** 40 + key : OTHER;
}

/** The key of anything that is not IPv4 text (ordered after IPv4, then by its text). */
const OTHER = 6 * 2 ** 40;
