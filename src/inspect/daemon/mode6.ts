/**
 * The local ntpd's state over mode 6, as ntpq reads it (RFC 9327): READVAR on association 0 for the system
 * variables, READSTAT for the association list with each peer status word, READVAR on each association.
 * The transport and variable parsing are the probe's control client (src/probe/control.ts), whose controlQuery
 * caps every answer (MAXFRAGS fragments, datagrams, octets, its timeout): a broken or hostile responder on port 123
 * cannot make this read without end. This adds the peer status words (ntpq's tally codes). Only loopback is asked:
 * the node's own daemon.
 */
import { isIP } from 'node:net';
import { controlQuery, CTL_OP_READSTAT, CTL_OP_READVAR, parseVariables, type ControlAnswer } from '../../probe/control.js';
import { sharedClock } from '../../net/clock.js';

/** RFC 9327 §2.2.2: the select field (bits 8–10) of a peer status word → ntpq's tally character. */
const TALLY = ' x.-+#*o';

export interface Mode6Peer {
  associationId: number;
  status: number;
  /** ntpq tally code: '*' system peer, '+' candidate, ' ' reject, ... */
  tally: string;
  vars: Record<string, string>;
}

export interface Mode6State {
  system: Record<string, string>;
  peers: Mode6Peer[];
  /** How many associations READSTAT listed: more than `peers` when the cap (MAX_ASSOCIATIONS) was hit. */
  listed: number;
}

export class Mode6Error extends Error {
  override readonly name = 'Mode6Error';
}

/** RFC 9327 §2.2.4 error codes (high byte of the status word of an error response). */
const ERRORS: Record<number, string> = {
  0: 'unspecified error',
  1: 'authentication failure',
  2: 'invalid message length or format',
  3: 'invalid opcode',
  4: 'unknown association',
  5: 'unknown variable name',
  6: 'invalid variable value',
  7: 'administratively prohibited',
};

function dataOf(a: ControlAnswer, host: string, port: number, timeoutMs: number): Uint8Array {
  if (a.kind === 'data') return a.data;
  if (a.kind === 'error') throw new Mode6Error(`ntpd refused the mode 6 request: ${ERRORS[a.status >>> 8] ?? `error ${a.status >>> 8}`}`);
  const why = a.why === 'no answer' ? `no mode 6 answer within ${timeoutMs / 1000} s (restrict noquery, or not ntpd)` : a.why;
  throw new Mode6Error(`ntpq-style query to ${host}:${port}: ${why}`);
}

/** READSTAT data: (association id, peer status word) pairs, 16 bits each. */
export function parseStatusPairs(data: Uint8Array): Array<{ associationId: number; status: number }> {
  const out: Array<{ associationId: number; status: number }> = [];
  for (let i = 0; i + 4 <= data.length; i += 4) {
    out.push({ associationId: ((data[i] as number) << 8) | (data[i + 1] as number), status: ((data[i + 2] as number) << 8) | (data[i + 3] as number) });
  }
  return out;
}

/**
 * Associations read at most: each is one query in flight at once, and a READSTAT answer of MAX_DATA_BYTES could
 * list 3744. A real ntpd has a handful (a pool association spawns at most `tos maxclock`, 10 by default).
 */
export const MAX_ASSOCIATIONS = 64;

/**
 * The daemon's system variables and its associations' variables (the first MAX_ASSOCIATIONS), asked over loopback;
 * `listed` counts every association READSTAT named, so a reading cut at the cap can say so.
 */
export async function readNtpdState(host = '127.0.0.1', port = 123, timeoutMs = 1500): Promise<Mode6State> {
  const family = isIP(host) === 6 ? 6 : 4;
  const clock = sharedClock();
  const ask = async (op: number, assoc: number) => dataOf(await controlQuery(host, family, port, op, assoc, clock, timeoutMs), host, port, timeoutMs);
  const system = parseVariables(await ask(CTL_OP_READVAR, 0));
  const all = parseStatusPairs(await ask(CTL_OP_READSTAT, 0));
  const peers: Mode6Peer[] = all.slice(0, MAX_ASSOCIATIONS).map((p) => ({ ...p, tally: TALLY[(p.status >>> 8) & 7] ?? ' ', vars: {} }));
  await Promise.all(
    peers.map(async (p) => {
      p.vars = parseVariables(await ask(CTL_OP_READVAR, p.associationId));
    }),
  );
  // The caller says when `listed` > peers.length: the sources past the cap were not judged (never silently).
  return { system, peers, listed: all.length };
}
