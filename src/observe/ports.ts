/**
 * A path's client source ports, in order of first use: the first one, the first NAMED_PORTS once there is a second
 * (no allocation for the one-port paths of ntpd clients), then an exact count (PortLog) or "at least". Evidence
 * names every source port, or says how many there were (issue 11 item 10).
 */
import type { ClientPorts } from '../model/observation.js';

import { NAMED_PORTS, PORTS_AT } from './path-numbers.js';

/** Source ports of a path's client named one by one; past this many, counted (see PortLog). */
export { NAMED_PORTS };
/** Ports logged before PortLog folds them into its bit map. */
const PORT_LOG = 4096;
/** A PortLog's bytes: the log (PORT_LOG 16-bit ports), then the bit map of the 65536 ports. */
const PORT_LOG_BYTES = 2 * PORT_LOG + 65536 / 8;
/**
 * PortLogs carved out of one buffer of this many, rather than two buffers each: an ArrayBuffer of its own costs a
 * zeroed allocation outside the heap and its bookkeeping (measured: 5 ms for the 64 PortLogs of the bench capture,
 * more than all their port counting). The first MANY_PATHS paths may have one (src/correlate/paths.ts): 256 × 16 KiB.
 */
const LOGS_PER_SLAB = 64;
let slab: ArrayBuffer | undefined;
let slabUsed = LOGS_PER_SLAB;

/** The bytes of one more PortLog (zeroed: a slab is never reused). */
function portLogBytes(): number {
  if (slabUsed === LOGS_PER_SLAB) {
    slab = new ArrayBuffer(LOGS_PER_SLAB * PORT_LOG_BYTES);
    slabUsed = 0;
  }
  return slabUsed++ * PORT_LOG_BYTES;
}

/**
 * Exact count of a client's distinct source ports past the NAMED_PORTS a path names itself, on the paths that may
 * keep one (the first MANY_PATHS of a capture, as for kept exchanges).
 *
 * Each port is appended to a log (a sequential store per request) and the log folded into a 65536-bit map when it
 * fills: setting the bits straight away cost a cache miss per request (4 % of the bench, whose clients take a new
 * port per request as chrony does); folded in batches the map stays in cache. 16 KiB per path.
 */
class PortLog {
  private readonly log: Uint16Array;
  private logged = 0;
  private readonly bits: Uint8Array;
  /** Bits set in `bits`. */
  private counted = 0;

  constructor(named: readonly number[]) {
    const at = portLogBytes();
    this.log = new Uint16Array(slab!, at, PORT_LOG);
    this.bits = new Uint8Array(slab!, at + 2 * PORT_LOG, 65536 / 8);
    for (const p of named) this.add(p);
  }

  add(port: number): void {
    if (this.logged === PORT_LOG) this.fold();
    this.log[this.logged++] = port;
  }

  /** Sets the bits of the logged ports and empties the log. */
  private fold(): void {
    const bits = this.bits;
    const log = this.log;
    let counted = this.counted;
    for (let i = 0; i < this.logged; i++) {
      const port = log[i]!;
      const byte = bits[port >>> 3]!;
      const bit = 1 << (port & 7);
      if ((byte & bit) === 0) {
        bits[port >>> 3] = byte | bit;
        counted++;
      }
    }
    this.counted = counted;
    this.logged = 0;
  }

  get count(): number {
    this.fold();
    return this.counted;
  }
}

/**
 * What ClientPorts a path would have had without an exact count (a path past MANY_PATHS, src/parallel/merge.ts):
 * the same as PortSet gives when it may not keep a PortLog.
 */
export function inexactPorts(p: ClientPorts): ClientPorts {
  if (p.count <= NAMED_PORTS || p.atLeast) return p;
  return { count: NAMED_PORTS + 1, ports: p.ports, atLeast: true };
}

/**
 * The source ports of one path. `exact`: count every distinct port past NAMED_PORTS (a PortLog, 16 KiB). `c`: the
 * path's array of small integers (./path-numbers.ts), whose slots from PORTS_AT name the ports after the first.
 */
export class PortSet {
  /** The last port noted: the common cases (one port, or the same as the request before) stop at it. */
  lastPort = -1;
  private firstPort = -1;
  /** Ports named in c[PORTS_AT…] (0 while there was one port: firstPort). */
  private portCount = 0;
  private portLog: PortLog | undefined = undefined;
  private atLeast = false;

  constructor(
    private readonly exact: boolean,
    protected readonly c: number[],
  ) {}

  /** A source port other than the last one noted (callers test `lastPort` first: that test inlines). */
  note(port: number): void {
    if (port < 0) return;
    this.lastPort = port;
    if (this.portLog !== undefined) {
      this.portLog.add(port);
      return;
    }
    if (this.atLeast || port === this.firstPort) return;
    if (this.firstPort < 0) {
      this.firstPort = port;
      return;
    }
    const c = this.c;
    const named = this.portCount;
    if (named === 0) {
      c[PORTS_AT] = this.firstPort;
      c[PORTS_AT + 1] = port;
      this.portCount = 2;
      return;
    }
    for (let i = 1; i < named; i++) if (c[PORTS_AT + i] === port) return;
    if (named < NAMED_PORTS) {
      c[PORTS_AT + named] = port;
      this.portCount = named + 1;
    } else if (this.exact) (this.portLog = new PortLog(this.named())).add(port);
    else this.atLeast = true;
  }

  /** ClientPorts when they say more than `clientPort` does (several ports, or another one). */
  clientPorts(clientPort: number): ClientPorts | undefined {
    if (this.portCount === 0) return this.firstPort >= 0 && this.firstPort !== clientPort ? { count: 1, ports: [this.firstPort] } : undefined;
    const named = this.named();
    if (this.atLeast) return { count: NAMED_PORTS + 1, ports: named, atLeast: true };
    return { count: this.portLog !== undefined ? this.portLog.count : named.length, ports: named };
  }

  /** The named ports, in order of first use. */
  private named(): number[] {
    return this.c.slice(PORTS_AT, PORTS_AT + this.portCount);
  }
}
