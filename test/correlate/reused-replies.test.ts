/**
 * The Correlator refills one reply exchange per shape instead of allocating one per reply, and the accumulator
 * copies what it keeps (overwriting a kept copy of the same shape in place). With a live listener (onExchange)
 * every exchange is a fresh object instead. Both must give the same observations and exchanges, key for key: on
 * every fixture and on a generated capture with replies, ICMP errors, silence and more paths than MANY_PATHS.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { observeCapture } from '../../src/run/capture-file.js';
import type { NtpExchange } from '../../src/model/exchange.js';
// @ts-expect-error: the bench's generator is plain JavaScript
import { generate } from '../../bench/gen-capture.mjs';

const dir = mkdtempSync(join(tmpdir(), 'ntpdoctor-reuse-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('reused reply exchanges', () => {
  it('give what fresh objects give (fixtures and a generated capture)', async () => {
    const many = join(dir, 'many.pcap');
    generate(many, { frames: 30_000, clients: 300 });
    const files = [...readdirSync('fixtures').filter((f) => /\.pcap(ng)?$/.test(f)).map((f) => `fixtures/${f}`), many];
    for (const file of files) {
      const streamed: NtpExchange[] = [];
      const fresh = await observeCapture(file, { threads: 1, onExchange: (x) => streamed.push(x) });
      const reused = await observeCapture(file, { threads: 1 });
      expect(JSON.stringify(reused.observations), file).toBe(JSON.stringify(fresh.observations));
      expect(JSON.stringify(reused.exchanges), file).toBe(JSON.stringify(fresh.exchanges));
      // The live listener saw each exchange once, as its own object.
      expect(new Set(streamed).size, file).toBe(streamed.length);
    }
  });
});
