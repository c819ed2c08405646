/**
 * decodeFrame reads a capture reader's record in place (record.buffer at record.dataOffset, no view per frame).
 * That path must decode exactly what the plain `record.data` path decodes — layers, NTP fields and issue offsets
 * (frame-relative) alike — on every frame of the real fixtures, and on every prefix of real frames placed at an
 * odd offset inside a larger buffer whose other octets are garbage (nothing past the frame may be read).
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readCapture } from '../../src/capture/read.js';
import type { CaptureRecord } from '../../src/capture/types.js';
import { decodeFrame } from '../../src/decode/frame.js';
import { fixturePath, prefix, readPcap } from './pcap.js';

const captures = [
  ...readdirSync('fixtures').filter((f) => /\.pcap(ng)?$/.test(f)).map((f) => `fixtures/${f}`),
  ...readdirSync('fixtures/decode').filter((f) => f.endsWith('.pcap')).map((f) => `fixtures/decode/${f}`),
  ...readdirSync('fixtures/capture').filter((f) => /\.pcap(ng)?$/.test(f)).map((f) => `fixtures/capture/${f}`),
];

/** The same record as a plain object holding a copy of its bytes (what tests and live sources hand in). */
function plain(r: CaptureRecord): CaptureRecord {
  const { frame, tsSec, tsNsec, linkType, interfaceId, capturedLength, originalLength } = r;
  return { frame, tsSec, tsNsec, linkType, interfaceId, capturedLength, originalLength, data: r.data.slice() };
}

/** `r`'s bytes placed at `offset` in a buffer of 0xa5 octets, offered the way the capture reader offers them. */
function inPlace(r: CaptureRecord, offset: number): CaptureRecord {
  const buffer = new Uint8Array(offset + r.data.length + 64).fill(0xa5);
  buffer.set(r.data, offset);
  const { data: _data, ...fields } = r;
  return {
    ...fields,
    buffer,
    dataOffset: offset,
    get data() {
      return buffer.subarray(offset, offset + r.capturedLength);
    },
  };
}

describe('decodeFrame in place (record.buffer + dataOffset)', () => {
  it.each(captures)('%s: every frame decodes as from a copy of its bytes', async (file) => {
    let frames = 0;
    let inPlaceFrames = 0;
    await readCapture(file, (r) => {
      frames++;
      if (r.buffer !== undefined && r.dataOffset !== undefined && r.dataOffset > 0) inPlaceFrames++;
      expect(decodeFrame(r, { ntpPorts: [11923, 40909] })).toEqual(decodeFrame(plain(r), { ntpPorts: [11923, 40909] }));
    });
    expect(frames).toBeGreaterThan(0);
    // The reader does offer its buffer, so the in-place path is what ran.
    expect(inPlaceFrames).toBe(frames);
  });

  it('every prefix of real frames (UDP/NTP v4 and v6, ICMP and ICMPv6 quotes) at an odd offset', () => {
    const records = readPcap(fixturePath('veth-ntp-reject.pcap'));
    let withIssues = 0;
    for (const index of [0, 2, 5, 7]) {
      const full = records[index]!;
      for (let n = 0; n <= full.capturedLength; n++) {
        const cut = prefix(full, n);
        const expected = decodeFrame(cut);
        if (expected.issues.length > 0) withIssues++;
        expect(decodeFrame(inPlace(cut, 37)), `frame ${index + 1}, prefix ${n}`).toEqual(expected);
      }
    }
    // The matrix does exercise issue offsets (and the quoted NTP issues of the ICMP frames).
    expect(withIssues).toBeGreaterThan(100);
  });
});
