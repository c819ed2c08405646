/**
 * NTS-KE on the wire across threads: shard 0 of several tracks TCP 4460 (it sees every frame), and the merged
 * shards give the same `nts-ke-session` observations and the same report as one thread — in process (shards
 * merged through src/parallel/merge.ts and the one `assemble`) and through the built CLI's worker threads.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mergeShards } from '../../src/parallel/merge.js';
import { observeShard } from '../../src/parallel/shard.js';
import { observeCapture } from '../../src/run/capture-file.js';
import { assemble } from '../../src/run/records.js';
import { parseReport } from '../_schema.js';

const FILES = ['fixtures/wire/nts-healthy.pcap', 'fixtures/wire/nts-ke-rejected.pcap', 'fixtures/wire/nts-untrusted.pcap', 'fixtures/wire/nts-ke-dropped.pcap', 'fixtures/wire/nts-ke-icmp.pcap', 'fixtures/wire/nts-ke-alpn.pcap', 'fixtures/wire/nts-ke-tls12.pcap'];

describe('NTS-KE observations across shards', () => {
  it('merged shards (2 and 3) give one thread\'s observations, nts-ke-session included', async () => {
    for (const file of FILES) {
      const single = await observeCapture(file, { threads: 1 });
      expect(single.observations.filter((o) => o.kind === 'nts-ke-session'), file).toHaveLength(1);
      for (const count of [2, 3]) {
        const shards = [];
        for (let index = 0; index < count; index++) shards.push(await observeShard(file, { index, count }, []));
        const { read, ...parts } = mergeShards(shards, new Set());
        const merged = assemble(file, read, new Set(), parts);
        expect(JSON.stringify(merged.observations), `${file} at ${count} shards`).toBe(JSON.stringify(single.observations));
      }
    }
  });

  const cli = 'dist/cli.js';
  it.skipIf(!existsSync('dist/shard-worker.js'))('analyze --json --threads 2 prints what --threads 1 prints (real worker threads)', () => {
    for (const file of FILES) {
      const run = (threads: string) => spawnSync('node', [cli, 'analyze', file, '--json', '--threads', threads], { encoding: 'utf8' });
      const one = run('1');
      const two = run('2');
      expect(two.status, two.stderr).toBe(one.status);
      expect(two.stdout === one.stdout, `${file}: reports differ`).toBe(true);
      expect(parseReport<{ findings: Array<{ rule: string }> }>(one.stdout, file).findings.map((f) => f.rule), file).toEqual(file.includes('healthy') ? [] : ['nts-ke-failure']);
    }
  }, 60_000);
});
