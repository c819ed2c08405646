/**
 * Per-path counters the correlator keeps beside the accumulator: UDP checksums (good ones counted per path, bad
 * ones handed to the tracker: no state per sender for the common case) and the refid text of the latest reply.
 */
import type { TimeFrame } from '../decode/time-frame.js';
import { describeRefid } from '../ntp/refid.js';
import type { ChecksumTracker } from './checksums.js';
import { TWO_POW_32 } from '../net/wall-time.js';
import type { PathState, Pending } from './path-state.js';

/*
 * The per-frame functions below are a few bytecodes on the common path (a good checksum, an unchanged refid) and
 * call out for the rest: V8 inlines callees into the correlator's onReply/onRequest only up to a cumulative
 * bytecode budget (--max-inlined-bytecode-size-cumulative, 920), and the rare branches inlined with them used it
 * up, leaving the path lookup and open-request lookup as calls (measured: 2 M frames, ~7 % CPU).
 */

/** A request's UDP checksum: counted per path when good (most datagrams), else by the tracker. */
export function countRequestChecksum(tracker: ChecksumTracker, p: PathState, t: TimeFrame): void {
  if (t.checksumStatus === 'ok') {
    if (p.goodFromClient++ === 0) p.firstGoodFromClient = t.frame;
  } else otherRequestChecksum(tracker, p, t);
}

function otherRequestChecksum(tracker: ChecksumTracker, p: PathState, t: TimeFrame): void {
  if (!tracker.counts(t.checksumStatus, undefined)) return;
  const peer = p.serverNotedAsPeer ? undefined : p.server;
  p.serverNotedAsPeer = true;
  tracker.addFrom((p.clientChecksums ??= tracker.sender(p.client)), t.frame, peer, t.checksumStatus, t.checksumPartial, t.packetType);
}

/** A reply's UDP checksum, as countRequestChecksum; `pending` is the request it answers (a bad one tells offload). */
export function countReplyChecksum(tracker: ChecksumTracker, p: PathState, t: TimeFrame, pending: Pending | undefined): void {
  if (t.checksumStatus === 'ok' && (pending === undefined || !pending.badChecksum)) {
    if (p.goodFromServer++ === 0) p.firstGoodFromServer = t.frame;
  } else otherReplyChecksum(tracker, p, t, pending);
}

function otherReplyChecksum(tracker: ChecksumTracker, p: PathState, t: TimeFrame, pending: Pending | undefined): void {
  const answeredRequestFrom = pending !== undefined && pending.badChecksum ? pending.path.client : undefined;
  if (!tracker.counts(t.checksumStatus, answeredRequestFrom)) return;
  const peer = p.clientNotedAsPeer ? undefined : p.client;
  p.clientNotedAsPeer = true;
  const sender = (p.serverChecksums ??= tracker.sender(p.server));
  tracker.addFrom(sender, t.frame, peer, t.checksumStatus, t.checksumPartial, t.packetType, answeredRequestFrom);
}

/**
 * Hands the good checksums counted per path to the tracker (ChecksumTracker.addGood: to the senders it has, or to
 * every sender if `all`); what it takes is cleared, so it is never handed over twice.
 */
export function foldGoodChecksums(tracker: ChecksumTracker, paths: readonly PathState[], all: boolean): void {
  for (const p of paths) {
    if (p.goodFromClient > 0 && tracker.addGood(p.client, p.server, p.goodFromClient, p.firstGoodFromClient, all)) {
      p.goodFromClient = 0;
      p.firstGoodFromClient = -1;
    }
    if (p.goodFromServer > 0 && tracker.addGood(p.server, p.client, p.goodFromServer, p.firstGoodFromServer, all)) {
      p.goodFromServer = 0;
      p.firstGoodFromServer = -1;
    }
  }
}

/** Distinct refid texts remembered at most. */
const REFID_TEXTS = 4096;

/**
 * The refid's text (describeRefid), one string per distinct refid for the whole capture: 100 k clients of one
 * server each see the same refid, and formatting it per path cost a string and an object each.
 */
export class RefidTexts {
  private readonly texts = new Map<number, string>();

  /** Sets p.refidText for reply `t`, formatting only when the path's refid or stratum changed (rarely). */
  note(p: PathState, t: TimeFrame): void {
    if (t.refid !== p.refid || t.stratum !== p.refidStratum) this.changed(p, t);
  }

  private changed(p: PathState, t: TimeFrame): void {
    p.refid = t.refid;
    p.refidStratum = t.stratum;
    // Exact in a double: 9 bits of version and stratum above the 32 of the refid.
    const key = ((t.ipVersion === 6 ? 256 : 0) + t.stratum) * TWO_POW_32 + t.refid;
    let text = this.texts.get(key);
    if (text === undefined) {
      // Bounded: a capture of spoofed or garbled replies could carry any number of refids.
      if (this.texts.size >= REFID_TEXTS) this.texts.clear();
      text = describeRefid(t.stratum, t.refid, t.ipVersion).text;
      this.texts.set(key, text);
    }
    p.refidText = text;
  }
}
