/**
 * Rules on captures with very many client↔server paths (a server with 100 k+ clients): per-server groupings made
 * once, evidence merged without spreading one argument per path (which overflows the stack), and the merged frame
 * numbers exactly the first FACT_FRAMES of what `[...new Set(frames)].sort()` gives.
 */
import { describe, expect, it } from 'vitest';
import { capped, cappedMap, fact, FACT_FRAMES, factOf, note } from '../../rules/_lib/evidence.js';
import { byClient, byServer } from '../../rules/_lib/paths.js';
import type { FrameSample, NtpPathObservation } from '../../src/model/observation.js';
import { diagnose, icmp, icmpPath, path, sample, SERVER, silentPath, stats } from './_build.js';
import { mulberry32 } from '../seeded.js';

/** The reference: every frame once, ascending, the earliest FACT_FRAMES kept. */
function mergedBySet(samples: readonly FrameSample[]): number[] {
  return [...new Set(samples.flatMap((s) => s.frames))].sort((a, b) => a - b).slice(0, FACT_FRAMES);
}


/** Client i of many: 198.18.0.0/15 (RFC 2544 benchmarking range, as bench/gen-capture.mjs uses). */
function client(i: number): NtpPathObservation['client'] {
  return { ip: `198.${18 + ((i >> 16) & 1)}.${(i >> 8) & 0xff}.${i & 0xff}`, port: 32768 + (i % 28000) };
}

describe('fact() merging the frames of many samples', () => {
  it.each([
    ['dense, overlapping', 1, 400, 8, 3000],
    ['sparse (frame numbers far apart)', 2, 50, 8, 1e9],
    ['one sample', 3, 1, 8, 100],
    ['empty samples among others', 4, 30, 0, 100],
    ['fewer frames than the cap', 5, 3, 4, 1000],
    ['one long unordered sample', 6, 1, 40, 60],
  ])('gives the earliest frames of the Set-and-sort merge and the whole total: %s', (_what, seed, n, per, spread) => {
    const random = mulberry32(seed);
    const samples: FrameSample[] = [];
    for (let i = 0; i < n; i++) {
      const frames = Array.from({ length: Math.floor(random() * (per + 1)) }, () => 1 + Math.floor(random() * spread));
      // Half ascending (as accumulated), half in any order with repeats.
      if (i % 2 === 0) frames.sort((a, b) => a - b);
      samples.push({ count: frames.length + Math.floor(random() * 5), frames });
    }
    const ev = factOf('capture', 'x', samples);
    const want = mergedBySet(samples);
    const total = samples.reduce((t, s) => t + s.count, 0);
    if (want.length === 0) expect(ev).toEqual({ text: 'x' });
    else expect(ev).toEqual({ text: 'x', frames: want, unit: 'frame', ...(total > want.length ? { total } : {}) });
    expect(fact('probe', 'x', ...samples)).toEqual({ ...ev, ...(ev.unit ? { unit: 'sample' } : {}) });
  });

  it('keeps non-integer numbers and repeats in one sample the way the Set-and-sort merge did', () => {
    const samples = [sample([5, 2.5, 2.5, 1]), sample([7, 3])];
    expect(factOf('capture', 'x', samples).frames).toEqual(mergedBySet(samples));
    expect(factOf('capture', 'x', [sample([4, 4, 2])]).frames).toEqual([2, 4]);
  });

  it('hands back a copy, never the sample itself', () => {
    const s = sample([1, 2, 3]);
    expect(fact('capture', 'x', s).frames).not.toBe(s.frames);
  });

  it('merges 200 000 samples (one per path) where spreading them as arguments overflows the stack', () => {
    // Last path first: the earliest frames are at the end of the list.
    const samples = Array.from({ length: 200_000 }, (_, i) => sample([400_000 - 2 * i, 400_001 - 2 * i], 3));
    const ev = factOf('capture', 'replies', samples);
    expect(ev.frames).toEqual(Array.from({ length: FACT_FRAMES }, (_, i) => 2 + i));
    expect(ev.total).toBe(600_000);
  });
});

describe('cappedMap', () => {
  it.each([0, 3, 5, 6, 40])('equals capped(items.map(describe)) for %i items, describing only what it keeps', (n) => {
    const items = Array.from({ length: n }, (_, i) => i);
    const described: number[] = [];
    const got = cappedMap(items, 5, 'clients', (i) => {
      described.push(i);
      return note(`item ${i}`);
    });
    expect(got).toEqual(capped(items.map((i) => note(`item ${i}`)), 5, 'clients'));
    expect(described).toEqual(items.slice(0, 5));
  });
});

describe('path groupings', () => {
  it('group by server and by client in first-seen order, once per list', () => {
    const paths = [
      path({ server: { ip: 'A', port: 123 }, client: { ip: 'x', port: 1 } }),
      path({ server: { ip: 'B', port: 123 }, client: { ip: 'y', port: 1 } }),
      path({ server: { ip: 'A', port: 123 }, client: { ip: 'y', port: 2 } }),
    ];
    const s = byServer(paths);
    expect([...s.keys()]).toEqual(['A', 'B']);
    expect(s.get('A')).toEqual([paths[0], paths[2]]);
    expect(byServer(paths)).toBe(s);
    expect([...byClient(paths)].map(([ip, list]) => [ip, list.length])).toEqual([
      ['x', 1],
      ['y', 2],
    ]);
    // A list that grew is grouped again.
    paths.push(path({ server: { ip: 'C', port: 123 } }));
    expect([...byServer(paths).keys()]).toEqual(['A', 'B', 'C']);
  });
});

describe('every rule on one server with 150 000 clients', () => {
  const N = 150_000;
  it('firewall-reject folds no-response and counts every answered request (no stack overflow on the merge)', () => {
    const paths: NtpPathObservation[] = [];
    for (let i = 0; i < N; i++) {
      if (i % 1000 === 7) paths.push(icmpPath(icmp(3, 10, [10 * i + 2]), { client: client(i) }));
      else if (i % 1000 === 9) paths.push(silentPath([10 * i + 1], { client: client(i) }));
      else paths.push(path({ client: client(i), requests: sample([10 * i + 1]), replies: sample([10 * i + 2], 2) }));
    }
    const findings = diagnose(paths);
    expect(findings.map((f) => [f.rule, f.subject])).toEqual([['firewall-reject', SERVER]]);
    const ev = findings[0]!.evidence;
    expect(ev).toHaveLength(7);
    expect(ev[5]!.text).toBe('… and 145 more ICMP errors like these');
    const answered = N - 2 * (N / 1000);
    expect(ev[6]!.text).toBe(`${2 * answered} requests to ${SERVER} did get NTP replies: the rule rejects only some clients or some of the time`);
    // The earliest FACT_FRAMES replies (paths 7 and 9 of each thousand have none), all of them counted.
    expect(ev[6]!.frames).toEqual([2, 12, 22, 32, 42, 52, 62, 82, 102, 112, 122, 132, 142, 152, 162, 172]);
    expect(ev[6]!.total).toBe(2 * answered);
  });

  it('root-distance-too-large finds the best root distance among all of them', () => {
    const paths = Array.from({ length: N }, (_, i) =>
      path({ client: client(i), rootDistance: stats([2 + (i % 7) / 10]), rootDelay: stats([0.1]), rootDispersion: stats([1.95]) }),
    );
    const findings = diagnose(paths).filter((f) => f.rule === 'root-distance-too-large');
    expect(findings.map((f) => f.subject)).toEqual([SERVER]);
    expect(findings[0]!.title).toMatch(/^198\.51\.100\.100's root distance is 2(\.0+)? s/);
  });
});
