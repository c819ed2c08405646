/**
 * The sync graph: who takes time from whom. Learnt from each node's own report, in three ways:
 *   - probe: `diagnose` probes every configured server (inputs of kind 'probe', named ADDR:PORT);
 *   - finding: a finding about a server (firewall-reject, source-unreachable, …) names it as its subject;
 *   - refid: a reply at stratum 2–15 carries the server's own upstream as an IPv4 refid (RFC 5905 §7.3), so a
 *     client's probe of node0 tells which server node0 itself follows.
 * Servers are matched to nodes by address (each node's report lists its own addresses).
 */
import type { Report } from '../diagnose/types.js';
import { canonicalAddress, parseAddress } from '../net/ip.js';
import type { ClusterNode, EdgeState, EdgeVia, SyncEdge, SyncGraph } from './types.js';

/** Client-side rules whose subject is a server the client uses, and what each says of that server. */
const SERVER_RULES: Readonly<Record<string, EdgeState>> = {
  'firewall-reject': 'rejected',
  'kiss-of-death': 'rejected',
  'source-rejected': 'rejected',
  'server-unsynchronized': 'unsynchronized',
  'port-unreachable': 'unreachable',
  'host-unreachable': 'unreachable',
  'no-response': 'unreachable',
  'source-unreachable': 'unreachable',
  'nts-ke-failure': 'unreachable',
  'root-distance-too-large': 'ok',
  'large-offset': 'ok',
  'rate-limited': 'ok',
  'bogus-reply': 'ok',
  'mode6-exposed': 'ok',
};

/**
 * Which state wins when a client's findings and packets say several things: a firewall reject or KoD is the
 * reason nothing else is seen; unsynchronized replies prove the path works (chronyc's `^?`, reach 0 looks the
 * same for both: DESIGN.md), so they beat "unreachable".
 */
const STATE_RANK: Readonly<Record<EdgeState, number>> = { rejected: 4, unsynchronized: 3, unreachable: 2, ok: 1, unknown: 0 };

export function worse(a: EdgeState, b: EdgeState): EdgeState {
  return STATE_RANK[b] > STATE_RANK[a] ? b : a;
}

/** Address → canonical text (IPv6 compressed, v4-mapped IPv6 as IPv4), or undefined when not an address. */
export function addressKey(text: string): string | undefined {
  const hit = KEYS.get(text);
  if (hit !== undefined || KEYS.has(text)) return hit;
  const key = computeKey(text);
  // A cluster names a few thousand addresses; a hostile report may name millions of distinct strings: bounded.
  if (KEYS.size >= 65_536) KEYS.clear();
  KEYS.set(text, key);
  return key;
}

const KEYS = new Map<string, string | undefined>();

function computeKey(text: string): string | undefined {
  const bare = text.replace(/^\[|\]$/g, '');
  if (!parseAddress(bare)) return undefined;
  const c = canonicalAddress(bare);
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(c);
  return mapped ? mapped[1] : c;
}

/** 'ADDR:PORT' or '[ADDR]:PORT' (a probe input's name) → the address. */
export function probeAddress(name: string): string | undefined {
  const v6 = /^\[([^\]]+)\]:\d+$/.exec(name);
  if (v6) return addressKey(v6[1]!);
  const v4 = /^([^:]+):\d+$/.exec(name);
  return v4 ? addressKey(v4[1]!) : addressKey(name);
}

export interface AddressBook {
  nodeOf(address: string): ClusterNode | undefined;
}

export function addressBook(nodes: readonly ClusterNode[]): AddressBook {
  const owner = new Map<string, ClusterNode>();
  for (const n of nodes) {
    for (const a of n.addresses) {
      const k = addressKey(a);
      // Loopback and link-local addresses are everyone's: they name no node.
      if (k && !owner.has(k) && !/^(127\.|::1$|fe80:)/i.test(k)) owner.set(k, n);
    }
  }
  return { nodeOf: (a) => owner.get(addressKey(a) ?? a) };
}

/** Per client, per server address: what its report says. */
interface Seen {
  via: Set<EdgeVia>;
  state: EdgeState;
  rules: Set<string>;
  stratum?: number;
  leap?: number;
  refid?: string;
  offsets: number[];
}

function seenFor(map: Map<string, Seen>, address: string): Seen {
  let s = map.get(address);
  if (!s) {
    s = { via: new Set(), state: 'unknown', rules: new Set(), offsets: [] };
    map.set(address, s);
  }
  return s;
}

/** What one node's report says about each server it uses. */
export function serversOf(report: Report): Map<string, Seen> {
  const out = new Map<string, Seen>();
  for (const input of report.inputs) {
    if (input.kind !== 'probe') continue;
    const a = probeAddress(input.name);
    if (a) seenFor(out, a).via.add('probe');
  }
  for (const f of report.findings) {
    const state = SERVER_RULES[f.rule];
    const a = state === undefined ? undefined : addressKey(f.subject);
    if (state === undefined || a === undefined) continue;
    const s = seenFor(out, a);
    s.via.add('finding');
    s.rules.add(f.rule);
    s.state = worse(s.state, state);
  }
  for (const x of report.exchanges) {
    if (x.offsetMethod !== undefined && x.offsetMethod !== 'probe') continue; // a capture's exchanges may be anyone's
    const a = addressKey(x.server.ip);
    if (!a || !out.has(a)) continue;
    const s = seenFor(out, a);
    if (x.outcome === 'reply' && x.reply) {
      // RFC 5905 §7.3: stratum 16 (or 0, not a KoD) or leap 3 = the server is not synchronized itself.
      const unsync = x.reply.leap === 3 || x.reply.stratum === 16 || x.reply.stratum === 0;
      s.state = worse(s.state, unsync ? 'unsynchronized' : 'ok');
      s.stratum = x.reply.stratum;
      s.leap = x.reply.leap;
      s.refid = x.reply.refidText;
      if (!unsync && !x.bogus?.length && typeof x.offset === 'number' && Number.isFinite(x.offset)) s.offsets.push(x.offset);
    } else if (x.outcome === 'icmp' && x.icmp && [9, 10, 13].includes(x.icmp.code) && x.icmp.type === 3) {
      s.state = worse(s.state, 'rejected');
    } else if (x.outcome === 'none' || x.outcome === 'icmp') {
      s.state = worse(s.state, 'unreachable');
    }
  }
  return out;
}

export function median(xs: readonly number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The graph over every node that has a report. */
export function buildGraph(nodes: readonly ClusterNode[], book: AddressBook = addressBook(nodes)): SyncGraph {
  const edges: SyncEdge[] = [];
  const byKey = new Map<string, SyncEdge>();
  const external = new Set<string>();
  for (const n of nodes) {
    if (!n.report) continue;
    for (const [address, s] of serversOf(n.report)) {
      const owner = book.nodeOf(address);
      const to = owner?.name ?? address;
      if (!owner) external.add(address);
      const e: SyncEdge = { from: n.name, to, address, internal: owner !== undefined, via: [...s.via].sort(), state: s.state, rules: [...s.rules].sort() };
      if (s.stratum !== undefined) e.stratum = s.stratum;
      if (s.leap !== undefined) e.leap = s.leap;
      if (s.refid !== undefined) e.refid = s.refid;
      const off = median(s.offsets);
      if (off !== undefined) e.offset = off;
      edges.push(e);
      byKey.set(`${e.from}\u0000${e.to}`, e);
    }
  }
  // Refids: a server's replies name its own upstream. Only for servers in the cluster: the rest is not ours to map.
  for (const e of [...edges]) {
    if (!e.internal || e.stratum === undefined || e.stratum < 2 || e.stratum > 15 || !e.refid) continue;
    const up = addressKey(e.refid);
    if (!up || !/^\d+\.\d+\.\d+\.\d+$/.test(up)) continue;
    const owner = book.nodeOf(up);
    const to = owner?.name ?? up;
    const key = `${e.to}\u0000${to}`;
    const known = byKey.get(key);
    if (known) {
      if (!known.via.includes('refid')) known.via = [...known.via, 'refid'].sort() as EdgeVia[];
      continue;
    }
    if (!owner) external.add(up);
    const r: SyncEdge = { from: e.to, to, address: up, internal: owner !== undefined, via: ['refid'], state: 'ok', rules: [] };
    edges.push(r);
    byKey.set(key, r);
  }
  const graphNodes: SyncGraph['nodes'] = nodes.map((n) => ({ name: n.name, internal: true, status: n.status }));
  for (const a of [...external].sort()) if (!nodes.some((n) => n.name === a)) graphNodes.push({ name: a, internal: false, status: 'external' });
  return { nodes: graphNodes, edges };
}
