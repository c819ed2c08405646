/**
 * The ICMP errors of one class that answered NTP requests, server by server, with the facts the three ICMP rules
 * (firewall-reject, port-unreachable, host-unreachable) each start from: which paths drew them, who sent them, and
 * one evidence line per error. Which class an error is: ./icmp.ts.
 */
import type { Evidence } from '../../src/diagnose/types.js';
import type { IcmpSeen, NtpPathObservation } from '../../src/model/observation.js';
import { cappedMap, fact, plural } from './evidence.js';
import { type IcmpClass, classifyIcmp, icmpLabel, knownReporter } from './icmp.js';
import { byServer, pair } from './paths.js';

export interface IcmpError {
  p: NtpPathObservation;
  i: IcmpSeen;
}

/**
 * Who sent the errors: the server itself (it is up: a filter on it answers), the client's own stack (its firewall,
 * or its ARP / neighbour discovery), or someone else (a router, a firewall on the way); 'unknown' when no sender
 * address could be read.
 */
export type IcmpSender = 'server' | 'client' | 'elsewhere' | 'unknown';

export interface IcmpErrors {
  server: string;
  /** Every path to the server, answered or not. */
  paths: readonly NtpPathObservation[];
  /** The first error of the class (its path gives the source, client and port). */
  first: IcmpError;
  /** The addresses that sent them, first seen first, without the unreadable ones ('' or '?'). */
  reporters: string[];
  sender: IcmpSender;
  /** "ICMP type 3 code 10 (…) from R answering N requests C→S" for the first 5, then how many more. */
  evidence: Evidence[];
}

/**
 * Servers that drew ICMP errors of class `cls`. An error whose sender the capture could not read is said to come
 * from `unnamedReporter`: 'the network' where the sender matters (a router or the server), or the server itself
 * where only its kernel sends that error (port unreachable).
 */
export function icmpErrorsByServer(paths: readonly NtpPathObservation[], cls: IcmpClass, unnamedReporter: 'network' | 'server'): IcmpErrors[] {
  const out: IcmpErrors[] = [];
  const errors = classified(paths).get(cls);
  if (errors === undefined) return out;
  const servers = byServer(paths);
  for (const [server, seen] of errors) {
    const unnamed = unnamedReporter === 'server' ? server : 'the network';
    const reporters = [...new Set(seen.map(({ i }) => i.reporter).filter(knownReporter))];
    out.push({
      server,
      paths: servers.get(server) ?? [],
      first: seen[0]!,
      reporters,
      sender: senderOf(server, reporters, seen),
      evidence: cappedMap(seen, 5, 'ICMP errors', ({ p, i }) =>
        fact(p.source, `${icmpLabel(i)} from ${knownReporter(i.reporter) ? i.reporter : unnamed} answering ${plural(i.count, 'request')} ${pair(p)}`, i),
      ),
    });
  }
  return out;
}

function senderOf(server: string, reporters: readonly string[], seen: readonly IcmpError[]): IcmpSender {
  if (reporters.length === 0) return 'unknown';
  if (reporters.every((r) => r === server)) return 'server';
  // The clients' addresses only when the server did not send them all (a set of 100 k clients otherwise, for nothing).
  const clientIps = new Set(seen.map(({ p }) => p.client.ip));
  if (reporters.every((r) => clientIps.has(r))) return 'client';
  return 'elsewhere';
}

/** Errors by class, then by server in first-seen order, each server's in path order then path's order. */
type Classified = Map<IcmpClass, Map<string, IcmpError[]>>;
const classifiedLists = new WeakMap<readonly NtpPathObservation[], { length: number; errors: Classified }>();

/**
 * Every ICMP error of a list of paths, classified: one pass over the paths for the three ICMP rules (each of which
 * scanned every path of every server: 100 k paths, three times), made once per list as byServer's grouping is (lists
 * never change while rules run). Servers keep their first-seen order, so the rules see them as byServer lists them.
 */
function classified(paths: readonly NtpPathObservation[]): Classified {
  const known = classifiedLists.get(paths);
  if (known !== undefined && known.length === paths.length) return known.errors;
  const errors: Classified = new Map();
  for (const [server, onServer] of byServer(paths)) {
    for (const p of onServer) {
      const icmp = p.icmp;
      for (let k = 0; k < icmp.length; k++) {
        const i = icmp[k]!;
        const cls = classifyIcmp(i);
        let servers = errors.get(cls);
        if (servers === undefined) errors.set(cls, (servers = new Map()));
        let seen = servers.get(server);
        if (seen === undefined) servers.set(server, (seen = []));
        seen.push({ p, i });
      }
    }
  }
  classifiedLists.set(paths, { length: paths.length, errors });
  return errors;
}
