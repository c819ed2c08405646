/**
 * Per-client rate limit, ntpd `restrict … limited kod` style (ntp_monitor.c: an MRU list of clients with a
 * leaky-bucket score; over the limit a client gets a KoD RATE, and the KoDs themselves are limited so they can
 * never become a flood of their own). Memory is bounded: at most `maxClients` entries, the least recently seen
 * evicted first (ntpd's `mru maxdepth`), so a flood from spoofed sources cannot grow the table.
 */

export interface RateLimitConfig {
  /** Packets a client may send back to back (iburst sends 8 at 2 s; `discard` burst). */
  burst: number;
  /** Average seconds between packets once the burst is spent (ntpd `discard average`, log2 3 = 8 s there). */
  interval: number;
  /** At most one KoD per client per this many seconds; the other over-limit packets are dropped silently. */
  kodInterval: number;
  maxClients: number;
}

/**
 * Lenient on purpose: a reference server must not trip a user's ntpdate + chronyd + probe run from one host
 * (iburst alone is 8 packets 2 s apart), yet a flood from one address is cut to one answer per second.
 */
export const DEFAULT_RATE_LIMIT: RateLimitConfig = { burst: 16, interval: 1, kodInterval: 1, maxClients: 65_536 };

export type RateVerdict = 'ok' | 'kod' | 'drop';

interface Bucket {
  tokens: number;
  /** Seconds (server clock) of the last refill and of the last KoD sent. */
  last: number;
  lastKod: number;
}

export class RateLimiter {
  private readonly clients = new Map<string, Bucket>();
  constructor(readonly config: RateLimitConfig = DEFAULT_RATE_LIMIT) {}

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
    return 'drop';
  }
}
