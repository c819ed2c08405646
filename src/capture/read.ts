/**
 * Streaming capture reader: pcap or pcapng from a path or stdin, in constant memory whatever the file size.
 *
 * The input is read in large chunks (ChunkBuffer: 4 MiB, read ahead while parsing); the format parser takes
 * every whole record out of a chunk with a DataView and calls the sink synchronously, once per record, with
 * ONE reused record object whose fields and `data` are valid only during that call (see ReusedRecord). The
 * partial record at the end of a chunk is carried over and completed by the next read. No Promise, Buffer
 * or iterator per record.
 *
 * Errors: the reader throws InputError (one line, for the user) only before it understood the first bytes:
 * missing file, directory, no permission, empty, not a capture. Once it has, it never throws for the data:
 * a file that ends mid-record returns `stop.kind = 'truncated'`, an impossible length `'malformed'`, and
 * every record before the stop has been delivered; a read error (EIO, a broken stream) after that point
 * also ends as 'truncated', its reason naming the error. (Errors thrown by the sink, or an abort, propagate.)
 */
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { InputError } from '../errors.js';
import { PcapParser, pcapMagic } from './pcap.js';
import { PCAPNG_SHB, PcapngParser } from './pcapng.js';
import { ChunkBuffer } from './chunks.js';
import { FileSource, StreamSource, type ByteSource } from './source.js';
import type { CaptureReadResult, CaptureSink } from './types.js';
import type { CaptureFormat } from '../model/report-input.js';

export interface ReadCaptureOptions {
  signal?: AbortSignal;
}

const SNIFF_BYTES = 4;

/**
 * Reads a capture file (`input` a path) or standard input (`input` '-') and hands every packet record to
 * `sink`, in file order, frames numbered from 1 across the whole file.
 *
 * `result.frames` counts frame numbers used, as tshark does: pcapng custom and systemd-journal blocks take a
 * number but are not handed to the sink. `result.bytes` counts the input bytes taken by whole records and
 * blocks: the file size when complete, the stop offset otherwise.
 */
export async function readCapture(input: string, sink: CaptureSink, options: ReadCaptureOptions = {}): Promise<CaptureReadResult> {
  if (input === '-') {
    if (process.stdin.isTTY) {
      throw new InputError('stdin: is a terminal; pipe a capture into it (tcpdump -w - ... | ntpdoctor analyze -)');
    }
    return readCaptureStream(process.stdin, sink, { ...options, name: 'stdin' });
  }
  return drive(await openFile(input), input, sink, options.signal);
}

/** Same as readCapture, from any Readable of bytes (a pipe, a socket, a test's stream). */
export async function readCaptureStream(
  stream: Readable,
  sink: CaptureSink,
  options: ReadCaptureOptions & { name?: string } = {},
): Promise<CaptureReadResult> {
  return drive(new StreamSource(stream), options.name ?? 'stream', sink, options.signal);
}

async function openFile(path: string): Promise<ByteSource> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new InputError(`${path}: ${describeFsError(error, 'cannot open')}`);
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw new InputError(`${path}: is a directory, not a capture file`);
  } catch (error) {
    await handle.close();
    throw error instanceof InputError ? error : new InputError(`${path}: ${describeFsError(error, 'cannot stat')}`);
  }
  return new FileSource(handle);
}

function describeFsError(error: unknown, what: string): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT': return 'no such file';
    case 'EACCES':
    case 'EPERM': return 'permission denied';
    case 'EISDIR': return 'is a directory, not a capture file';
    case 'ENOTDIR': return 'not found (a part of the path is not a directory)';
    case 'ELOOP': return 'too many symbolic links';
    default: return `${what} (${code ?? (error instanceof Error ? error.message : String(error))})`;
  }
}

type Parser = PcapParser | PcapngParser;

async function drive(source: ByteSource, name: string, sink: CaptureSink, signal: AbortSignal | undefined): Promise<CaptureReadResult> {
  const chunks = new ChunkBuffer(source);
  let parser: Parser | undefined;
  let format: CaptureFormat = 'pcap';
  let readError: string | undefined;
  try {
    for (;;) {
      signal?.throwIfAborted();
      let n: number;
      try {
        n = await chunks.fill(parser === undefined ? SNIFF_BYTES : parser.need);
      } catch (error) {
        const what = describeFsError(error, 'read error');
        if (parser === undefined) throw new InputError(`${name}: ${what}`);
        readError = what;
        break;
      }
      if (n === 0) break;
      if (parser === undefined) {
        if (chunks.end - chunks.start < SNIFF_BYTES) continue;
        const first = chunks.view.getUint32(chunks.start, false);
        format = sniff(first, chunks.bytes.subarray(chunks.start), name);
        parser = format === 'pcap' ? new PcapParser(first, sink) : new PcapngParser(sink);
      }
      chunks.start = parser.parse(chunks.bytes, chunks.view, chunks.start, chunks.end, chunks.base);
      if (parser.refused !== undefined) throw new InputError(`${name}: ${parser.refused}`);
      if (parser.stop !== undefined) break;
    }
  } finally {
    await chunks.close();
  }
  const left = chunks.end - chunks.start;
  if (parser === undefined) {
    if (left === 0) throw new InputError(`${name}: empty (0 bytes), not a capture`);
    throw new InputError(`${name}: only ${left} byte(s), too short for a pcap or pcapng file`);
  }
  const result: CaptureReadResult = {
    format,
    littleEndian: parser.littleEndian,
    interfaces: parser.interfaces,
    frames: parser.frame - 1,
    bytes: chunks.base + chunks.start,
  };
  if (parser instanceof PcapngParser && parser.interfaceCount > parser.interfaces.length) {
    result.interfaceCount = parser.interfaceCount;
    result.linkTypes = [...parser.linkTypes];
  }
  if (parser.timed) {
    result.firstTime = { sec: parser.firstSec, nsec: parser.firstNsec };
    result.lastTime = { sec: parser.lastSec, nsec: parser.lastNsec };
  }
  if (parser.stop !== undefined) result.stop = parser.stop;
  else if (readError !== undefined) {
    result.stop = { kind: 'truncated', offset: chunks.base + chunks.start, frame: parser.frame, reason: `input failed: ${readError}` };
  } else if (left > 0) result.stop = parser.truncatedAt(chunks.view, chunks.start, chunks.end, chunks.base);
  return result;
}

/** The format from the first four octets (read big-endian), or a one-line InputError naming what it is not. */
function sniff(first: number, bytes: Uint8Array, name: string): CaptureFormat {
  if (pcapMagic(first)) return 'pcap';
  if (first === PCAPNG_SHB) return 'pcapng';
  const hex = Array.from(bytes.subarray(0, SNIFF_BYTES), (b) => b.toString(16).padStart(2, '0')).join(' ');
  let hint = '';
  // Known look-alikes, with what to do about them.
  if (first === 0xa1b2cd34 || first === 0x34cdb2a1) hint = '; a "modified" (Kuznetzov) pcap: convert it with editcap -F pcap';
  else if (first >>> 16 === 0x1f8b) hint = '; gzip-compressed: gunzip it first';
  throw new InputError(`${name}: not a pcap or pcapng file (starts with ${hex}${hint})`);
}
