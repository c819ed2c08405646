/**
 * Per-client rate limit, ntpd `restrict … limited kod` style (ntp_monitor.c: an MRU list of clients with a
 * leaky-bucket score; over the limit a client gets a KoD RATE, and the KoDs themselves are limited so they can
 * never become a flood of their own). Memory is bounded: at most `maxClients` entries, the least recently seen
 * evicted first (ntpd's `mru maxdepth`), so a flood from spoofed sources cannot grow the table.
 *
 * A leak, as chrony's `ratelimit leak` (chrony.conf(5)): of the requests over the limit, 1 in 2^leak on average is
 * answered anyway, at random. Without it, a flood that spoofs a client's address empties that client's bucket and
 * cuts the client off completely; with leak 2 the client still gets at least a quarter of its answers.
 */

export interface RateLimitConfig {
  /** Packets a client may send back to back (iburst sends 8 at 2 s; `discard` burst). */
  burst: number;
  /** Average seconds between packets once the burst is spent (ntpd `discard average`, log2 3 = 8 s there). */
  interval: number;
  /** At most one KoD per client per this many seconds; the other over-limit packets are dropped silently. */
  kodInterval: number;
  maxClients: number;
  /** Answer 1 in 2^leak of the requests over the limit (chrony: 1..4, default 2); 0 answers none (tests only). */
  leak: number;
}

/**
 * Lenient on purpose: a reference server must not trip a user's ntpdate + chronyd + probe run from one host
 * (iburst alone is 8 packets 2 s apart), yet a flood from one address is cut to one answer per second.
 */
export const DEFAULT_RATE_LIMIT: RateLimitConfig = { burst: 16, interval: 1, kodInterval: 1, maxClients: 65_536, leak: 2 };

/** 'leak': over the limit but answered anyway (see leak). */
export type RateVerdict = 'ok' | 'kod' | 'drop' | 'leak';

interface Bucket {
  tokens: number;
  /** Seconds (server clock) of the last refill and of the last KoD sent. */
  last: number;
  lastKod: number;
}

export class RateLimiter {
  private readonly clients = new Map<string, Bucket>();
  private readonly leakChance: number;
  constructor(
    readonly config: RateLimitConfig = DEFAULT_RATE_LIMIT,
    private readonly random: () => number = Math.random,
  ) {
    this.leakChance = config.leak > 0 ? 2 ** -config.leak : 0;
  }

  get size(): number {
    return this.clients.size;
  }

  /** One packet from `client` at `now` seconds: answer it, answer with KoD RATE, or drop it. */
  check(client: string, now: number): RateVerdict {
    const c = this.config;
    let b = this.clients.get(client);
    if (b) {
      // Move to the most-recent end (Map keeps insertion order): the oldest entry is the first key.
      this.clients.delete(client);
      b.tokens = Math.min(c.burst, b.tokens + (now - b.last) / c.interval);
      b.last = now;
    } else {
      b = { tokens: c.burst, last: now, lastKod: -Infinity };
      if (this.clients.size >= c.maxClients) {
        const oldest = this.clients.keys().next();
        if (!oldest.done) this.clients.delete(oldest.value);
      }
    }
    this.clients.set(client, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 'ok';
    }
    if (now - b.lastKod >= c.kodInterval) {
      b.lastKod = now;
      return 'kod';
    }
    // chrony clientlog.c limit_response_random(): random, so a spoofer cannot time its packets to take the leak.
    return this.leakChance > 0 && this.random() < this.leakChance ? 'leak' : 'drop';
  }
}
