/** Helpers over path observations (one client ↔ one server), shared by the packet rules. */
import type { NtpPathObservation } from '../../src/model/observation.js';
import { LEAP_ALARM, MAXDISP, MAXSTRAT } from '../../src/ntp/constants.js';

/**
 * Paths grouped by server address, in first-seen order. Path findings take the server's IP as subject so that a
 * root cause (a firewall reject) folds the symptoms (no reply) it explains on the same server.
 * Most packet rules ask for this grouping of the same list: it is made once per list (a capture with 100 k clients
 * has 100 k paths), and lists are never changed while rules run (RuleContext.of hands out the same array each time).
 */
export function byServer(paths: readonly NtpPathObservation[]): ReadonlyMap<string, readonly NtpPathObservation[]> {
  return grouped(paths, 'server');
}

/** Paths grouped by client address, in first-seen order (made once per list, like byServer). */
export function byClient(paths: readonly NtpPathObservation[]): ReadonlyMap<string, readonly NtpPathObservation[]> {
  return grouped(paths, 'client');
}

type Grouping = { length: number; groups: Map<string, NtpPathObservation[]> };
const groupings = { server: new WeakMap<readonly NtpPathObservation[], Grouping>(), client: new WeakMap<readonly NtpPathObservation[], Grouping>() };

function grouped(paths: readonly NtpPathObservation[], end: 'server' | 'client'): ReadonlyMap<string, readonly NtpPathObservation[]> {
  const memo = groupings[end];
  const known = memo.get(paths);
  // The length check only guards against a list grown since: rules never change one.
  if (known !== undefined && known.length === paths.length) return known.groups;
  const groups = new Map<string, NtpPathObservation[]>();
  // Two loops, each reading its end by name: `p[end]` is a keyed load V8 does not make monomorphic (100 k paths).
  if (end === 'server') for (const p of paths) addTo(groups, p.server.ip, p);
  else for (const p of paths) addTo(groups, p.client.ip, p);
  memo.set(paths, { length: paths.length, groups });
  return groups;
}

function addTo(groups: Map<string, NtpPathObservation[]>, ip: string, p: NtpPathObservation): void {
  const list = groups.get(ip);
  if (list) list.push(p);
  else groups.set(ip, [p]);
}

/** '198.51.100.130:40123→198.51.100.100:123' ('[2001:db8::1]:123' for IPv6). */
export function pair(p: Pick<NtpPathObservation, 'client' | 'server'>): string {
  return `${hostPort(p.client.ip, p.client.port)}→${hostPort(p.server.ip, p.server.port)}`;
}

function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

export function isIpv6(ip: string): boolean {
  return ip.includes(':');
}

/** The distinct client addresses of some paths, for titles: '198.51.100.130' or '3 clients'. */
export function clientsText(paths: readonly NtpPathObservation[]): string {
  // Remembered per list (lists never change while rules run): a title and an evidence line ask for the same one, and
  // a server with 100 k silent clients is a set of 100 k addresses to build.
  const known = clientTexts.get(paths);
  if (known !== undefined && known.length === paths.length) return known.text;
  const ips = new Set<string>();
  for (const p of paths) ips.add(p.client.ip);
  const text = ips.size === 1 ? (ips.values().next().value as string) : `${ips.size} clients`;
  clientTexts.set(paths, { length: paths.length, text });
  return text;
}

const clientTexts = new WeakMap<readonly NtpPathObservation[], { length: number; text: string }>();

/**
 * The client network as access-control lines want it: the /24 around an IPv4 client (the seed's
 * `restrict 192.168.1.0 mask 255.255.255.0`), the client itself for IPv6. Titles tell the user to widen it.
 */
export function clientNetwork(ip: string): { address: string; mask: string; cidr: string } {
  if (isIpv6(ip)) return { address: ip, mask: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', cidr: `${ip}/128` };
  const parts = ip.split('.');
  const net = `${parts[0]}.${parts[1]}.${parts[2]}.0`;
  return { address: net, mask: '255.255.255.0', cidr: `${net}/24` };
}

/** Loopback or link-local sources: ntpq/ntpdc run on the server itself (or its LAN segment by design). */
export function isLoopbackIp(ip: string): boolean {
  return ip.startsWith('127.') || ip === '::1';
}

/** The port the server answers on (the one most of these paths use): fixes open and probe that port. */
export function serverPort(paths: readonly Pick<NtpPathObservation, 'server'>[]): number {
  const counts = new Map<number, number>();
  let best = 123;
  let most = 0;
  for (const p of paths) {
    const n = (counts.get(p.server.port) ?? 0) + 1;
    counts.set(p.server.port, n);
    if (n > most) [best, most] = [p.server.port, n];
  }
  return best;
}

/**
 * Every reply that carried time came from a server a client would take a sample from: RFC 5905 §8 test 6 (not
 * leap 3, stratum 1–15) and test 7 (root distance < 16 s, MAXDISP), chrony's synced_packet. No client steps to an
 * unsynchronised server, so neither may the advice. Offsets are aggregated per path: one such reply on the path
 * and its offset cannot be told from the others', so the path gives none. Kiss-o'-death replies (stratum 0,
 * leap 3) never fed an offset and do not count: leap-3 replies beyond the stratum-0 ones do.
 */
export function fromSyncedServer(p: NtpPathObservation): boolean {
  const count = <T>(seen: ReadonlyArray<{ value: T; count: number }>, is: (v: T) => boolean) =>
    seen.reduce((n, v) => n + (is(v.value) ? v.count : 0), 0);
  if (count(p.strata, (s) => s >= MAXSTRAT) > 0) return false;
  if (count(p.leaps, (l) => l === LEAP_ALARM) > count(p.strata, (s) => s === 0)) return false;
  if (p.rootDistance && p.rootDistance.max >= MAXDISP) return false;
  return true;
}
