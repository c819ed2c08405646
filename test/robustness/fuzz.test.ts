/**
 * Robustness (issue 2, item 10): every fixture cut at every record boundary and at random offsets, and thousands of
 * random byte mutations: analysis never throws anything but a one-line InputError, never hangs, and the CLI always
 * exits 0, 1 or 2 with its message.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeCaptures } from '../../src/run/capture-file.js';
import { InputError } from '../../src/errors.js';
import { mulberry32 } from '../seeded.js';

const root = join(__dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'ntpdoctor-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fixtures(): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(pcap|pcapng)$/.test(e.name)) found.push(p);
    }
  };
  walk(join(root, 'fixtures'));
  return found.sort();
}

/** Record boundaries, found by an independent walk of the file format (not the reader under test). */
function boundaries(buf: Buffer): number[] {
  const out: number[] = [];
  const magic = buf.readUInt32BE(0);
  if (magic === 0x0a0d0d0a) {
    const le = buf.readUInt32BE(8) === 0x4d3c2b1a;
    for (let p = 0; p + 12 <= buf.length; ) {
      out.push(p);
      const len = le ? buf.readUInt32LE(p + 4) : buf.readUInt32BE(p + 4);
      if (len < 12) break;
      p += len;
    }
    return out;
  }
  const le = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
  for (let p = 24; p + 16 <= buf.length; ) {
    out.push(p);
    p += 16 + (le ? buf.readUInt32LE(p + 8) : buf.readUInt32BE(p + 8));
  }
  return out;
}

async function mustNotThrow(bytes: Buffer, label: string): Promise<void> {
  const file = join(dir, 'case.bin');
  writeFileSync(file, bytes);
  try {
    const report = await analyzeCaptures([file]);
    expect(report.schema, label).toBe('ntpdoctor.report/1');
  } catch (err) {
    expect(err, `${label}: ${String(err)}`).toBeInstanceOf(InputError);
    expect((err as Error).message.split('\n').length, label).toBeLessThanOrEqual(2);
  }
}

const files = fixtures();

describe('robustness', () => {
  it('has fixtures to work on', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it('survives every fixture cut at every record boundary and at random offsets', async () => {
    const rand = mulberry32(1);
    for (const f of files) {
      const buf = readFileSync(f);
      const cuts = new Set<number>([0, 1, 3, 4, 23, 24, 25]);
      for (const b of boundaries(buf)) for (const d of [0, 1, 7, 15, 17]) cuts.add(b + d);
      for (let i = 0; i < 20; i++) cuts.add(Math.floor(rand() * buf.length));
      for (const cut of cuts) if (cut <= buf.length) await mustNotThrow(buf.subarray(0, cut), `${f} cut at ${cut}`);
    }
  }, 120_000);

  it('survives thousands of random byte mutations', async () => {
    const rand = mulberry32(2);
    let cases = 0;
    for (const f of files) {
      const orig = readFileSync(f);
      const perFile = Math.max(50, Math.ceil(3000 / files.length));
      for (let i = 0; i < perFile; i++) {
        const buf = Buffer.from(orig);
        const flips = 1 + Math.floor(rand() * 8);
        for (let k = 0; k < flips; k++) {
          // Header bytes more often: lengths and magic are where readers go wrong.
          const pos = rand() < 0.3 ? Math.floor(rand() * Math.min(64, buf.length)) : Math.floor(rand() * buf.length);
          buf[pos] = Math.floor(rand() * 256);
        }
        await mustNotThrow(buf, `${f} mutation ${i}`);
        cases++;
      }
    }
    expect(cases).toBeGreaterThanOrEqual(3000);
  }, 240_000);

  it('the CLI exits 0/1/2 with one line for bad input, and never prints a stack trace', () => {
    const cli = join(root, 'dist', 'cli.js');
    expect(existsSync(cli), 'dist/cli.js: run npx tsup (npm test does)').toBe(true);
    const text = join(dir, 'notes.txt');
    writeFileSync(text, '{ "not": "a capture" }\n');
    const empty = join(dir, 'empty.pcap');
    writeFileSync(empty, '');
    const truncated = join(dir, 'truncated.pcap');
    const first = files.find((f) => f.endsWith('.pcap'))!;
    const fb = readFileSync(first);
    writeFileSync(truncated, fb.subarray(0, Math.max(40, fb.length - 10)));
    const cases: Array<[string[], number[], RegExp]> = [
      [['analyze', join(dir, 'missing.pcap')], [2], /no such file|not found|missing/i],
      [['analyze', empty], [2], /empty/i],
      [['analyze', text], [2], /not a pcap/i],
      [['analyze', dir], [2], /directory/i],
      [['analyze'], [2], /missing required argument 'FILE'/],
      [['analyze', '--bogus', first], [2], /unknown option/],
      [['nonsense'], [2], /unknown command/],
      [['analyze', truncated], [0, 1], /truncated/i],
    ];
    for (const [argv, codes, msg] of cases) {
      const r = spawnSync('node', [cli, ...argv], { encoding: 'utf8', timeout: 20_000 });
      expect(codes, `${argv.join(' ')} → ${r.status}: ${r.stderr}`).toContain(r.status);
      expect(r.stderr, argv.join(' ')).toMatch(msg);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  }, 60_000);
});
