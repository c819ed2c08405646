/**
 * Analysis split across threads (src/parallel/) must say exactly what one thread says. Two promises checked:
 * - routing: a frame the Correlator puts on a client↔server path gets from the header fast path (recordPathHash)
 *   the hash of its decoded path (framePathHash) — on every frame of the real fixtures and on header mutations of
 *   them, where a shortcut and the decoder could disagree; paths are dealt evenly to shards;
 * - merging: the shards of a capture, merged, give the observations and exchanges of a single thread, item for
 *   item (JSON-equal), for every fixture and for generated captures with more paths than MANY_PATHS, ICMP errors
 *   and unanswered requests, at 2, 3 and 5 shards.
 * The CLI run through real worker threads is in cli.test.ts.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { observeCapture } from '../../src/run/capture-file.js';
import { readCapture } from '../../src/capture/read.js';
import type { CaptureRecord } from '../../src/capture/types.js';
import { framePathHash, NO_PATH, recordPathHash, ShardRouter, UNDECIDED } from '../../src/correlate/shard.js';
import { decodeFrame } from '../../src/decode/frame.js';
import { mergeShards } from '../../src/parallel/merge.js';
import { observeShard } from '../../src/parallel/shard.js';
// @ts-expect-error: the bench's generator is plain JavaScript
import { generate } from '../../bench/gen-capture.mjs';

const dir = mkdtempSync(join(tmpdir(), 'ntpdoctor-shard-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const captures = [
  ...readdirSync('fixtures').filter((f) => /\.pcap(ng)?$/.test(f)).map((f) => `fixtures/${f}`),
  ...readdirSync('fixtures/decode').filter((f) => f.endsWith('.pcap')).map((f) => `fixtures/decode/${f}`),
  ...readdirSync('fixtures/capture').filter((f) => /\.pcap(ng)?$/.test(f)).map((f) => `fixtures/capture/${f}`),
];

/** A path frame's hash by the decoder; undefined when the Correlator puts the frame on no path. */
function decodedPathHash(r: CaptureRecord, data: Uint8Array): number | undefined {
  const f = decodeFrame({ ...r, capturedLength: data.length, data });
  const hash = framePathHash(f);
  return hash === NO_PATH ? undefined : hash;
}

describe('routing frames to shards', () => {
  it('the header fast path agrees with the decoded path on every fixture frame and header mutation', async () => {
    let checked = 0;
    let fast = 0;
    let mutants = 0;
    for (const file of captures) {
      const records: CaptureRecord[] = [];
      await readCapture(file, (r) => {
        const { frame, tsSec, tsNsec, linkType, interfaceId, capturedLength, originalLength } = r;
        records.push({ frame, tsSec, tsNsec, linkType, interfaceId, capturedLength, originalLength, data: r.data.slice() });
      });
      for (const r of records.slice(0, 40)) {
        const variants: Uint8Array[] = [r.data];
        // Single-octet changes in the headers: EtherType, version nibble, IHL, fragment bits, protocol, ports, mode.
        for (let at = 0; at < Math.min(r.data.length, 80); at++) {
          for (const v of [0x00, 0x03, 0x04, 0x11, 0x45, 0x60, 0x7b, 0x86, 0xff]) {
            const m = r.data.slice();
            m[at] = v;
            variants.push(m);
          }
        }
        for (const data of variants) {
          const expected = decodedPathHash(r, data);
          const got = recordPathHash(data, 0, data.length, r.linkType);
          if (got !== UNDECIDED) fast++;
          if (expected === undefined) continue;
          checked++;
          if (got !== UNDECIDED && got !== expected) {
            throw new Error(`${file} frame ${r.frame}: fast path says path ${got}, decoded path ${expected}`);
          }
        }
        mutants += variants.length - 1;
      }
    }
    // The comparison must have run on real path frames, and the fast path must decide most of them.
    expect(checked).toBeGreaterThan(3_000);
    expect(fast).toBeGreaterThan(checked / 2);
    expect(mutants).toBeGreaterThan(10_000);
  });

  it('deals paths to shards in turn as they first appear, evenly', async () => {
    const file = join(dir, 'spread.pcap');
    generate(file, { frames: 4000, clients: 200 });
    const counts = [0, 0, 0];
    for (let i = 0; i < 3; i++) counts[i] = (await observeShard(file, { index: i, count: 3 }, [])).paths.length;
    expect(counts).toEqual([67, 67, 66]);
    const router = new ShardRouter(3);
    expect([5, 9, 5, 7, 11, 9, NO_PATH].map((h) => router.shardOf(h))).toEqual([0, 1, 0, 2, 0, 1, 0]);
  });
});

async function mergedAnalysis(file: string, count: number, localIps: string[] = []) {
  const shards = [];
  for (let index = 0; index < count; index++) shards.push(await observeShard(file, { index, count }, localIps));
  return mergeShards(shards, new Set(localIps));
}

describe('merging shards', () => {
  it('gives what one thread gives on every fixture (2, 3 and 5 shards)', async () => {
    for (const file of captures) {
      const single = await observeCapture(file, { threads: 1 });
      const expected = JSON.stringify({ observations: single.observations, exchanges: single.exchanges });
      for (const count of [2, 3, 5]) {
        const merged = await mergedAnalysis(file, count);
        const observations = [...merged.paths, ...merged.checksums, ...merged.controls];
        const singleHead = single.observations.filter((o) => o.kind === 'ntp-path' || o.kind === 'udp-checksum' || o.kind === 'ntp-control');
        expect(JSON.stringify(observations), `${file} at ${count} shards`).toBe(JSON.stringify(singleHead));
        const input = single.observations.find((o) => o.kind === 'input') as { ntpFrames: number; decodeIssues: unknown };
        expect(merged.ntpFrames, file).toBe(input.ntpFrames);
        expect(merged.decodeIssues, file).toEqual(input.decodeIssues);
        expect(merged.read).toEqual(single.read);
      }
      expect(expected.length).toBeGreaterThan(10);
    }
  });

  it('keeps the single-thread exchange samples past MANY_PATHS (600 paths, ICMP errors, unanswered requests)', async () => {
    const file = join(dir, 'many.pcap');
    generate(file, { frames: 12_000, clients: 600 });
    const single = await observeCapture(file, { threads: 1 });
    const paths = single.observations.filter((o) => o.kind === 'ntp-path');
    expect(paths.length).toBe(600);
    // The generator's ICMP and unanswered shares are in there, so every outcome kind crosses the merge.
    const outcomes = new Set(single.exchanges.map((x) => x.outcome));
    expect([...outcomes].sort()).toEqual(['icmp', 'none', 'reply']);
    for (const count of [2, 3]) {
      const merged = await mergedAnalysis(file, count, ['198.51.100.1']);
      const again = await observeCapture(file, { threads: 1, localIps: ['198.51.100.1'] });
      expect(JSON.stringify(merged.paths), `${count} shards`).toBe(JSON.stringify(again.observations.filter((o) => o.kind === 'ntp-path')));
      expect(JSON.stringify(merged.checksums)).toBe(JSON.stringify(again.observations.filter((o) => o.kind === 'udp-checksum')));
    }
  });
});
