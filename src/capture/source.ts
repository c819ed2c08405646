/**
 * Byte sources for the capture reader: a file descriptor (regular file, FIFO, /dev/stdin) read in large
 * chunks, or a Node Readable (process.stdin, a pipe) whose chunks are copied in as they come.
 */
import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';

export interface ByteSource {
  /** Fills `into[offset, offset + length)` with up to `length` bytes; resolves 0 at the end of the input. */
  read(into: Uint8Array, offset: number, length: number): Promise<number>;
  /** Releases the input (closes the file, stops consuming the stream). Safe to call twice. */
  close(): Promise<void>;
}

export class FileSource implements ByteSource {
  private closed = false;
  constructor(private readonly handle: FileHandle) {}

  async read(into: Uint8Array, offset: number, length: number): Promise<number> {
    // position null: read on from the current position, which also works for FIFOs and character devices.
    const { bytesRead } = await this.handle.read(into, offset, length, null);
    return bytesRead;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }
}

export class StreamSource implements ByteSource {
  private readonly chunks: AsyncIterator<unknown>;
  private pending: Uint8Array | undefined;
  private done = false;

  constructor(stream: Readable) {
    this.chunks = stream[Symbol.asyncIterator]();
  }

  async read(into: Uint8Array, offset: number, length: number): Promise<number> {
    if (this.pending === undefined || this.pending.length === 0) {
      if (this.done) return 0;
      const next = await this.chunks.next();
      if (next.done) {
        this.done = true;
        return 0;
      }
      this.pending = toBytes(next.value);
    }
    const chunk = this.pending;
    const n = Math.min(length, chunk.length);
    into.set(n === chunk.length ? chunk : chunk.subarray(0, n), offset);
    this.pending = chunk.subarray(n);
    return n;
  }

  async close(): Promise<void> {
    if (this.done) return;
    this.done = true;
    // Ends the iteration, which destroys the stream: a writer on the other end of a pipe gets EPIPE/SIGPIPE.
    await this.chunks.return?.();
  }
}

function toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, 'latin1');
  throw new TypeError('capture stream yielded a chunk that is neither bytes nor a string');
}
