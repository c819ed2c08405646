/**
 * One NTP request/response on its own connected UDP socket.
 *
 * Connected, because Linux reports ICMP errors only to a connected UDP socket (udp_err(): "only connected
 * sockets get errors" without IP_RECVERR); Node surfaces them as the socket's `error` event (ECONNREFUSED,
 * EHOSTUNREACH, …, see ./errno.ts). A fresh socket per request gets a fresh ephemeral port: Linux picks it at
 * random in ip_local_port_range (udp_lib_get_port), which is the source port randomization RFC 9109 asks for,
 * and a late reply to an earlier request can never be taken for this one.
 */
import dgram from 'node:dgram';
import type { WallClock } from '../net/clock.js';

export interface UdpExchangeInput {
  address: string;
  port: number;
  family: 4 | 6;
  /** Called just before the datagram is handed to the kernel, with the send time: returns the bytes to send. */
  build: (t1Ns: bigint) => Uint8Array;
  timeoutMs: number;
  clock: WallClock;
  /** Stop waiting after the first datagram (default) or collect until the timeout (mode 6 multi-fragment answers). */
  collect?: (datagram: Uint8Array) => 'done' | 'more';
  /**
   * Per datagram, before `collect`: is this the answer? A datagram judged false (a stray, a duplicate, a bogus
   * origin, a bad length) is recorded in `discarded` and the wait goes on, so the real answer that follows
   * within the timeout is not lost (as chrony keeps its client socket open until a valid response).
   */
  accept?: (datagram: Uint8Array, t4Ns: bigint) => boolean;
  /** After the answer, keep listening this long (ms) and record what else comes (`late`): floods, second replies. */
  lingerMs?: number;
}

/** A datagram that was not taken as the answer, with its arrival time. */
export interface StrayDatagram {
  t4Ns: bigint;
  bytes: Uint8Array;
}

/** At most this many strays are kept per exchange (a flood must not grow memory); the rest are only counted. */
export const MAX_STRAYS = 16;

/** At most this many datagrams are collected for one answer (mode 6 fragments: ntpq's own limit is far lower). */
export const MAX_COLLECTED = 256;

export interface StrayLog {
  /** Datagrams before the answer (or before the timeout) that `accept` refused. */
  discarded: StrayDatagram[];
  /** Datagrams after the answer, during `lingerMs`. */
  late: StrayDatagram[];
  /** Strays not kept (beyond MAX_STRAYS in either list). */
  dropped: number;
}

export type UdpExchangeResult =
  | ({ kind: 'reply'; t4Ns: bigint; bytes: Uint8Array; datagrams: Uint8Array[] } & SentInfo & StrayLog)
  | ({ kind: 'error'; atNs: bigint; errno: string } & SentInfo & StrayLog)
  | ({ kind: 'timeout'; datagrams: Uint8Array[] } & SentInfo & StrayLog);

export interface SentInfo {
  /** Send time (0n when the socket failed before sending). */
  t1Ns: bigint;
  localAddress: string;
  localPort: number;
  sentBytes: number;
}

/** Sends one request and waits for the first answer, an ICMP-borne socket error, or the timeout. Never throws. */
export function udpExchange(input: UdpExchangeInput): Promise<UdpExchangeResult> {
  const { clock } = input;
  return new Promise((resolve) => {
    const socket = dgram.createSocket({ type: input.family === 6 ? 'udp6' : 'udp4' });
    let t1Ns = 0n;
    let localPort = 0;
    let localAddress = '';
    let sentBytes = 0;
    let settled = false;
    const datagrams: Uint8Array[] = [];
    const strays: StrayLog = { discarded: [], late: [], dropped: 0 };
    let timer: NodeJS.Timeout | undefined;
    let answer: UdpExchangeResult | undefined;
    let peer: { address: string; port: number } | undefined;
    const keep = (list: StrayDatagram[], t4Ns: bigint, bytes: Uint8Array): void => {
      if (list.length < MAX_STRAYS) list.push({ t4Ns, bytes });
      else strays.dropped++;
    };
    const finish = (r: UdpExchangeResult): void => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      Object.assign(r, strays);
      socket.removeAllListeners('message');
      // Keep a no-op error listener: a late ICMP error after close must not become an uncaught exception.
      socket.on('error', () => {});
      try {
        socket.close();
      } catch {
        /* already closed */
      }
      resolve(r);
    };
    socket.on('message', (msg: Buffer, rinfo: dgram.RemoteInfo) => {
      // T4 first, before anything else runs (RFC 5905 §8: the destination timestamp).
      const t4Ns = clock.nowNs();
      // A connected socket only hears its peer (the kernel's udp lookup matches the 4-tuple); checked again so
      // that a reply from another address or port can never be taken for the answer, whatever the socket layer.
      if (peer && (rinfo.address !== peer.address || rinfo.port !== peer.port)) return;
      const bytes = new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength).slice();
      if (answer) {
        keep(strays.late, t4Ns, bytes);
        return;
      }
      if (input.accept && !input.accept(bytes, t4Ns)) {
        keep(strays.discarded, t4Ns, bytes);
        return;
      }
      datagrams.push(bytes);
      // A multi-fragment answer stops at MAX_COLLECTED datagrams: a responder that never ends cannot grow memory.
      if (input.collect && input.collect(bytes) === 'more' && datagrams.length < MAX_COLLECTED) return;
      const r: UdpExchangeResult = { kind: 'reply', t1Ns, t4Ns, bytes: datagrams[0] as Uint8Array, datagrams, localAddress, localPort, sentBytes, ...strays };
      if (!input.lingerMs || input.lingerMs <= 0) {
        finish(r);
        return;
      }
      answer = r;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => finish(r), input.lingerMs);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // Once the answer is in, a later ICMP error changes nothing about it.
      if (answer) return;
      finish({ kind: 'error', t1Ns, atNs: clock.nowNs(), errno: err.code ?? 'EIO', localAddress, localPort, sentBytes, ...strays });
    });
    // Node passes a connect failure (no route: ENETUNREACH at once) to this callback, not to 'error'.
    socket.connect(input.port, input.address, (...args: unknown[]) => {
      const err = args[0] as NodeJS.ErrnoException | undefined;
      if (err) {
        finish({ kind: 'error', t1Ns, atNs: clock.nowNs(), errno: err.code ?? 'EIO', localAddress, localPort, sentBytes, ...strays });
        return;
      }
      try {
        const a = socket.address();
        localPort = a.port;
        localAddress = a.address;
        const r = socket.remoteAddress();
        peer = { address: r.address, port: r.port };
      } catch {
        /* closed already */
      }
      timer = setTimeout(
        () => finish({ kind: 'timeout', t1Ns, localAddress, localPort, sentBytes, datagrams, ...strays }),
        input.timeoutMs,
      );
      t1Ns = clock.nowNs();
      const payload = input.build(t1Ns);
      sentBytes = payload.length;
      // Node tries a synchronous sendmsg first (uv_udp_try_send), so T1 sits within microseconds of the wire.
      socket.send(payload, (err) => {
        if (err) {
          const e = err as NodeJS.ErrnoException;
          finish({ kind: 'error', t1Ns, atNs: clock.nowNs(), errno: e.code ?? 'EIO', localAddress, localPort, sentBytes, ...strays });
        }
      });
    });
  });
}
