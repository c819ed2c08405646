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
import type { WallClock } from './clock.js';

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
}

export type UdpExchangeResult =
  | ({ kind: 'reply'; t4Ns: bigint; bytes: Uint8Array; datagrams: Uint8Array[] } & SentInfo)
  | ({ kind: 'error'; atNs: bigint; errno: string } & SentInfo)
  | ({ kind: 'timeout'; datagrams: Uint8Array[] } & SentInfo);

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
    let timer: NodeJS.Timeout | undefined;
    const finish = (r: UdpExchangeResult): void => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
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
    socket.on('message', (msg: Buffer) => {
      // T4 first, before anything else runs (RFC 5905 §8: the destination timestamp).
      const t4Ns = clock.nowNs();
      const bytes = new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength).slice();
      datagrams.push(bytes);
      if (input.collect && input.collect(bytes) === 'more') return;
      finish({ kind: 'reply', t1Ns, t4Ns, bytes: datagrams[0] as Uint8Array, datagrams, localAddress, localPort, sentBytes });
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      finish({ kind: 'error', t1Ns, atNs: clock.nowNs(), errno: err.code ?? 'EIO', localAddress, localPort, sentBytes });
    });
    // Node passes a connect failure (no route: ENETUNREACH at once) to this callback, not to 'error'.
    socket.connect(input.port, input.address, (...args: unknown[]) => {
      const err = args[0] as NodeJS.ErrnoException | undefined;
      if (err) {
        finish({ kind: 'error', t1Ns, atNs: clock.nowNs(), errno: err.code ?? 'EIO', localAddress, localPort, sentBytes });
        return;
      }
      try {
        const a = socket.address();
        localPort = a.port;
        localAddress = a.address;
      } catch {
        /* closed already */
      }
      timer = setTimeout(
        () => finish({ kind: 'timeout', t1Ns, localAddress, localPort, sentBytes, datagrams }),
        input.timeoutMs,
      );
      t1Ns = clock.nowNs();
      const payload = input.build(t1Ns);
      sentBytes = payload.length;
      // Node tries a synchronous sendmsg first (uv_udp_try_send), so T1 sits within microseconds of the wire.
      socket.send(payload, (err) => {
        if (err) {
          const e = err as NodeJS.ErrnoException;
          finish({ kind: 'error', t1Ns, atNs: clock.nowNs(), errno: e.code ?? 'EIO', localAddress, localPort, sentBytes });
        }
      });
    });
  });
}
