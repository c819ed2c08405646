/** The real frames the decoder shortcut tests (prefilter, time-frame, icmp-frame) check against decodeFrame. */
import { readdirSync } from 'node:fs';
import { readCapture } from '../../src/capture/read.js';
import type { CaptureRecord } from '../../src/capture/types.js';

/** Every capture of fixtures/ and of the given subfolders of it. */
export function fixtureCaptures(subfolders: readonly string[] = ['decode', 'capture']): string[] {
  const list = (dir: string) => readdirSync(dir).filter((f) => /\.pcap(ng)?$/.test(f)).map((f) => `${dir}/${f}`);
  return [...list('fixtures'), ...subfolders.flatMap((d) => list(`fixtures/${d}`))];
}

/**
 * Copies of the records of `files` that `keep` wants (it sees each record in order; true keeps it): enough
 * variety without every frame of every file.
 */
export async function fixtureFrames(files: readonly string[], keep: (r: CaptureRecord, file: string) => boolean): Promise<CaptureRecord[]> {
  const out: CaptureRecord[] = [];
  for (const file of files) {
    await readCapture(file, (r) => {
      if (!keep(r, file)) return;
      const { frame, tsSec, tsNsec, linkType, interfaceId, capturedLength, originalLength } = r;
      out.push({ frame, tsSec, tsNsec, linkType, interfaceId, capturedLength, originalLength, data: r.data.slice() });
    });
  }
  return out;
}

/** `data` at offset 5 of a larger buffer with junk around it: how the capture reader offers a frame (zero-copy). */
export function inLargerBuffer(data: Uint8Array): Uint8Array {
  const buffer = new Uint8Array(data.length + 13).fill(0xa5);
  buffer.set(data, 5);
  return buffer;
}
