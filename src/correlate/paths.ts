/**
 * The correlator's path table: client↔server paths by key (IPv4 by address words, anything else by text), in the
 * order they first appeared, each with its accumulator and open requests (./path-state.ts).
 */
import { ipv4Text, ipv4Word } from '../decode/address.js';
import type { Endpoint } from '../model/exchange.js';
import type { TimeFrame } from '../decode/time-frame.js';
import { KEEP_EXCHANGES, PathAccumulator } from '../observe/accumulate.js';
import { OpenRequests } from './open.js';
import { newPathState, type Pending, type PathState } from './path-state.js';
import { PathTable } from './path-table.js';

/**
 * Paths past this many keep no sample exchanges (a report lists REPORT_EXCHANGES, src/diagnose/report.ts: the
 * first paths fill it). What rules need of every path is in its counts and statistics; a kept exchange is ~26
 * objects, and on a capture of 100 k clients keeping one per path was a third of the collector's work.
 */
export const MANY_PATHS = 256;
const NO_EXCHANGES = { first: 0, last: 0 };

export class PathBook {
  /** Path numbers by key; the paths themselves in `list`, in the order they first appeared. */
  private readonly table = new PathTable();
  readonly list: PathState[] = [];
  /** The path of the previous NTP frame: a reply usually follows its request, so most lookups stop here. */
  private last: PathState | undefined;
  /**
   * One Endpoint (and one address text) per server address and port, shared by the paths to it: a server-side
   * capture has 100 k clients of a few servers, and an Endpoint and a text per path were 200 k objects to keep, and
   * 100 k distinct strings for every rule that groups paths by server to hash (byServer and the ICMP rules: measured 67 → 17 ms and 97 → 43 ms).
   * Keyed by address word × 2^16 + port for IPv4 (exact in a double), by text and port otherwise.
   */
  private readonly servers = new Map<number | string, Endpoint>();

  /** The path of an IPv4 client and server, by their address words: no address text unless the path is new. */
  v4(frame: number, cw: number, clientPort: number, sw: number, serverPort: number): PathState {
    const last = this.last;
    if (last !== undefined && last.clientWord === cw && last.serverWord === sw && last.serverPort === serverPort && last.v4) return last;
    const n = this.table.findV4(cw, sw, serverPort);
    const p = n >= 0 ? this.list[n]! : this.add(frame, ipv4Text(cw), clientPort, this.serverV4(sw, serverPort), cw, sw);
    this.last = p;
    return p;
  }

  /** The path of a client and server given as address text (IPv4 text is looked up by its words all the same). */
  text(frame: number, client: string, clientPort: number, server: string, serverPort: number): PathState {
    const cw = ipv4Word(client);
    const sw = ipv4Word(server);
    if (cw !== undefined && sw !== undefined) return this.v4(frame, cw, clientPort, sw, serverPort);
    const last = this.last;
    if (last !== undefined && !last.v4 && last.client === client && last.server === server && last.serverPort === serverPort) return last;
    const n = this.table.findText(client, server, serverPort);
    const p = n >= 0 ? this.list[n]! : this.add(frame, client, clientPort, this.serverText(server, serverPort), undefined, undefined);
    this.last = p;
    return p;
  }

  /**
   * The path of a request (the client is the source). One method per direction, each a few bytecodes: they are
   * inlined into the correlator's per-frame code within V8's budget (see ./path-counters.ts), where one method
   * taking the direction as an argument was too big to be.
   */
  ofRequest(t: TimeFrame): PathState {
    return t.ipVersion === 4
      ? this.v4(t.frame, t.srcWord, t.srcPort, t.dstWord, t.dstPort)
      : this.text(t.frame, t.srcText, t.srcPort, t.dstText, t.dstPort);
  }

  /** The path of a reply (the client is the destination). */
  ofReply(t: TimeFrame): PathState {
    return t.ipVersion === 4
      ? this.v4(t.frame, t.dstWord, t.dstPort, t.srcWord, t.srcPort)
      : this.text(t.frame, t.dstText, t.dstPort, t.srcText, t.srcPort);
  }

  /** The path a request (or reply) would have, if it exists: none is made (symmetric modes look for the reverse one). */
  find(t: TimeFrame, request: boolean): PathState | undefined {
    const port = request ? t.dstPort : t.srcPort;
    let n: number;
    if (t.ipVersion === 4) n = request ? this.table.findV4(t.srcWord, t.dstWord, port) : this.table.findV4(t.dstWord, t.srcWord, port);
    else n = request ? this.table.findText(t.srcText, t.dstText, port) : this.table.findText(t.dstText, t.srcText, port);
    return n >= 0 ? this.list[n] : undefined;
  }

  /** The shared Endpoint of IPv4 server `sw` at `port`. */
  private serverV4(sw: number, port: number): Endpoint {
    const key = sw * 65536 + port;
    let e = this.servers.get(key);
    if (e === undefined) this.servers.set(key, (e = { ip: ipv4Text(sw), port }));
    return e;
  }

  /** The shared Endpoint of server `server` (text: IPv6) at `port`. */
  private serverText(server: string, port: number): Endpoint {
    const key = `${port} ${server}`;
    let e = this.servers.get(key);
    if (e === undefined) this.servers.set(key, (e = { ip: server, port }));
    return e;
  }

  /** A path seen for the first time, filed under its words (IPv4) or its text. */
  private add(frame: number, client: string, clientPort: number, serverEnd: Endpoint, cw: number | undefined, sw: number | undefined): PathState {
    const server = serverEnd.ip;
    const serverPort = serverEnd.port;
    const acc = new PathAccumulator(
      'capture',
      { ip: client, port: clientPort },
      serverEnd,
      // Thousands of clients: keep no exchanges past the first paths, so memory stays small per path.
      this.list.length < MANY_PATHS ? KEEP_EXCHANGES : NO_EXCHANGES,
    );
    const p = newPathState(frame, client, server, serverPort, cw, sw, acc, new OpenRequests<Pending>());
    const n = this.list.length;
    this.list.push(p);
    if (cw !== undefined && sw !== undefined) this.table.addV4(cw, sw, serverPort, n);
    else this.table.addText(client, server, serverPort, n);
    return p;
  }
}
