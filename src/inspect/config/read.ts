/**
 * Bounded file access for the config loaders. A config path is hostile input: it may name a FIFO (an open()
 * for reading blocks until a writer comes), a device (/dev/zero never ends; opening /dev/watchdog arms it), a
 * directory, or a file far larger than any real config. So: stat() first and refuse anything but a regular
 * file before opening it; open with O_NONBLOCK | O_NOCTTY and fstat() the open descriptor, so a file swapped
 * for a FIFO between the two calls is still refused without blocking; read at most `maxBytes`.
 */
import { constants } from 'node:fs';
import { open, opendir, stat } from 'node:fs/promises';
import type { ConfigReader, FileRead, DirRead } from '../../model/config.js';

/** Every cap the loader applies; each one hit is reported, never silent. */
export interface ReadLimits {
  /** One file. A real ntp.conf/chrony.conf is a few KiB; 100 k directives (the directive cap) are 2.6-5.5 MB. */
  fileBytes: number;
  /** All files together (main file and includes). */
  totalBytes: number;
  /** Directives kept in all; the rest is not read. */
  directives: number;
  /** Files read in all (main file included): bounds include fan-out (20 files each including 20 ...). */
  files: number;
  /** Names one glob pattern or one confdir/sourcedir may yield. */
  globMatches: number;
  /** Entries looked at in one directory. */
  dirEntries: number;
}

export const DEFAULT_LIMITS: ReadLimits = {
  fileBytes: 8 * 1024 * 1024,
  totalBytes: 32 * 1024 * 1024,
  directives: 100_000,
  files: 256,
  globMatches: 256,
  dirEntries: 4096,
};

/** A refusal with a code (like a Node errno error) and a reason fit for one line of output. */
export class ConfigReadError extends Error {
  constructor(
    readonly code: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** The kind of a non-regular file, in words; undefined for a regular file. */
export function notRegular(st: { isFile(): boolean; isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string | undefined {
  if (st.isFile()) return undefined;
  if (st.isDirectory()) return 'is a directory';
  if (st.isFIFO()) return 'is a FIFO (named pipe): not read';
  if (st.isSocket()) return 'is a socket: not read';
  if (st.isCharacterDevice()) return 'is a character device: not read';
  if (st.isBlockDevice()) return 'is a block device: not read';
  return 'is not a regular file: not read';
}

function mib(n: number): string {
  return n >= 1024 * 1024 ? `${(n / (1024 * 1024)).toFixed(n % (1024 * 1024) ? 1 : 0)} MiB` : `${n} bytes`;
}

/** Reads one regular file of at most `maxBytes`. Throws ConfigReadError (or a Node errno error) otherwise. */
export async function readRegularFile(path: string, maxBytes: number): Promise<FileRead> {
  const before = await stat(path);
  const kind = notRegular(before);
  if (kind) throw new ConfigReadError(before.isDirectory() ? 'EISDIR' : 'ENOTREG', kind);
  if (before.size > maxBytes) throw new ConfigReadError('EFBIG', `is ${mib(before.size)}, more than the ${mib(maxBytes)} read per file: not read`);
  // O_NONBLOCK: a FIFO put in place after the stat() opens at once instead of waiting for a writer.
  const fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  try {
    const st = await fh.stat();
    const swapped = notRegular(st);
    if (swapped) throw new ConfigReadError('ENOTREG', `${swapped} (changed while being opened)`);
    // Read one byte past the cap: files whose size stat() does not tell (procfs) are caught too.
    const buf = Buffer.allocUnsafe(Math.min(maxBytes + 1, Math.max(st.size + 1, 64 * 1024)));
    let chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, maxBytes + 1 - total), null);
      if (bytesRead === 0) break;
      chunks.push(Buffer.from(buf.subarray(0, bytesRead)));
      total += bytesRead;
      if (total > maxBytes) {
        chunks = [];
        throw new ConfigReadError('EFBIG', `is more than the ${mib(maxBytes)} read per file: not read`);
      }
    }
    return { text: Buffer.concat(chunks, total).toString('utf8'), id: `${st.dev}:${st.ino}`, bytes: total };
  } finally {
    await fh.close();
  }
}

/** Entries of a directory, at most `maxEntries` looked at (opendir iterates: a huge directory is never listed whole). */
export async function readDirBounded(path: string, maxEntries: number): Promise<DirRead> {
  const dir = await opendir(path, { bufferSize: 256 });
  const names: string[] = [];
  let truncated = false;
  try {
    for (let e = await dir.read(); e !== null; e = await dir.read()) {
      if (names.length >= maxEntries) {
        truncated = true;
        break;
      }
      names.push(e.name);
    }
  } finally {
    await dir.close().catch(() => undefined);
  }
  return { names, truncated };
}

export const fsReader: ConfigReader = {
  readFile: readRegularFile,
  readdir: readDirBounded,
};

/** One line for an error from a reader: errno codes in words, ConfigReadError as written. */
export function reasonOf(err: unknown): string {
  if (err instanceof ConfigReadError) return err.reason;
  const e = err as NodeJS.ErrnoException | undefined;
  switch (e?.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'a path component is not a directory';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'ENAMETOOLONG':
      return 'file name too long';
    default:
      return e?.code ?? (e?.message || String(err));
  }
}
