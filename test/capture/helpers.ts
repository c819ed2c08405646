/** Shared helpers for the capture reader tests: fixtures, copies of records, the oracles. */
import { execFile } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pcapParser from 'pcap-parser';
import { readCapture, readCaptureStream } from '../../src/capture/read.js';
import type { CaptureReadResult, CaptureRecord } from '../../src/capture/types.js';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const FIXTURES = join(REPO, 'fixtures');
export const CAPTURE_FIXTURES = join(FIXTURES, 'capture');

const run = promisify(execFile);

/** A record copied out of the reader's reused object, with its bytes as hex (readable diffs). */
export type PlainRecord = Pick<
  CaptureRecord,
  'frame' | 'tsSec' | 'tsNsec' | 'linkType' | 'interfaceId' | 'capturedLength' | 'originalLength'
> & { hex: string };

export function plain(record: CaptureRecord): PlainRecord {
  return {
    frame: record.frame,
    tsSec: record.tsSec,
    tsNsec: record.tsNsec,
    linkType: record.linkType,
    interfaceId: record.interfaceId,
    capturedLength: record.capturedLength,
    originalLength: record.originalLength,
    hex: Buffer.from(record.data).toString('hex'),
  };
}

export async function readAll(input: string): Promise<{ records: PlainRecord[]; result: CaptureReadResult }> {
  const records: PlainRecord[] = [];
  const result = await readCapture(input, (r) => records.push(plain(r)));
  return { records, result };
}

/** Reads bytes through the stream path, delivered in chunks of `chunkSize` (exercises the carry-over). */
export async function readBytes(
  bytes: Uint8Array,
  chunkSize = 65536,
): Promise<{ records: PlainRecord[]; result: CaptureReadResult }> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(Buffer.from(bytes.subarray(i, i + chunkSize)));
  const records: PlainRecord[] = [];
  const result = await readCaptureStream(Readable.from(chunks), (r) => records.push(plain(r)), { name: 'test' });
  return { records, result };
}

/** Every file under fixtures/ (all helpers' folders) whose name ends with `suffix`, sorted. */
export function fixtureFiles(suffix: string, dir = FIXTURES): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...fixtureFiles(suffix, path));
    else if (entry.isFile() && entry.name.endsWith(suffix)) found.push(path);
  }
  return found.sort();
}

export function fixtureName(path: string): string {
  return relative(FIXTURES, path);
}

/** What pcap-parser (the oracle for µs pcap) sees, in the same shape (link type from its global header). */
export function pcapParserRecords(path: string): Promise<PlainRecord[]> {
  return new Promise((resolve, reject) => {
    const records: PlainRecord[] = [];
    let linkType = -1;
    const parser = pcapParser.parse(path);
    parser.on('globalHeader', (header) => {
      linkType = header.linkLayerType;
    });
    parser.on('packet', (packet) => {
      records.push({
        frame: records.length + 1,
        tsSec: packet.header.timestampSeconds,
        tsNsec: packet.header.timestampMicroseconds * 1000,
        linkType,
        interfaceId: 0,
        capturedLength: packet.header.capturedLength,
        originalLength: packet.header.originalLength,
        hex: packet.data.toString('hex'),
      });
    });
    parser.on('error', reject);
    parser.on('end', () => resolve(records));
  });
}

export async function hasTool(tool: string): Promise<boolean> {
  try {
    await run(tool, ['--version'], { timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/** What tshark sees: frame number, interface id, time, lengths, bytes (no link type: tshark names encapsulations). */
export async function tsharkRecords(path: string): Promise<Omit<PlainRecord, 'linkType'>[]> {
  const { stdout } = await run('tshark', ['-n', '-r', path, '-T', 'json', '-x', '-j', 'frame'], {
    maxBuffer: 64 * 1024 * 1024,
    timeout: 60_000,
  });
  const packets = JSON.parse(stdout) as { _source: { layers: Record<string, unknown> } }[];
  return packets.map(({ _source: { layers } }) => {
    const frame = layers['frame'] as Record<string, string>;
    // No frame_raw at all for a frame with 0 bytes captured.
    const raw = (layers['frame_raw'] as [string, ...unknown[]] | undefined) ?? [''];
    // No frame.time_epoch for a record without a time (Simple Packet Block): the reader says 0.
    const [sec = '', fraction = ''] = (frame['frame.time_epoch'] ?? '0.0').split('.');
    return {
      frame: Number(frame['frame.number']),
      tsSec: Number(sec),
      tsNsec: Number(fraction.padEnd(9, '0')),
      interfaceId: Number(frame['frame.interface_id'] ?? 0),
      capturedLength: Number(frame['frame.cap_len']),
      originalLength: Number(frame['frame.len']),
      hex: raw[0],
    };
  });
}

export function skipLine(what: string, why: string): void {
  process.stderr.write(`SKIPPED: ${what} (${why})\n`);
}

/**
 * A stand-alone reader for child processes (stdin, other users): src/capture/read.ts bundled by esbuild
 * (what tsup uses) plus a script printing `{ records, result }` as JSON, or an InputError as one stderr
 * line and exit status 2, the way the CLI does.
 */
export async function bundleReaderScript(dir: string): Promise<string> {
  const { build } = await import('esbuild');
  await build({
    entryPoints: [join(REPO, 'src', 'capture', 'read.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: join(dir, 'read.mjs'),
    logLevel: 'warning',
  });
  const script = join(dir, 'read-capture.mjs');
  writeFileSync(
    script,
    `import { readCapture } from './read.mjs';
const records = [];
try {
  const result = await readCapture(process.argv[2] ?? '-', (r) => {
    records.push({ frame: r.frame, tsSec: r.tsSec, tsNsec: r.tsNsec, linkType: r.linkType, interfaceId: r.interfaceId,
      capturedLength: r.capturedLength, originalLength: r.originalLength, hex: Buffer.from(r.data).toString('hex') });
  });
  process.stdout.write(JSON.stringify({ records, result }));
} catch (error) {
  if (error?.name !== 'InputError') throw error;
  console.error(error.message);
  process.exitCode = 2;
}
`,
  );
  return script;
}
