/**
 * Reading stratum-0 replies (RFC 5905 §7.3, §7.4). Not every stratum-0 reply is a kiss of death:
 * - ntpd and NTPsec put their *internal* stratum 16 on the wire as 0 (ntpd's STRATUM_TO_PKT), with refid INIT
 *   before they first synchronise and STEP after a step: leap 3, stratum 0, refid INIT is an unsynchronised server
 *   (measured here: ntpsec 1.2.2 right after start);
 * - chronyd unsynchronised sends leap 3, stratum 0, refid 0 (measured here: chrony 4.3 without sources).
 * A real kiss code asks the client to act: DENY/RSTR stop, RATE slow down, CRYP/AUTH/NKEY/NTSN fix authentication.
 */
import { KISS_CODES } from '../../src/ntp/refid.js';
import type { NtpPathObservation, ValueSeen } from '../../src/model/observation.js';

/** Kiss codes that only report the server's own synchronisation state (RFC 5905 figure 13). */
export const STATE_CODES: ReadonlySet<string> = new Set(['INIT', 'STEP']);

export function kissMeaning(code: string): string {
  return KISS_CODES[code] ?? 'not a code RFC 5905 lists';
}

/** Kiss codes that are not mere state reports, from replies of one path. */
export function realKisses(p: NtpPathObservation): ValueSeen<string>[] {
  return p.kissCodes.filter((k) => !STATE_CODES.has(k.value));
}

/** Stratum-0 replies that carry no real kiss code: unsynchronised servers (empty refid, INIT, STEP). */
export function unsyncStratum0Count(p: NtpPathObservation): number {
  const zero = p.strata.find((s) => s.value === 0)?.count ?? 0;
  const kisses = realKisses(p).reduce((n, k) => n + k.count, 0);
  return Math.max(0, zero - kisses);
}
