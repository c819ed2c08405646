/**
 * The RFC 5905 §8 packet tests a capture can apply to a reply, named as chrony's ntp_core.c names them:
 *   test1  duplicate: the origin of a request this path answered among its last few replies
 *   test2  bogus: the origin is no open request's transmit (a reply to an open request on the same port with
 *          another origin: 'origin-mismatch'; to none at all, the request fell before the capture: not judged)
 *   test3  invalid: a zero receive or transmit timestamp, or a transmit before the receive (src/ntp/tests.ts
 *          test3Faults, shared with the probe's packetTests) — not applied to stratum 0 (kiss-o'-death) replies
 * Tests 5–7 and A–D need the client's state (keys, clock, sample history): the probe applies them
 * (src/ntp/tests.ts packetTests); the rules read the replies' stratum, leap and root distance themselves.
 * A pure function of its arguments, returning a bit set (no allocation per reply: most pass every test).
 */
import { RECEIVE_AFTER_TRANSMIT, test3Faults, ZERO_RECEIVE, ZERO_TRANSMIT } from '../ntp/tests.js';
import type { ReplyFields } from '../observe/exchange.js';

export const FAILED_TEST1 = 1 << 8;
export const FAILED_TEST2 = 1 << 9;

/** The reply's header fields the tests read (src/decode/time-frame.ts TimeFrame). */
export type ReplyTestFields = Pick<ReplyFields, 'stratum' | 'orgSec' | 'orgFrac' | 'rcvSec' | 'rcvFrac' | 'xmtSec' | 'xmtFrac'>;

/** The failed tests of one reply as bits (0: passed all): `duplicate` and `originMismatch` are the correlator's findings. */
export function packetTests(t: ReplyTestFields, duplicate: boolean, originMismatch: boolean): number {
  let failed = duplicate ? FAILED_TEST1 : originMismatch ? FAILED_TEST2 : 0;
  // The origin was matched (or judged) above: only the server's own timestamps are test3's here.
  // The common case first, in two comparisons (no call): a nonzero receive and a transmit not before it.
  if (t.stratum === 0 || (t.rcvSec !== 0 && (t.xmtSec > t.rcvSec || (t.xmtSec === t.rcvSec && t.xmtFrac >= t.rcvFrac)))) return failed;
  failed |= test3Faults(1, 0, t.rcvSec, t.rcvFrac, t.xmtSec, t.xmtFrac);
  return failed;
}

/** The tests as named booleans (true: passed), chrony's names. */
export function namedTests(failed: number): { test1: boolean; test2: boolean; test3: boolean } {
  return { test1: (failed & FAILED_TEST1) === 0, test2: (failed & FAILED_TEST2) === 0, test3: (failed & (ZERO_RECEIVE | ZERO_TRANSMIT | RECEIVE_AFTER_TRANSMIT)) === 0 };
}

/** The names of the failed tests as an exchange's `bogus` lists them, in this order; undefined when none failed. */
export function failedTestNames(failed: number): string[] | undefined {
  if (failed === 0) return undefined;
  const names: string[] = [];
  if (failed & FAILED_TEST1) names.push('duplicate');
  if (failed & FAILED_TEST2) names.push('origin-mismatch');
  if (failed & ZERO_TRANSMIT) names.push('zero-transmit');
  if (failed & ZERO_RECEIVE) names.push('zero-receive');
  if (failed & RECEIVE_AFTER_TRANSMIT) names.push('receive-after-transmit');
  return names;
}
