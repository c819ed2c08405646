/**
 * decodeIcmpFrame is analysis's shortcut past decodeFrame for ICMP errors. Its promise, checked against
 * decodeFrame itself: a frame it accepts decodes without any issue to an ICMP error quoting UDP with both ports,
 * and every field it filled in equals the decoded one (icmpFrameOf). Inputs: every frame of the real fixtures
 * (firewall REJECTs with host- and admin-prohibited, a closed port), every prefix (snaplen cuts), single-octet
 * mutations of the outer and the quoted headers and of the quoted NTP octets, and the same frames at an offset
 * inside a larger buffer, as the capture reader offers them.
 */
import { describe, expect, it } from 'vitest';
import type { CaptureRecord } from '../../src/capture/types.js';
import { decodeFrame } from '../../src/decode/frame.js';
import { decodeIcmpFrame, IcmpFrame, icmpFrameOf } from '../../src/decode/icmp-frame.js';
import { checkShortcut, fixtureCaptures, fixtureFrames, forEachVariant, type Shortcut } from './fixture-frames.js';

/** The ICMP frames of the fixtures (and a few others, which the fast path must refuse). */
async function frames(): Promise<CaptureRecord[]> {
  const seen = new Map<string, { icmp: number; other: number }>();
  return fixtureFrames(fixtureCaptures(['decode']), (r, file) => {
    const n = seen.get(file) ?? { icmp: 0, other: 0 };
    seen.set(file, n);
    return decodeFrame(r).icmp !== undefined ? n.icmp++ < 12 : n.other++ < 3;
  });
}

const fast = new IcmpFrame();
const slow = new IcmpFrame();

const shortcut: Shortcut<IcmpFrame> = { what: 'an ICMP error quoting UDP', make: () => new IcmpFrame(), decode: decodeIcmpFrame, of: icmpFrameOf };

/** Checks the promise on `data` as the frame's bytes; true when the fast path accepted it. */
function check(r: CaptureRecord, data: Uint8Array, label: () => string): boolean {
  return checkShortcut(shortcut, r, data, label, fast, slow);
}

const MUTATIONS = [0x00, 0x01, 0x03, 0x04, 0x06, 0x0b, 0x11, 0x1b, 0x20, 0x23, 0x45, 0x46, 0x7b, 0xff];

describe('decodeIcmpFrame', () => {
  it('accepts only what decodeFrame decodes cleanly to an ICMP error quoting UDP, with the same fields', async () => {
    const records = await frames();
    let accepted = 0;
    let original = 0;
    let cases = 0;
    let quotedTime = 0;
    for (const r of records) {
      if (check(r, r.data, () => `frame ${r.frame} (link ${r.linkType})`)) {
        original++;
        if (fast.hasTime) quotedTime++;
      }
      forEachVariant(r, 140, MUTATIONS, false, (data, label) => {
        cases++;
        if (check(r, data, label)) accepted++;
      });
    }
    // Not vacuous: real ICMP errors of the fixtures are taken, with their quoted NTP header, and many variants.
    expect(original).toBeGreaterThanOrEqual(10);
    expect(quotedTime).toBeGreaterThanOrEqual(10);
    expect(accepted).toBeGreaterThan(cases / 20);
  });
});
