/**
 * The built-in NTP server: a known-good (or deliberately broken) reference on a spare port, to tell the firewall
 * from the daemon and to check what clients do with each fault.
 *
 * Answers only well-formed mode 3 requests of versions 1–4. Never answers mode 6 (ntpq) or mode 7 (ntpdc,
 * monlist: CVE-2013-5211), nor anything short or malformed. A reply is 48 octets and a request at least 48, so a
 * reply is never longer than its request (no amplification, checked again before each send). Answers only
 * loopback and the allowed networks (./access.ts).
 */
import dgram from 'node:dgram';
import { decodeNtp, encodeNtp } from '../ntp/codec.js';
import { NTP_HEADER_LENGTH } from '../ntp/constants.js';
import type { NtpTimePacket } from '../ntp/types.js';
import { sharedClock, unixNsToNtp, type WallClock } from '../net/clock.js';
import type { Fault } from './faults.js';
import { DEFAULT_RATE_LIMIT, RateLimiter, type RateLimitConfig } from './ratelimit.js';
import { writeTimestamp } from '../ntp/wire.js';
import { faultShift, kissOfDeath, serverReply, shiftTimestamp, type ServerIdentity } from './reply.js';
import { AccessList } from './access.js';
import type { Prefix } from '../net/ip.js';
import { ListenError } from './listen-error.js';

/** Octet offset of the transmit timestamp (RFC 5905 §7.3, figure 8). */
const TRANSMIT_OFFSET = 40;

export interface ListenAddress {
  address: string;
  port: number;
  /** The default [::1]: skipped, not fatal, when this host has no IPv6 (EADDRNOTAVAIL, EAFNOSUPPORT). */
  optional?: boolean;
}

export interface ServeOptions {
  listen: ListenAddress[];
  stratum: number;
  refid: number;
  /** Leap indicator to announce (default 0): 3 when the host clock is unsynchronized (./announce.ts). */
  leap?: number;
  /** Networks answered besides loopback (chrony `allow`); default none: loopback only. */
  allow?: readonly Prefix[];
  /** Root dispersion we claim (s); default: our reading error, 2^precision (see defaultRootDispersion). */
  rootDispersion?: number;
  faults?: Fault[];
  /** null: no rate limit (benchmarks). */
  rateLimit?: RateLimitConfig | null;
  clock?: WallClock;
  /** Random source for drop:RATIO and the rate limit's leak (tests pass a seeded one). */
  random?: () => number;
}

export interface ServeStats {
  received: number;
  replied: number;
  kod: number;
  /** Requests not answered, by reason. */
  dropped: {
    short: number;
    version: number;
    mode: number;
    control: number;
    malformed: number;
    rateLimited: number;
    fault: number;
    sendError: number;
    /** From a client outside loopback and --allow. */
    denied: number;
  };
  /** Over the rate limit but answered: the leak (1 in 2^leak). */
  leaked: number;
  /** Largest reply/request length ratio sent (must stay ≤ 1). */
  maxAmplification: number;
}

export interface RunningServer {
  addresses: ListenAddress[];
  /** Optional listen addresses skipped, with why (the default [::1] on a host without IPv6). */
  skipped: string[];
  access: AccessList;
  stats: ServeStats;
  identity: ServerIdentity;
  clients(): number;
  close(): Promise<void>;
}

/**
 * A local-clock server claims no upstream: root delay 0 and, as root dispersion, only what it knows of its own
 * error — the clock reading resolution (2^precision) — rounded up to the 16.16 wire quantum (2^-16 s).
 * It says nothing about this host's clock against UTC; stratum 10 tells clients it is a last resort.
 */
export function defaultRootDispersion(precision: number): number {
  return Math.ceil(2 ** precision * 65536) / 65536;
}

function newStats(): ServeStats {
  return {
    received: 0,
    replied: 0,
    kod: 0,
    dropped: { short: 0, version: 0, mode: 0, control: 0, malformed: 0, rateLimited: 0, fault: 0, sendError: 0, denied: 0 },
    leaked: 0,
    maxAmplification: 0,
  };
}

function bindSocket(l: ListenAddress): Promise<dgram.Socket> {
  const v6 = l.address.includes(':');
  const socket = dgram.createSocket({ type: v6 ? 'udp6' : 'udp4', ipv6Only: v6 });
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      try {
        socket.close();
      } catch {
        /* never bound */
      }
      reject(new ListenError(l, err.code ?? 'EIO', err.message));
    };
    socket.once('error', onError);
    socket.bind(l.port, l.address, () => {
      socket.off('error', onError);
      resolve(socket);
    });
  });
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const clock = opts.clock ?? sharedClock();
  const faults = opts.faults ?? [];
  const random = opts.random ?? Math.random;
  const silence = faults.some((f) => f.kind === 'silence');
  const shift = faultShift(faults);
  const dropRatio = faults.reduce((r, f) => (f.kind === 'drop' ? Math.max(r, f.ratio) : r), 0);
  const limiter = opts.rateLimit === null ? undefined : new RateLimiter(opts.rateLimit ?? DEFAULT_RATE_LIMIT, random);
  const access = new AccessList(opts.allow ?? []);
  const stats = newStats();
  const identity: ServerIdentity = {
    stratum: opts.stratum,
    refid: opts.refid >>> 0,
    precision: clock.precision,
    rootDelay: 0,
    rootDispersion: opts.rootDispersion ?? defaultRootDispersion(clock.precision),
    referenceTime: clock.nowNtp(),
    leap: opts.leap ?? 0,
  };
  // The local clock "updates" every 16 s (ntpd's local driver polls at 64 s): re-anchor on a step, refresh reftime.
  const tick = setInterval(() => {
    clock.resync();
    identity.referenceTime = clock.nowNtp();
  }, 16_000);
  tick.unref();

  const sockets: dgram.Socket[] = [];
  const send = (socket: dgram.Socket, reply: Uint8Array, requestLength: number, port: number, address: string): void => {
    const ratio = reply.length / requestLength;
    if (ratio > 1) {
      // Cannot happen with 48-octet replies; the guard keeps the no-amplification promise whatever changes.
      stats.dropped.fault++;
      return;
    }
    if (ratio > stats.maxAmplification) stats.maxAmplification = ratio;
    socket.send(reply, port, address, (err) => {
      if (err) stats.dropped.sendError++;
    });
  };

  const onMessage = (socket: dgram.Socket, msg: Buffer, rinfo: dgram.RemoteInfo): void => {
    // T2 first: the receive timestamp, as early as user space can take it.
    const t2Ns = clock.nowNs();
    stats.received++;
    if (!access.allows(rinfo.address)) {
      stats.dropped.denied++;
      return;
    }
    const mode = msg.length > 0 ? (msg[0] as number) & 7 : -1;
    if (mode === 6 || mode === 7) {
      stats.dropped.control++;
      return;
    }
    if (msg.length < NTP_HEADER_LENGTH) {
      stats.dropped.short++;
      return;
    }
    if (mode !== 3) {
      stats.dropped.mode++;
      return;
    }
    const version = ((msg[0] as number) >>> 3) & 7;
    if (version < 1 || version > 4) {
      stats.dropped.version++;
      return;
    }
    const decoded = decodeNtp(msg);
    const request = decoded.message;
    if (!request || request.kind !== 'time' || decoded.truncated || decoded.issues.length > 0) {
      stats.dropped.malformed++;
      return;
    }
    if (silence || (dropRatio > 0 && random() < dropRatio)) {
      stats.dropped.fault++;
      return;
    }
    const req: NtpTimePacket = request;
    if (limiter) {
      const verdict = limiter.check(rinfo.address, Number(t2Ns) / 1e9);
      if (verdict === 'drop') {
        stats.dropped.rateLimited++;
        return;
      }
      if (verdict === 'kod') {
        stats.kod++;
        send(socket, encodeNtp(kissOfDeath(req, 'RATE')), msg.length, rinfo.port, rinfo.address);
        return;
      }
      if (verdict === 'leak') stats.leaked++;
    }
    const t2 = unixNsToNtp(t2Ns);
    // T3 is written last, after encoding (~40 µs in Node, measured): read before it, T3 would be early by that
    // much and every client's offset low by half of it. The placeholder t2 keeps zero-transmit's zero distinct.
    const reply = serverReply(req, identity, faults, t2, () => t2);
    const bytes = encodeNtp(reply);
    if (reply.kind === 'time' && reply.stratum === 0) stats.kod++;
    else {
      stats.replied++;
      if (reply.kind === 'time' && (reply.transmitTime.seconds !== 0 || reply.transmitTime.fraction !== 0)) {
        writeTimestamp(bytes, TRANSMIT_OFFSET, shiftTimestamp(clock.nowNtp(), shift));
      }
    }
    send(socket, bytes, msg.length, rinfo.port, rinfo.address);
  };

  const skipped: string[] = [];
  try {
    for (const l of opts.listen) {
      let socket: dgram.Socket;
      try {
        socket = await bindSocket(l);
      } catch (err) {
        if (l.optional && err instanceof ListenError && (err.code === 'EADDRNOTAVAIL' || err.code === 'EAFNOSUPPORT')) {
          skipped.push(`${err.where}: ${err.code}`);
          continue;
        }
        throw err;
      }
      try {
        // Room for bursts (iburst from many clients at once): the default ~200 KiB holds ~1000 requests.
        socket.setRecvBufferSize(4 << 20);
      } catch {
        /* capped by net.core.rmem_max: keep the default */
      }
      socket.on('message', (msg, rinfo) => onMessage(socket, msg, rinfo));
      // A send error (ICMP from a vanished client) must never stop the server.
      socket.on('error', () => {
        stats.dropped.sendError++;
      });
      sockets.push(socket);
    }
  } catch (err) {
    clearInterval(tick);
    for (const s of sockets) s.close();
    throw err;
  }
  const addresses = sockets.map((s) => {
    const a = s.address();
    return { address: a.address, port: a.port };
  });
  return {
    addresses,
    skipped,
    access,
    stats,
    identity,
    clients: () => limiter?.size ?? 0,
    close: async () => {
      clearInterval(tick);
      await Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
}
