/**
 * A minimal ntpq: mode 6 control queries (RFC 9327 §2; ntpq.c). READSTAT (opcode 1) lists associations,
 * READVAR (opcode 2) reads variables of the system (association 0) or of one peer. Used by `trace` to learn a
 * server's upstream (`srcadr` of its system peer) when it answers control queries; chronyd never does.
 */
import { randomInt } from 'node:crypto';
import { decodeNtp, encodeNtp } from '../ntp/codec.js';
import type { NtpControlMessage } from '../ntp/types.js';
import type { WallClock } from './clock.js';
import { udpExchange } from './socket.js';

export const CTL_OP_READSTAT = 1;
export const CTL_OP_READVAR = 2;

export type ControlAnswer =
  | { kind: 'data'; data: Uint8Array; status: number }
  | { kind: 'error'; status: number }
  | { kind: 'none'; why: string };

/** Reassembles the fragments of one response (offset/count, M bit) into the whole data. */
function assemble(fragments: NtpControlMessage[]): Uint8Array | undefined {
  const last = fragments.find((f) => !f.more);
  if (!last) return undefined;
  const total = last.offset + last.data.length;
  const out = new Uint8Array(total);
  let covered = 0;
  for (const f of [...fragments].sort((a, b) => a.offset - b.offset)) {
    if (f.offset > covered) return undefined;
    if (f.offset + f.data.length > total) return undefined;
    out.set(f.data, f.offset);
    covered = Math.max(covered, f.offset + f.data.length);
  }
  return covered === total ? out : undefined;
}

export async function controlQuery(
  address: string,
  family: 4 | 6,
  port: number,
  opcode: number,
  associationId: number,
  clock: WallClock,
  timeoutMs = 700,
): Promise<ControlAnswer> {
  const sequence = randomInt(1, 0xffff);
  const fragments: NtpControlMessage[] = [];
  let error: number | undefined;
  const r = await udpExchange({
    address,
    port,
    family,
    clock,
    timeoutMs,
    build: () =>
      encodeNtp({
        kind: 'control',
        leap: 0,
        version: 2, // ntpq sends version 2 control messages (ntpq.c NTP_OLDVERSION+1)
        mode: 6,
        response: false,
        error: false,
        more: false,
        opcode,
        sequence,
        status: 0,
        associationId,
        offset: 0,
        count: 0,
        data: new Uint8Array(0),
      }),
    collect: (datagram) => {
      const m = decodeNtp(datagram).message;
      if (!m || m.kind !== 'control' || !m.response || m.sequence !== sequence || m.opcode !== opcode) return 'more';
      if (m.error) {
        error = m.status;
        return 'done';
      }
      fragments.push(m);
      return assemble(fragments) ? 'done' : 'more';
    },
  });
  if (error !== undefined) return { kind: 'error', status: error };
  if (r.kind === 'error') return { kind: 'none', why: r.errno };
  const data = assemble(fragments);
  if (!data) return { kind: 'none', why: fragments.length ? 'incomplete answer' : 'no answer' };
  return { kind: 'data', data, status: fragments[0]?.status ?? 0 };
}

/** `name=value, name="quoted, value"\r\n…` (ntpd ctl_putdata) → a map; values unquoted. */
export function parseVariables(data: Uint8Array): Record<string, string> {
  const text = new TextDecoder('latin1').decode(data);
  const out: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /[\s,]/.test(text[i] as string)) i++;
    let name = '';
    while (i < text.length && !/[=,\s]/.test(text[i] as string)) name += text[i++];
    let value = '';
    if (text[i] === '=') {
      i++;
      if (text[i] === '"') {
        i++;
        while (i < text.length && text[i] !== '"') value += text[i++];
        i++;
      } else {
        while (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') value += text[i++];
      }
    }
    if (name) out[name] = value.trim();
    else i++;
  }
  return out;
}

/** READSTAT data: (association id, status) pairs of 16 bits each (RFC 9327 §3). */
export function parseAssociations(data: Uint8Array): number[] {
  const ids: number[] = [];
  for (let p = 0; p + 4 <= data.length; p += 4) ids.push(((data[p] as number) << 8) | (data[p + 1] as number));
  return ids;
}

export interface ControlView {
  system: Record<string, string>;
  /** srcadr of each association (ntpq -p's remote column). */
  peers: Array<{ associationId: number; srcadr: string; vars: Record<string, string> }>;
  /** srcadr of the system peer (`peer=` in the system variables), when it has one. */
  systemPeer?: string;
}

/** System variables, then every association's srcadr (at most `maxPeers`). Undefined when mode 6 is not answered. */
export async function readControlView(
  address: string,
  family: 4 | 6,
  port: number,
  clock: WallClock,
  maxPeers = 16,
): Promise<ControlView | undefined> {
  const sys = await controlQuery(address, family, port, CTL_OP_READVAR, 0, clock);
  if (sys.kind !== 'data') return undefined;
  const view: ControlView = { system: parseVariables(sys.data), peers: [] };
  const stat = await controlQuery(address, family, port, CTL_OP_READSTAT, 0, clock);
  if (stat.kind === 'data') {
    for (const id of parseAssociations(stat.data).slice(0, maxPeers)) {
      const pv = await controlQuery(address, family, port, CTL_OP_READVAR, id, clock);
      if (pv.kind !== 'data') continue;
      const vars = parseVariables(pv.data);
      view.peers.push({ associationId: id, srcadr: vars.srcadr ?? '', vars });
    }
  }
  const peerId = Number(view.system.peer);
  const sp = view.peers.find((p) => p.associationId === peerId);
  if (sp?.srcadr) view.systemPeer = sp.srcadr;
  return view;
}
