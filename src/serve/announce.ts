/**
 * What `serve` announces about its own clock (RFC 5905 §7.3: leap indicator and stratum), decided from the host
 * clock's state (./host-clock.ts) and `--stratum`. A server must not hand out an unchecked clock as good time:
 * unsynchronized or unknown → leap 3 (alarm, "clock not synchronized") and stratum 16, which every client
 * refuses (RFC 5905 §8 "strata too high"; chrony test 7, ntpd's "unsynchronized" test), unless the user forces a
 * stratum, as chrony's `local stratum N` or ntpd's local clock driver do on purpose.
 */
import type { HostClock } from './host-clock.js';
import { asciiRefid } from './reply.js';

export interface Announced {
  stratum: number;
  leap: number;
  /** Set when the refid must say why (INIT, as ntpd before it synchronized); otherwise the configured one. */
  refid?: number;
  /** One line for the start-up message. */
  note: string;
}

export function announce(host: HostClock, defaultStratum: number, forcedStratum: number | undefined): Announced {
  const what = `${host.source}: ${host.detail}`;
  if (host.state === 'synchronized') {
    const stratum = forcedStratum ?? defaultStratum;
    return { stratum, leap: host.leap, note: `the host clock is synchronized (${what}); serving stratum ${stratum}, leap ${host.leap}` };
  }
  const state = host.state === 'unknown' ? 'cannot tell whether the host clock is synchronized' : 'the host clock is NOT synchronized';
  if (forcedStratum !== undefined) {
    return {
      stratum: forcedStratum,
      leap: 0,
      note: `${state} (${what}); serving stratum ${forcedStratum}, leap 0 anyway, as --stratum says: clients will take this clock as good time`,
    };
  }
  return {
    stratum: 16,
    leap: 3,
    refid: asciiRefid('INIT'),
    note: `${state} (${what}); serving leap 3 (alarm), stratum 16: clients will not synchronize to it (--stratum N to serve it anyway)`,
  };
}
