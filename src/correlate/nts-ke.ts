/**
 * NTS key establishment on the wire (RFC 8915 §4: TLS 1.3 on TCP 4460): every TCP connection to or from port
 * 4460, with what a diagnosis needs of it — SYN, SYN-ACK, RST and who sent it, FINs, octets each way, the TLS
 * records in clear (./tls-stream.ts), ICMP errors quoting it, first and last frame. The per-server verdict (was
 * NTP sent afterwards?) is src/observe/nts-ke.ts's.
 *
 * Cost: the packet loop (./records.ts) offers this tracker only frames that are neither the plain NTP fast path nor
 * UDP; a TCP frame of another port is declined after two port reads, a non-TCP non-ICMP frame after one compare.
 * Memory: at most MAX_KE_CONNECTIONS connections (a SYN flood from 100 000 ports keeps the first ones and counts
 * the rest as dropped), each a fixed set of numbers.
 */
import { ipv4Text, ipv4WordAt, formatIpv6 } from '../decode/address.js';
import { isIpv6Extension, locateBehindExtensions } from '../decode/ipv6-ext.js';
import { IP_OK, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, Located } from '../decode/locate.js';
import { NTS_KE_TCP_PORT, QuotedKe, quotedKeAt, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, TcpSegment, tcpKeSegmentAt } from '../decode/tcp.js';
import type { NtsKeConnection, NtsKeConnectionOutcome, NtsKeConnections } from '../model/nts-wire.js';
import { TlsStream } from './tls-stream.js';

/** Connections tracked per capture: far above any client's KE attempts (chronyd backs off to one per ~hour). */
export const MAX_KE_CONNECTIONS = 1024;

interface Conn {
  c: NtsKeConnection;
  toServer: TlsStream;
  toClient: TlsStream;
}

function addressAt(b: Uint8Array, at: number, length: number): string {
  return length === 4 ? ipv4Text(ipv4WordAt(b, at)) : formatIpv6(b, at);
}

/** The connection's outcome from its TCP and TLS facts (src/model/nts-wire.ts NtsKeConnectionOutcome). */
export function connectionOutcome(c: NtsKeConnection): NtsKeConnectionOutcome {
  if (c.icmp !== undefined && !c.synAck) return 'icmp';
  // A client's alert sent after the server closed answers the close (decode_error on EOF): not the cause.
  const clientAlert = c.tlsToServer.firstAlert;
  const answersClose = clientAlert !== undefined && c.serverClosedFrame !== undefined && c.serverClosedFrame < clientAlert.frame;
  if (c.tlsToClient.firstAlert !== undefined || (clientAlert !== undefined && !answersClose)) return 'tls-alert';
  if (c.reset !== undefined) return c.synAck || c.bytesToClient > 0 || c.bytesToServer > 0 ? 'reset' : 'refused';
  if (c.icmp !== undefined) return 'icmp';
  if (c.finClient && c.finServer) return 'completed';
  if (c.syns > 0 && !c.synAck && c.bytesToClient === 0) return 'no-answer';
  return 'open';
}

export class NtsKeTracker {
  private readonly conns = new Map<string, Conn>();
  /** Connections whose port pair a later one reused. */
  private readonly ended: NtsKeConnection[] = [];
  private dropped = 0;
  private droppedFrames = 0;
  private readonly seg = new TcpSegment();
  private readonly quote = new QuotedKe();
  /** A live view's hook (./nts-ke-live.ts): each connection a frame changed. Unset for a capture file. */
  onChange: ((c: NtsKeConnection) => void) | undefined = undefined;
  /** A frame's headers past its IPv6 extension headers (src/decode/ipv6-ext.ts), reused. */
  private readonly behind = new Located();

  /** A located frame (`ipOk`: its IP header whole): TCP to or from 4460, or an ICMP error quoting such a segment. */
  offer(b: Uint8Array, end: number, h: Located, frame: number, sec: number, nsec: number): void {
    if (h.ip !== IP_OK || h.fragment) return;
    const proto = h.protocol;
    if (proto === IPPROTO_TCP) {
      if (tcpKeSegmentAt(b, end, h, this.seg)) this.onSegment(b, h, frame, sec + nsec / 1e9);
    } else if (proto === IPPROTO_ICMP || proto === IPPROTO_ICMPV6) {
      if (quotedKeAt(b, end, h, this.quote)) this.onIcmp(b, h, frame, sec + nsec / 1e9);
    } else if (h.version === 6 && isIpv6Extension(proto) && locateBehindExtensions(b, end, h, this.behind)) {
      // Slow path: TCP or ICMPv6 behind hop-by-hop, routing or destination options (a fragment header: declined).
      this.offer(b, end, this.behind, frame, sec, nsec);
    }
  }

  private onSegment(b: Uint8Array, h: Located, frame: number, time: number): void {
    const s = this.seg;
    const len = h.addrLength;
    const src = addressAt(b, h.srcAt, len);
    const dst = addressAt(b, h.srcAt + len, len);
    // The server is the port-4460 end (the destination when both are).
    const toServer = s.dstPort === NTS_KE_TCP_PORT;
    const key = toServer ? `${src} ${s.srcPort} ${dst} ${s.dstPort}` : `${dst} ${s.dstPort} ${src} ${s.srcPort}`;
    let conn = this.conns.get(key);
    // A new SYN on a port pair whose connection already ended (reset, closed) or was answered: the port reused, a
    // new connection. The old one is kept as it was.
    if (conn !== undefined && s.flags & TCP_SYN && !(s.flags & TCP_ACK) && toServer && (conn.c.reset !== undefined || conn.c.finClient || conn.c.synAck)) {
      this.ended.push(conn.c);
      this.conns.delete(key);
      conn = undefined;
    }
    if (conn === undefined) {
      if (this.conns.size + this.ended.length >= MAX_KE_CONNECTIONS) {
        if (!this.seenDropped(key)) this.dropped++;
        this.droppedFrames++;
        return;
      }
      conn = this.open(toServer ? src : dst, toServer ? s.srcPort : s.dstPort, toServer ? dst : src, toServer ? s.dstPort : s.srcPort, frame, time);
      this.conns.set(key, conn);
    }
    const c = conn.c;
    c.lastFrame = frame;
    c.lastTime = time;
    const f = s.flags;
    if (f & TCP_SYN) {
      if (toServer && !(f & TCP_ACK)) {
        c.syns++;
        conn.toServer.start(s.seq);
      } else if (!toServer && f & TCP_ACK) {
        c.synAck = true;
        conn.toClient.start(s.seq);
      }
    }
    if (f & TCP_RST && c.reset === undefined) c.reset = { by: toServer ? 'client' : 'server', frame };
    if (!toServer && f & (TCP_FIN | TCP_RST)) c.serverClosedFrame ??= frame;
    if (f & TCP_FIN) {
      if (toServer) c.finClient = true;
      else c.finServer = true;
    }
    if (s.payloadLength > 0) {
      if (toServer) c.bytesToServer += s.payloadLength;
      else c.bytesToClient += s.payloadLength;
      (toServer ? conn.toServer : conn.toClient).segment(b, s.payloadAt, s.payloadCaptured, s.payloadLength, s.seq, frame);
    }
    if (this.onChange !== undefined) this.onChange(c);
  }

  /**
   * Connections turned away, told apart by their keys while at most MAX_KE_CONNECTIONS of them are remembered (a
   * retransmitted SYN is not a new connection); past that every frame of an unknown key counts (an upper bound).
   */
  private readonly droppedKeys = new Set<string>();
  private seenDropped(key: string): boolean {
    if (this.droppedKeys.has(key)) return true;
    if (this.droppedKeys.size < MAX_KE_CONNECTIONS) this.droppedKeys.add(key);
    return false;
  }

  private open(client: string, clientPort: number, server: string, serverPort: number, frame: number, time: number): Conn {
    const toServer = new TlsStream();
    const toClient = new TlsStream();
    const c: NtsKeConnection = {
      client,
      clientPort,
      server,
      serverPort,
      outcome: 'open',
      firstFrame: frame,
      lastFrame: frame,
      firstTime: time,
      lastTime: time,
      syns: 0,
      synAck: false,
      finClient: false,
      finServer: false,
      bytesToServer: 0,
      bytesToClient: 0,
      tlsToServer: toServer.seen,
      tlsToClient: toClient.seen,
    };
    return { c, toServer, toClient };
  }

  private onIcmp(b: Uint8Array, h: Located, frame: number, time: number): void {
    const q = this.quote;
    const len = q.addrLength;
    const qSrc = addressAt(b, q.srcAt, len);
    const qDst = addressAt(b, q.dstAt, len);
    // The quoted segment was sent by the connection's client (to the server's 4460) or by the server.
    const key = q.dstPort === NTS_KE_TCP_PORT ? `${qSrc} ${q.srcPort} ${qDst} ${q.dstPort}` : `${qDst} ${q.dstPort} ${qSrc} ${q.srcPort}`;
    const conn = this.conns.get(key);
    if (conn === undefined) return;
    const c = conn.c;
    c.lastFrame = frame;
    c.lastTime = time;
    c.icmp ??= { frame, version: q.version === 6 ? 6 : 4, type: q.type, code: q.code, reporter: addressAt(b, h.srcAt, h.addrLength) };
    if (this.onChange !== undefined) this.onChange(c);
  }

  /** The connections in order of their first frame, each with its outcome; plain data. */
  result(): NtsKeConnections {
    const connections: NtsKeConnection[] = [...this.ended];
    for (const { c } of this.conns.values()) connections.push(c);
    for (const c of connections) c.outcome = connectionOutcome(c);
    connections.sort((a, b) => a.firstFrame - b.firstFrame);
    return { connections, dropped: this.dropped, droppedFrames: this.droppedFrames };
  }
}
