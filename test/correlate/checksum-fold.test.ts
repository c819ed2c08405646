/**
 * The correlator counts good checksums per path and hands them to the tracker only when asked
 * (ChecksumTracker.addGood): the tracker must then say exactly what it says when fed every datagram in frame order
 * (addFrom) — same observations, same senders in the same order, same counts, and the same first MAX_PEERS (64)
 * peers with their first frames, also for senders with more peers than that.
 */
import { describe, expect, it } from 'vitest';
import { ChecksumTracker, type ChecksumState } from '../../src/correlate/checksums.js';
import { mulberry32 } from '../seeded.js';

interface Datagram {
  frame: number;
  sender: string;
  peer: string;
  status: 'ok' | 'bad';
  partial: boolean;
  packetType: number;
  answeredRequestFrom?: string;
}

function stream(seed: number, senders: number, peers: number, length: number): Datagram[] {
  const random = mulberry32(seed);
  const out: Datagram[] = [];
  // A datagram answers a bad-checksum request (the correlator's answeredRequestFrom): that request came first.
  const badSenders: string[] = [];
  const pick = (n: number, prefix: string) => `${prefix}${Math.floor(random() * random() * n)}`;
  for (let frame = 1; frame <= length; frame++) {
    const sender = pick(senders, '198.51.100.');
    const bad = random() < 0.15;
    const d: Datagram = {
      frame,
      sender,
      peer: pick(peers, '2001:db8::'),
      status: bad ? 'bad' : 'ok',
      partial: bad && random() < 0.5,
      packetType: random() < 0.2 ? 4 : random() < 0.5 ? 0 : -1,
    };
    if (badSenders.length > 0 && random() < 0.05) d.answeredRequestFrom = badSenders[Math.floor(random() * badSenders.length)]!;
    if (bad) badSenders.push(sender);
    out.push(d);
  }
  return out;
}

/** Every datagram through addFrom, in frame order: what the tracker did before goods were counted elsewhere. */
function inOrder(datagrams: readonly Datagram[], localIps?: ReadonlySet<string>): ChecksumTracker {
  const t = new ChecksumTracker(localIps);
  for (const d of datagrams) t.addFrom(t.sender(d.sender), d.frame, d.peer, d.status, d.partial, d.packetType, d.answeredRequestFrom);
  return t;
}

/** Goods with no answered request counted per sender and peer (as the correlator's paths do), the rest through addFrom. */
function folded(datagrams: readonly Datagram[], create: boolean, localIps?: ReadonlySet<string>): ChecksumTracker {
  const t = new ChecksumTracker(localIps);
  const tallies = new Map<string, { sender: string; peer: string; good: number; first: number }>();
  for (const d of datagrams) {
    if (d.status === 'ok' && d.answeredRequestFrom === undefined) {
      const key = `${d.sender} ${d.peer}`;
      const tally = tallies.get(key);
      if (tally) tally.good++;
      else tallies.set(key, { sender: d.sender, peer: d.peer, good: 1, first: d.frame });
    } else t.addFrom(t.sender(d.sender), d.frame, d.peer, d.status, d.partial, d.packetType, d.answeredRequestFrom);
  }
  // Handed over in an order that is not the frames' (the correlator goes path by path).
  for (const tally of [...tallies.values()].reverse()) t.addGood(tally.sender, tally.peer, tally.good, tally.first, create);
  return t;
}

/** A state as plain data: peers as a list ordered by first frame (their Map order is not part of the contract). */
function plain(state: ChecksumState): unknown {
  return state.map(([sender, s]) => {
    const peers: Array<[string, number]> = s.peers.first === '' ? [] : [[s.peers.first, s.peers.firstFrame], ...(s.peers.others ?? [])];
    peers.sort((a, b) => a[1] - b[1]);
    return { sender, bad: s.bad, good: s.good, answeredBad: s.answeredBad, outgoingBad: s.outgoingBad, partialBad: s.partialBad, first: s.first, peers };
  });
}

describe('good checksums counted per path and handed over later (ChecksumTracker.addGood)', () => {
  it.each([
    [1, 5, 4, 300],
    [2, 40, 10, 2000],
    [3, 3, 200, 3000],
    [4, 2, 500, 4000],
  ])('seed %i: %i senders, %i peers, %i datagrams give the observations and state of in-order counting', (seed, senders, peers, length) => {
    const datagrams = stream(seed, senders, peers, length);
    for (const localIps of [undefined, new Set(['198.51.100.1'])]) {
      const want = inOrder(datagrams, localIps);
      expect(folded(datagrams, false, localIps).observations()).toStrictEqual(want.observations());
      expect(plain(folded(datagrams, true, localIps).state())).toStrictEqual(plain(want.state()));
    }
    // Senders with more peers than are kept: the first 64 by frame, whatever order the counts arrived in.
    const crowded = plain(inOrder(datagrams).state()) as Array<{ peers: unknown[] }>;
    if (peers > 64) expect(crowded.some((s) => s.peers.length === 64)).toBe(true);
  });

  it('makes no sender for goods alone unless asked (only senders with bad checksums are observed)', () => {
    const t = new ChecksumTracker();
    expect(t.addGood('198.51.100.7', '198.51.100.1', 3, 10, false)).toBe(false);
    expect(t.state()).toEqual([]);
    expect(t.addGood('198.51.100.7', '198.51.100.1', 3, 10, true)).toBe(true);
    expect(t.state().map(([s, st]) => [s, st.good, st.first])).toEqual([['198.51.100.7', 3, 10]]);
  });
});
