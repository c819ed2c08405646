/**
 * Finds a client↔server path's number from its key: client address, server address, server port. IPv4 keys are
 * three integers in one open-addressing table (linear probing, Int32Array rows of four: client, server, port + 1,
 * path number), so a lookup reads one or two cache lines and builds nothing: on a capture with 100 k clients every
 * request's path is cold, and the Maps of address strings this replaces cost ~4 cache misses and ~500 ns a lookup.
 * IPv6 keys (rare and long) go to Maps of their text.
 */

/** A row: client word, server word, server port + 1 (0 marks an empty row), path number. */
const ROW = 4;
const INITIAL_ROWS = 1024;

export class PathTable {
  private rows = new Int32Array(INITIAL_ROWS * ROW);
  /** log2 of the row count subtracted from 32: the hash's top bits pick the row. */
  private shift = 32 - Math.log2(INITIAL_ROWS);
  private v4 = 0;
  /** Text keys, nested by server, port and client: the decoder's interned texts, no key string built per lookup. */
  private readonly text = new Map<string, Map<number, Map<string, number>>>();

  /** The number of the IPv4 path (address words as signed 32-bit integers), or -1. */
  findV4(client: number, server: number, serverPort: number): number {
    const rows = this.rows;
    const mask = rows.length - ROW;
    let i = hashV4(client, server, serverPort, this.shift) * ROW;
    const port = serverPort + 1;
    for (;;) {
      const p = rows[i + 2]!;
      if (p === 0) return -1;
      if (p === port && rows[i] === client && rows[i + 1] === server) return rows[i + 3]!;
      i = (i + ROW) & mask;
    }
  }

  /** Files path number `n` under an IPv4 key findV4 did not find. */
  addV4(client: number, server: number, serverPort: number, n: number): void {
    if (2 * (this.v4 + 1) * ROW > this.rows.length) this.grow();
    this.v4++;
    this.place(this.rows, this.shift, client, server, serverPort + 1, n);
  }

  /** The number of a path by its text key (any address family), or -1. */
  findText(client: string, server: string, serverPort: number): number {
    return this.text.get(server)?.get(serverPort)?.get(client) ?? -1;
  }

  addText(client: string, server: string, serverPort: number, n: number): void {
    let byPort = this.text.get(server);
    if (byPort === undefined) this.text.set(server, (byPort = new Map()));
    let byClient = byPort.get(serverPort);
    if (byClient === undefined) byPort.set(serverPort, (byClient = new Map()));
    byClient.set(client, n);
  }

  private place(rows: Int32Array, shift: number, client: number, server: number, port: number, n: number): void {
    const mask = rows.length - ROW;
    let i = hashV4(client, server, port - 1, shift) * ROW;
    while (rows[i + 2] !== 0) i = (i + ROW) & mask;
    rows[i] = client;
    rows[i + 1] = server;
    rows[i + 2] = port;
    rows[i + 3] = n;
  }

  private grow(): void {
    const old = this.rows;
    const rows = new Int32Array(old.length * 2);
    const shift = this.shift - 1;
    for (let i = 0; i < old.length; i += ROW) {
      if (old[i + 2] !== 0) this.place(rows, shift, old[i]!, old[i + 1]!, old[i + 2]!, old[i + 3]!);
    }
    this.rows = rows;
    this.shift = shift;
  }
}

/** Row of a key: the top bits of a multiplicative mix of the three words (neighbouring addresses spread apart). */
function hashV4(client: number, server: number, serverPort: number, shift: number): number {
  const h = Math.imul(client ^ Math.imul(server ^ (serverPort << 15), 0x85ebca6b), 0x9e3779b1);
  return (h ^ (h >>> 16)) >>> shift;
}
