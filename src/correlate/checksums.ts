import type { ChecksumStatus, DecodedFrame } from '../decode/types.js';
import { addToSample, mergeSamples, newSample } from '../observe/accumulate.js';
import type { ChecksumObservation, FrameSample } from '../model/observation.js';

export interface SenderState {
  /** Made at the first bad one: most senders of a capture have none (100 k clients, two objects each). */
  bad: FrameSample | undefined;
  good: number;
  /** Bad-checksum requests the server answered: its kernel accepted them, so the wire checksum was right. */
  answeredBad: number;
  outgoingBad: number;
  /** Bad ones whose field holds exactly the pseudo-header sum (offload left it for the NIC). */
  partialBad: number;
  /**
   * Peers this sender talked to (the first 64), to see whether their traffic came out bad too (veth, VMs,
   * loopback); each with the frame it was first seen in, so shards merge to the same 64 (mergeSenders).
   */
  peers: Peers;
  /** The first frame counted for this sender: observations list senders in this order. */
  first: number;
}

/**
 * A sender's peers, each with the frame it was first seen in: the first inline (most senders have just one: a
 * client of one server), the others in a Map made when a second shows up. `last` is the peer added last: it skips
 * the lookup while a sender keeps talking to the same peer.
 */
export interface Peers {
  first: string;
  firstFrame: number;
  others: Map<string, number> | undefined;
  last: string;
}

function peerCount(p: Peers): number {
  return p.first === '' ? 0 : 1 + (p.others?.size ?? 0);
}

function hasPeer(p: Peers, peer: string): boolean {
  return p.first === peer || (p.others?.has(peer) ?? false);
}

function addPeer(p: Peers, peer: string, frame: number): void {
  if (p.first === '') {
    p.first = peer;
    p.firstFrame = frame;
  } else (p.others ??= new Map()).set(peer, frame);
}

/**
 * Notes that the sender talked to `peer` in `frame` when its datagrams arrive out of frame order (counts kept
 * elsewhere and added later, ChecksumTracker.addGood): the peers kept are still the MAX_PEERS seen first, each with
 * the first frame it was seen in — what addFrom, fed in frame order, keeps.
 */
function notePeer(p: Peers, peer: string, frame: number): void {
  if (p.first === peer) {
    if (frame < p.firstFrame) p.firstFrame = frame;
    return;
  }
  const known = p.others?.get(peer);
  if (known !== undefined) {
    if (frame < known) p.others!.set(peer, frame);
    return;
  }
  if (peerCount(p) < MAX_PEERS) {
    addPeer(p, peer, frame);
    return;
  }
  // Full: this peer takes the place of the one seen last, if it was seen before it.
  let latest = p.first;
  let latestFrame = p.firstFrame;
  for (const [q, f] of p.others ?? []) {
    if (f > latestFrame) {
      latest = q;
      latestFrame = f;
    }
  }
  if (frame >= latestFrame) return;
  if (latest === p.first) {
    p.first = peer;
    p.firstFrame = frame;
  } else {
    p.others!.delete(latest);
    p.others!.set(peer, frame);
  }
}

/** The peers with their first frames, the inline one first (then in the order they were added). */
function peerList(p: Peers): Array<[string, number]> {
  if (p.first === '') return [];
  const out: Array<[string, number]> = [[p.first, p.firstFrame]];
  if (p.others !== undefined) out.push(...p.others);
  return out;
}

function newPeers(): Peers {
  return { first: '', firstFrame: 0, others: undefined, last: '' };
}

/** A tracker's state, for merging the shards of a capture split across threads (src/parallel/). */
export type ChecksumState = Array<[sender: string, state: SenderState]>;

const MAX_PEERS = 64;

const PACKET_OUTGOING = 4;

/**
 * UDP checksums of NTP datagrams, by sender. A bad checksum on a datagram the capture host sent is what tx
 * checksum offload looks like from the sender (the NIC fills it in after the capture point); on a received
 * datagram it is corruption — the receiving kernel drops it (RFC 768, RFC 1122 §4.1.3.4).
 */
export class ChecksumTracker {
  private senders = new Map<string, SenderState>();
  /** addGood moved a sender's first frame earlier: the senders are no longer in the order of their first frames. */
  private unordered = false;

  constructor(private readonly localIps?: ReadonlySet<string>) {}

  add(f: DecodedFrame, sender: string): void {
    const status = f.udp?.checksumStatus;
    if (status !== 'bad' && status !== 'ok') return;
    this.addFrom(this.sender(sender), f.frame, f.ip?.dst, status, f.udp?.checksumPartial === true, f.link.packetType ?? -1);
  }

  /** Whether add() would count a datagram with this checksum status: one was verified, or it answers a request. */
  counts(status: ChecksumStatus | undefined, answeredRequestFrom: string | undefined): boolean {
    return status === 'bad' || status === 'ok' || answeredRequestFrom !== undefined;
  }

  /** The state of one sender, created on first use (a caller may keep it: see addFrom). */
  sender(address: string): SenderState {
    let s = this.senders.get(address);
    if (!s) {
      s = { bad: undefined, good: 0, answeredBad: 0, outgoingBad: 0, partialBad: 0, peers: newPeers(), first: -1 };
      this.senders.set(address, s);
    }
    return s;
  }

  /**
   * Counts one datagram of sender `s` (a caller that already holds the state and checked counts()): its frame,
   * destination (undefined: the caller knows it is among the peers already, or there was no room), checksum
   * status, whether a bad one holds the offload partial sum, and the SLL packet type (-1
   * none). `answeredRequestFrom`: the client whose bad-checksum request this datagram answers.
   */
  addFrom(
    s: SenderState,
    frame: number,
    dst: string | undefined,
    status: ChecksumStatus | undefined,
    partial: boolean,
    packetType: number,
    answeredRequestFrom?: string,
  ): void {
    if (s.first < 0) s.first = frame;
    const peers = s.peers;
    if (dst !== undefined && peers.last !== dst && peerCount(peers) < MAX_PEERS) {
      if (!hasPeer(peers, dst)) addPeer(peers, dst, frame);
      peers.last = dst;
    }
    if (status === 'bad') {
      addToSample((s.bad ??= newSample()), frame);
      if (packetType === PACKET_OUTGOING) s.outgoingBad++;
      if (partial) s.partialBad++;
    } else if (status === 'ok') s.good++;
    if (answeredRequestFrom !== undefined) {
      const requester = this.senders.get(answeredRequestFrom);
      if (requester) requester.answeredBad++;
    }
  }

  /**
   * Adds `good` datagrams with a verified checksum that `sender` sent to `peer`, the first in frame `first`,
   * counted outside the tracker (the correlator keeps them per path: a state per sender for 100 k clients that all
   * send good ones was most of what the tracker cost). A sender the tracker does not know is made only if
   * `create`; returns whether the datagrams were added.
   */
  addGood(sender: string, peer: string, good: number, first: number, create: boolean): boolean {
    let s = this.senders.get(sender);
    if (s === undefined) {
      if (!create) return false;
      s = this.sender(sender);
    }
    s.good += good;
    if (s.first < 0 || first < s.first) {
      // A sender made now, or one whose first datagram came before what the tracker saw of it.
      s.first = first;
      this.unordered = true;
    }
    notePeer(s.peers, peer, first);
    return true;
  }

  /** Senders back in the order of their first frames, after addGood (observations list them in that order). */
  private order(): void {
    if (!this.unordered) return;
    this.senders = new Map([...this.senders].sort((a, b) => a[1].first - b[1].first));
    this.unordered = false;
  }

  state(): ChecksumState {
    this.order();
    return [...this.senders];
  }

  /**
   * The trackers of a capture's shards as one, as if a single tracker had seen every frame: senders in the
   * order of their first frame, counts added, bad frames and peers the earliest ones.
   */
  static merged(localIps: ReadonlySet<string> | undefined, states: readonly ChecksumState[]): ChecksumTracker {
    const byName = new Map<string, SenderState>();
    for (const state of states) {
      for (const [sender, s] of state) {
        const m = byName.get(sender);
        if (m === undefined) {
          byName.set(sender, s);
          continue;
        }
        if (s.bad !== undefined) m.bad = m.bad === undefined ? s.bad : mergeSamples(m.bad, s.bad);
        m.good += s.good;
        m.answeredBad += s.answeredBad;
        m.outgoingBad += s.outgoingBad;
        m.partialBad += s.partialBad;
        const peers = [...peerList(m.peers), ...peerList(s.peers)].sort((a, b) => a[1] - b[1]);
        m.peers = newPeers();
        for (const [peer, frame] of peers) if (peerCount(m.peers) < MAX_PEERS && !hasPeer(m.peers, peer)) addPeer(m.peers, peer, frame);
        if (s.first < m.first) m.first = s.first;
      }
    }
    const tracker = new ChecksumTracker(localIps);
    for (const [sender, s] of [...byName].sort((a, b) => a[1].first - b[1].first)) tracker.senders.set(sender, s);
    return tracker;
  }

  observations(): ChecksumObservation[] {
    this.order();
    const out: ChecksumObservation[] = [];
    for (const [sender, s] of this.senders) {
      const bad = s.bad;
      if (bad === undefined || bad.count === 0) continue;
      const [sent, basis] = this.judge(sender, s, bad);
      out.push({ kind: 'udp-checksum', source: 'capture', sender, bad, good: s.good, sentByCaptureHost: sent, basis });
    }
    return out;
  }

  private judge(sender: string, s: SenderState, bad: FrameSample): [boolean | 'unknown', string] {
    if (this.localIps?.has(sender)) return [true, `${sender} is the capture host (--local-ip)`];
    if (s.outgoingBad > 0) return [true, `the capture marks ${s.outgoingBad} of them as outgoing (Linux cooked capture)`];
    if (s.answeredBad > 0) {
      return [true, `${s.answeredBad} of them were answered, so the server's kernel saw a valid checksum on the wire`];
    }
    if (s.partialBad === bad.count) {
      const host = this.localIps?.size && !this.localIps.has(sender) ? ' (a virtual link: veth, VM or container, where the peer\'s offload shows too)' : '';
      return [true, `every bad checksum holds just the pseudo-header sum, which tx checksum offload leaves for the NIC to fill in${host}`];
    }
    if (this.localIps && this.localIps.size > 0) return [false, `${sender} is not one of the capture host's addresses`];
    const peersBad = peerList(s.peers).some(([p]) => (this.senders.get(p)?.bad?.count ?? 0) > 0);
    if (peersBad) {
      return [true, 'both directions show bad checksums while the exchange works: a virtual interface (veth, VM, loopback) that leaves checksums to offload'];
    }
    return ['unknown', 'the capture does not tell which host took it (try --local-ip)'];
  }
}
