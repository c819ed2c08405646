/**
 * readCapture('-'): standard input as a pipe, as a file, and live from `tcpdump -w -` (the way
 * `tcpdump -w - | ntpdoctor analyze -` runs). The reader runs in a child process (bundled by esbuild) so
 * its stdin is real.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaptureReadResult } from '../../src/capture/types.js';
import { bundleReaderScript, CAPTURE_FIXTURES, hasTool, readAll, skipLine, type PlainRecord } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'ndcap-stdin-'));
let script = '';
beforeAll(async () => {
  script = await bundleReaderScript(tmp);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function finished(child: ChildProcess): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function parsed(outcome: Outcome): { records: PlainRecord[]; result: CaptureReadResult } {
  expect(outcome.stderr).toBe('');
  expect(outcome.code).toBe(0);
  return JSON.parse(outcome.stdout) as { records: PlainRecord[]; result: CaptureReadResult };
}

describe('stdin', () => {
  for (const name of ['lo-udp-ns.pcap', 'sections-le-be.pcapng']) {
    it(`${name} through a pipe equals reading the path`, async () => {
      const path = join(CAPTURE_FIXTURES, name);
      const child = spawn(process.execPath, [script, '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
      const done = finished(child);
      child.stdin?.end(readFileSync(path));
      const fromPipe = parsed(await done);
      const fromPath = await readAll(path);
      expect(fromPipe).toEqual(JSON.parse(JSON.stringify(fromPath)));
    });
  }

  it('stdin redirected from a file', async () => {
    const path = join(CAPTURE_FIXTURES, 'lo-udp.pcapng');
    const fd = openSync(path, 'r');
    try {
      const fromFile = parsed(await finished(spawn(process.execPath, [script, '-'], { stdio: [fd, 'pipe', 'pipe'] })));
      expect(fromFile.records).toEqual((await readAll(path)).records);
    } finally {
      closeSync(fd);
    }
  });

  it('a named pipe (FIFO) given as a path', async () => {
    const fifo = join(tmp, 'capture.fifo');
    execFileSync('mkfifo', [fifo]);
    const path = join(CAPTURE_FIXTURES, 'lo-any.pcapng');
    // The writer opens the FIFO once the reader has: cat blocks in open() until then.
    const writer = finished(spawn('sh', ['-c', 'cat "$1" > "$2"', 'sh', path, fifo], { stdio: ['ignore', 'pipe', 'pipe'] }));
    const fromFifo = await readAll(fifo);
    expect((await writer).code).toBe(0);
    expect(fromFifo).toEqual(await readAll(path));
  });

  it('a pipe that ends mid-record: records before, stop truncated', async () => {
    const bytes = readFileSync(join(CAPTURE_FIXTURES, 'lo-udp-us.pcap'));
    const child = spawn(process.execPath, [script, '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const done = finished(child);
    child.stdin?.end(bytes.subarray(0, bytes.length - 10));
    const { records, result } = parsed(await done);
    expect(records).toHaveLength(5);
    expect(result.stop).toMatchObject({ kind: 'truncated', frame: 6 });
  });

  it('an empty pipe is an input error: one line, exit 2', async () => {
    const child = spawn(process.execPath, [script, '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const done = finished(child);
    child.stdin?.end();
    expect(await done).toEqual({ code: 2, stdout: '', stderr: 'stdin: empty (0 bytes), not a capture\n' });
  });
});

const canCapture = process.getuid?.() === 0 && (await hasTool('tcpdump'));
if (!canCapture) skipLine('live tcpdump -w - | readCapture(-)', 'needs root and tcpdump');

describe.skipIf(!canCapture)('live: tcpdump -w - piped into the reader', () => {
  it('reads every datagram sent over loopback while tcpdump writes', async () => {
    const port = 12346;
    // -U: write each packet as it comes (the pipe case); -c 6: exit after the six datagrams of send-udp.mjs.
    const tcpdump = spawn('tcpdump', ['-i', 'lo', '-U', '-c', '6', '-w', '-', 'udp', 'port', String(port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const listening = new Promise<void>((resolve, reject) => {
        let text = '';
        const timer = setTimeout(() => reject(new Error(`tcpdump did not start: ${text}`)), 15_000);
        tcpdump.stderr?.on('data', (d: Buffer) => {
          text += d.toString();
          if (text.includes('listening on')) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      const reader = spawn(process.execPath, [script, '-'], { stdio: [tcpdump.stdout!, 'pipe', 'pipe'] });
      const done = finished(reader);
      await listening;
      const sender = await finished(spawn(process.execPath, [join(CAPTURE_FIXTURES, 'send-udp.mjs'), String(port)], { stdio: ['ignore', 'pipe', 'pipe'] }));
      expect(sender.code).toBe(0);
      const { records, result } = parsed(await done);
      expect(result).toMatchObject({ format: 'pcap', frames: 6, interfaces: [{ linkType: 1 }] });
      expect(result.stop).toBeUndefined();
      // Each is Ethernet + IPv4 (dst port at 36) or IPv6 (dst port at 56), sent to our port, in order.
      const sizes = records.map((r) => {
        const frame = Buffer.from(r.hex, 'hex');
        const v6 = frame.readUInt16BE(12) === 0x86dd;
        expect(frame.readUInt16BE(v6 ? 56 : 36)).toBe(port);
        return frame.readUInt16BE(v6 ? 58 : 38) - 8;
      });
      expect(sizes).toEqual([48, 48, 200, 1200, 0, 68]);
    } finally {
      if (tcpdump.exitCode === null) tcpdump.kill('SIGINT');
    }
  });
});
