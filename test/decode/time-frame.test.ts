/**
 * decodeTimeFrame is analysis's shortcut past decodeFrame. Its promise, checked against decodeFrame itself: a
 * frame it accepts decodes without any issue to an NTP time message of mode 3 or 4, and every field it filled in
 * equals the decoded one (timeFrameOf). Inputs: every frame of the real fixtures, every prefix (snaplen cuts),
 * single-octet mutations of the headers and the NTP octets (lengths, ports, protocol, version, mode, stratum,
 * checksum), and the same frames at an offset inside a larger buffer, as the capture reader offers them.
 */
import { describe, expect, it } from 'vitest';
import { readCapture } from '../../src/capture/read.js';
import type { CaptureRecord } from '../../src/capture/types.js';
import { decodeFrame } from '../../src/decode/frame.js';
import { locate, Located } from '../../src/decode/locate.js';
import { decodeTimeFrame, TimeFrame, timeFrameAt, timeFrameOf } from '../../src/decode/time-frame.js';
import { checkShortcut, firstOfEach, fixtureCaptures, fixtureFrames, forEachVariant, type Shortcut } from './fixture-frames.js';

async function frames(): Promise<CaptureRecord[]> {
  return fixtureFrames(fixtureCaptures(), firstOfEach(24));
}

const fast = new TimeFrame();
const slow = new TimeFrame();

const shortcut: Shortcut<TimeFrame> = { what: 'a mode 3/4 message', make: () => new TimeFrame(), decode: decodeTimeFrame, of: timeFrameOf };
/** The same decode after the one header locator (what analysis uses for frames decodeTimeFrame declines). */
const h = new Located();
const locatedDecode = (b: Uint8Array, s: number, e: number, linkType: number, out: TimeFrame) => locate(b, s, e, linkType, h) && timeFrameAt(b, e, h, out);
const locatedShortcut: Shortcut<TimeFrame> = { ...shortcut, decode: locatedDecode };

/**
 * Checks the promise on `data` as the frame's bytes, for both ways in; true when the fast path accepted it. The
 * straight decode (decodeTimeFrame) takes no frame the located one does not, with the same fields.
 */
function check(r: CaptureRecord, data: Uint8Array, label: () => string): boolean {
  const located = checkShortcut(locatedShortcut, r, data, label, fast, slow);
  const straight = checkOne(r, data, label);
  if (straight) expect(located, label()).toBe(true);
  return straight;
}

function checkOne(r: CaptureRecord, data: Uint8Array, label: () => string): boolean {
  if (!checkShortcut(shortcut, r, data, label, fast, slow)) return false;
  // The address texts are getters (formatted from the words on IPv4): compared apart from the fields.
  expect([fast.src, fast.dst], label()).toEqual([slow.src, slow.dst]);
  return true;
}

const MUTATIONS = [0x00, 0x01, 0x03, 0x04, 0x11, 0x1b, 0x23, 0x24, 0x38, 0x45, 0x60, 0x7b, 0x86, 0xff];

describe('decodeTimeFrame', () => {
  it('accepts only what decodeFrame decodes cleanly to mode 3/4, with the same fields (fixtures, prefixes, mutations)', async () => {
    const records = await frames();
    expect(records.length).toBeGreaterThan(300);
    let accepted = 0;
    let cases = 0;
    const links = new Set<number>();
    for (const r of records) {
      if (check(r, r.data, () => `frame ${r.frame} (link ${r.linkType})`)) links.add(r.linkType);
      forEachVariant(r, 110, MUTATIONS, false, (data, label) => {
        cases++;
        if (check(r, data, label)) accepted++;
      });
    }
    // Not vacuous: the fast path takes many of the cases (mutated NTP fields, bad checksums) on several links.
    expect(accepted).toBeGreaterThan(cases / 10);
    expect(links.size).toBeGreaterThanOrEqual(2); // Ethernet and Linux SLL2 (tcpdump -i any)
  });

  it('gives the address texts decodeFrame gives, IPv4 and IPv6 (src and dst are formatted only when asked)', async () => {
    const families = new Set<number>();
    for (const r of await frames()) {
      const t = new TimeFrame();
      if (!decodeTimeFrame(r.data, 0, r.data.length, r.linkType, t)) continue;
      const f = decodeFrame(r);
      families.add(t.ipVersion);
      expect([t.src, t.dst]).toEqual([f.ip?.src, f.ip?.dst]);
      expect(t.ipVersion === 4 ? [t.srcText, t.dstText] : [t.srcWord, t.dstWord]).toEqual(t.ipVersion === 4 ? ['', ''] : [0, 0]);
    }
    expect([...families].sort()).toEqual([4, 6]);
  });

  it('tells a bad checksum and the offload partial sum as decodeUdp does (fixtures/checksum-offload.pcap)', async () => {
    const statuses = new Set<string>();
    let partial = 0;
    await readCapture('fixtures/checksum-offload.pcap', (r) => {
      const t = new TimeFrame();
      if (!decodeTimeFrame(r.data, 0, r.data.length, r.linkType, t)) return;
      statuses.add(t.checksumStatus);
      const f = decodeFrame(r);
      expect(t.checksumStatus).toBe(f.udp?.checksumStatus);
      expect(t.checksumPartial).toBe(f.udp?.checksumPartial === true);
      if (t.checksumPartial) partial++;
    });
    expect(statuses.has('bad')).toBe(true);
    expect(partial).toBeGreaterThan(0);
  });
});
