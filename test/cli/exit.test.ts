/**
 * src/cli/io.ts exitWhenWritten: the bin leaves with process.exit once stdout and stderr are written out, not when
 * the event loop empties (V8's heap teardown after the report is out cost ~100 ms on big captures). Leaving early
 * must never cut the output: a report much larger than a pipe's buffer (64 KiB), read slowly, arrives whole, with
 * the exit status of its findings; and an error still prints its one line and exits 2.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error bench/gen-capture.mjs is plain JavaScript without types.
import { generate } from '../../bench/gen-capture.mjs';
import { parseReport } from '../_schema.js';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'ntpdoctor-exit-'));
const CAPTURE = join(dir, 'many.pcap');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the bin, reading its stdout one chunk at a time with a pause between chunks (a slow reader). */
function runSlowly(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; chunks: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out.push(d);
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), 20);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr, chunks: out.length }));
  });
}

describe('the bin exits once its output is written', () => {
  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: npm run build first');
    // 1500 clients: the report's 256 server rows and evidence come to far more than a pipe holds.
    generate(CAPTURE, { frames: 12_000, clients: 1500 });
  });

  it('a report larger than the pipe, read slowly, arrives whole (exit 1: findings)', async () => {
    const r = await runSlowly(['analyze', CAPTURE, '--json']);
    expect(r.stdout.length).toBeGreaterThan(4 * 65536);
    expect(r.chunks).toBeGreaterThan(1);
    const report = parseReport<{ servers: unknown[]; findings: unknown[] }>(r.stdout);
    expect(report.servers.length).toBe(256);
    expect(report.findings.length).toBeGreaterThan(0);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
  });

  it('the text report too: read slowly, the same as read at once', async () => {
    const r = await runSlowly(['analyze', CAPTURE]);
    const atOnce = spawnSync(process.execPath, [CLI, 'analyze', CAPTURE], { encoding: 'utf8' });
    expect(r.stdout.endsWith('\n')).toBe(true);
    expect(r.stdout).toBe(atOnce.stdout);
    expect(r.code).toBe(1);
  });

  it('an error: its one line on stderr, exit 2', async () => {
    const r = await runSlowly(['analyze', join(dir, 'absent.pcap')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('absent.pcap');
  });
});
