/**
 * NTS extension fields on UDP 123 (RFC 8915 §5.7): 0x0104 Unique Identifier, 0x0204 NTS Cookie, 0x0304 NTS Cookie
 * Placeholder, 0x0404 NTS Authenticator and Encrypted Extension Fields, counted per client ↔ server path, and the
 * authenticated exchanges among them (src/model/nts-wire.ts NtsPathCounts). The layout is checked by the same
 * function the probe's packet tests use (src/ntp/tests.ts checkFormat: RFC 7822 §3, §7.5).
 *
 * Cost: only datagrams longer than the 48-octet header reach it (the packet loop, ./records.ts, calls it after a
 * full decode; the plain 48-octet fast path never does), and of those only ones that carry extension fields do work.
 * Memory: at most MAX_NTS_PATHS paths and MAX_OPEN requests awaiting their reply (oldest dropped first).
 */
import type { DecodedFrame } from '../decode/types.js';
import type { NtsPathCounts } from '../model/nts-wire.js';
import { NTS_AUTHENTICATOR, NTS_COOKIE, NTS_COOKIE_PLACEHOLDER, NTS_UNIQUE_IDENTIFIER } from '../ntp/extensions.js';
import { checkFormat } from '../ntp/tests.js';

export const MAX_NTS_PATHS = 4096;
const MAX_OPEN = 4096;

/** One path's counts, keyed as the path table keys paths (client, server, server port). */
export interface NtsPathEntry {
  client: string;
  server: string;
  serverPort: number;
  counts: NtsPathCounts;
}

function hex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length && i < 64; i++) s += (b[i] as number).toString(16).padStart(2, '0');
  return s;
}

export class NtsFieldCounter {
  private readonly paths = new Map<string, NtsPathEntry>();
  /** Open NTS requests: client, client port, server and transmit timestamp → the Unique Identifier (hex). */
  private readonly open = new Map<string, string>();

  /** A decoded mode 3/4 datagram with its UDP payload `ntp` (the header and what follows). */
  add(f: DecodedFrame, ntp: Uint8Array): void {
    const m = f.ntp?.message;
    const ip = f.ip;
    const udp = f.udp;
    if (m === undefined || m.kind !== 'time' || ip === undefined || udp === undefined || (m.mode !== 3 && m.mode !== 4)) return;
    // A MAC alone (symmetric-key authentication) is not NTS: nothing to count.
    const format = checkFormat(ntp);
    if (format.ok && format.extensionFields === 0) return;
    const request = m.mode === 3;
    const client = request ? ip.src : ip.dst;
    const server = request ? ip.dst : ip.src;
    const serverPort = request ? udp.dstPort : udp.srcPort;
    const counts = this.countsOf(client, server, serverPort);
    if (counts === undefined) return;
    if (!format.ok) {
      counts.malformed++;
      return;
    }
    let uid: string | undefined;
    let auth = false;
    let cookie = false;
    let placeholders = 0;
    for (const e of m.extensions) {
      if (e.fieldType === NTS_UNIQUE_IDENTIFIER) uid ??= hex(e.body);
      else if (e.fieldType === NTS_AUTHENTICATOR) auth = true;
      else if (e.fieldType === NTS_COOKIE) cookie = true;
      else if (e.fieldType === NTS_COOKIE_PLACEHOLDER) placeholders++;
    }
    const clientPort = request ? udp.srcPort : udp.dstPort;
    if (request) {
      if (!auth) return;
      counts.requests++;
      if (cookie) counts.cookies++;
      counts.placeholders += placeholders;
      if (this.open.size >= MAX_OPEN) this.open.delete(this.open.keys().next().value as string);
      this.open.set(`${client} ${clientPort} ${server} ${m.transmitTime.seconds}.${m.transmitTime.fraction}`, uid ?? '');
      return;
    }
    if (auth) counts.replies++;
    const key = `${client} ${clientPort} ${server} ${m.originTime.seconds}.${m.originTime.fraction}`;
    const asked = this.open.get(key);
    if (asked === undefined) return;
    this.open.delete(key);
    // RFC 8915 §5.6: the reply's Unique Identifier echoes the request's; an empty one is no identifier at all.
    if (auth && uid !== undefined && uid !== '' && uid === asked) counts.authenticated++;
    else counts.mismatched++;
  }

  private countsOf(client: string, server: string, serverPort: number): NtsPathCounts | undefined {
    const key = `${client} ${server} ${serverPort}`;
    let e = this.paths.get(key);
    if (e === undefined) {
      if (this.paths.size >= MAX_NTS_PATHS) return undefined;
      e = { client, server, serverPort, counts: { requests: 0, cookies: 0, placeholders: 0, replies: 0, authenticated: 0, mismatched: 0, malformed: 0 } };
      this.paths.set(key, e);
    }
    return e.counts;
  }

  /** The paths that carried NTS fields (plain data). */
  result(): NtsPathEntry[] {
    return [...this.paths.values()];
  }
}
