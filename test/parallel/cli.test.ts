/**
 * `ntpdoctor analyze --threads N` through the built CLI (dist/cli.js and dist/shard-worker.js, real worker
 * threads): the report is byte for byte the single-thread one, on a generated capture with more paths than
 * MANY_PATHS and on real fixtures; a bad --threads is one line and exit 2.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: the bench's generator is plain JavaScript
import { generate } from '../../bench/gen-capture.mjs';
import { parseReport } from '../_schema.js';

const cli = new URL('../../dist/cli.js', import.meta.url).pathname;
const worker = new URL('../../dist/shard-worker.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'ntpdoctor-threads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function analyze(...args: string[]) {
  return spawnSync('node', [cli, 'analyze', ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
}

describe('analyze --threads', () => {
  it('is built (npm test runs tsup first)', () => {
    expect(existsSync(cli), 'dist/cli.js: run npx tsup').toBe(true);
    expect(existsSync(worker), 'dist/shard-worker.js: run npx tsup').toBe(true);
  });

  it('reports exactly what one thread reports, with real worker threads', () => {
    const many = join(dir, 'many.pcap');
    generate(many, { frames: 20_000, clients: 700 });
    const files = [many, 'fixtures/firewall-reject-hostprohib.pcap', 'fixtures/checksum-offload-veth.pcap', 'fixtures/ipv6-healthy.pcap', 'fixtures/healthy-chrony-any.pcap'];
    for (const file of files) {
      if (!existsSync(file)) throw new Error(`missing fixture ${file}`);
      const one = analyze(file, '--json', '--threads', '1');
      expect(one.status === 0 || one.status === 1, one.stderr).toBe(true);
      parseReport(one.stdout, `${file} --json`);
      for (const threads of ['2', '4']) {
        const n = analyze(file, '--json', '--threads', threads);
        expect(n.status, `${file} --threads ${threads}: ${n.stderr}`).toBe(one.status);
        expect(n.stdout === one.stdout, `${file} --threads ${threads}: reports differ`).toBe(true);
      }
    }
    // --local-ip reaches the workers: which end captured (and so how offsets are measured) depends on it, on
    // every path, and half the paths are a worker's.
    const local = [many, '--json', '--local-ip', '198.51.100.1'];
    const withLocal = analyze(...local, '--threads', '1').stdout;
    expect(withLocal).not.toBe(analyze(many, '--json', '--threads', '1').stdout);
    expect(analyze(...local, '--threads', '3').stdout).toBe(withLocal);
    // Several files in one run: each judged on its own, the same with threads.
    const both = [many, 'fixtures/firewall-reject-hostprohib.pcap'];
    expect(analyze(...both, '--json', '--threads', '3').stdout).toBe(analyze(...both, '--json', '--threads', '1').stdout);
  }, 90_000); // ~20 CLI runs with worker threads: on 2 shared cores this takes longer than the default 20 s

  it('rejects a bad thread count in one line, exit 2', () => {
    for (const bad of ['0', '1.5', '65', 'x']) {
      const r = analyze('fixtures/firewall-reject-hostprohib.pcap', '--threads', bad);
      expect(r.status, bad).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stdout).toBe('');
    }
  });

  it('a missing file is still one line with threads', () => {
    const r = analyze(join(dir, 'nope.pcap'), '--threads', '2');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no such file/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
