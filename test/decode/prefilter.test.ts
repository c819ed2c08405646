/**
 * isIrrelevantFrame lets analysis skip decodeFrame. Its promise, checked against decodeFrame itself: a frame it
 * calls irrelevant decodes to no NTP, no ICMP and no 'malformed' issue. Inputs: every frame of the real fixtures,
 * every prefix of them (snaplen cuts), and single-octet mutations of their headers (ports, protocol, lengths,
 * version nibbles, EtherTypes...), which is where a shortcut and the full decoder could disagree.
 */
import { describe, expect, it } from 'vitest';
import { readCapture } from '../../src/capture/read.js';
import type { CaptureRecord } from '../../src/capture/types.js';
import { decodeFrame } from '../../src/decode/frame.js';
import { isIrrelevantFrame } from '../../src/decode/prefilter.js';
import { firstOfEach, fixtureCaptures, fixtureFrames, forEachVariant } from './fixture-frames.js';

/** The first frames of each file are enough variety; mutations multiply them. */
async function frames(): Promise<CaptureRecord[]> {
  return fixtureFrames(fixtureCaptures(), firstOfEach(30));
}

function withData(r: CaptureRecord, data: Uint8Array): CaptureRecord {
  return { ...r, capturedLength: data.length, data };
}

/** Checks the promise on `r` with `data` as its bytes (`label` names the case); true when called irrelevant. */
function check(r: CaptureRecord, data: Uint8Array, label: () => string): boolean {
  if (!isIrrelevantFrame(data, 0, data.length, r.linkType)) return false;
  const f = decodeFrame(withData(r, data));
  const what = label();
  expect(f.ntp, what).toBeUndefined();
  expect(f.icmp, what).toBeUndefined();
  expect(f.issues.filter((i) => i.kind === 'malformed'), what).toEqual([]);
  return true;
}

const MUTATIONS = [0x00, 0x01, 0x06, 0x11, 0x3a, 0x45, 0x60, 0x7b, 0x80, 0x81, 0xff];

describe('isIrrelevantFrame', () => {
  it('never skips a frame that decodes to NTP, ICMP or a malformed issue (fixtures, prefixes, mutations)', async () => {
    const records = await frames();
    expect(records.length).toBeGreaterThan(300);
    let skipped = 0;
    let cases = 0;
    for (const r of records) {
      forEachVariant(r, 70, MUTATIONS, true, (data, label) => {
        cases++;
        if (check(r, data, label)) skipped++;
      });
    }
    // Not vacuous: the mutations (other ports, TCP, other EtherTypes) do produce frames it skips.
    expect(skipped).toBeGreaterThan(cases / 20);
  });

  it('skips TCP and non-NTP UDP, decodes NTP and ICMP (first request and ICMP 3/10 of veth-ntp-reject.pcap)', async () => {
    const records: CaptureRecord[] = [];
    await readCapture('fixtures/decode/veth-ntp-reject.pcap', (r) => {
      records.push({ ...r, data: r.data.slice() });
    });
    const request = records[0]!;
    const icmp = records[5]!;
    const irrelevant = (data: Uint8Array) => isIrrelevantFrame(data, 0, data.length, request.linkType);
    expect(decodeFrame(request).ntp?.message?.kind).toBe('time');
    expect(irrelevant(request.data)).toBe(false);
    expect(decodeFrame(icmp).icmp?.isError).toBe(true);
    expect(irrelevant(icmp.data)).toBe(false);
    // Ethernet 14 + IPv4 20: UDP ports at 34 and 36 (38322 → 123 in the original).
    const dns = request.data.slice();
    dns.set([0x00, 0x35, 0x00, 0x35], 34);
    expect(irrelevant(dns)).toBe(true);
    const tcp = request.data.slice();
    tcp[14 + 9] = 6;
    expect(irrelevant(tcp)).toBe(true);
    // An 802.1Q tag (TPID 0x8100, TCI 0x0064) before the EtherType: still NTP inside, so decoded.
    const tagged = new Uint8Array(request.data.length + 4);
    tagged.set(request.data.subarray(0, 12), 0);
    tagged.set([0x81, 0x00, 0x00, 0x64], 12);
    tagged.set(request.data.subarray(12), 16);
    expect(decodeFrame({ ...request, capturedLength: tagged.length, data: tagged }).ntp?.message?.kind).toBe('time');
    expect(irrelevant(tagged)).toBe(false);
    // The same DNS datagram at an offset inside a larger buffer (how the capture reader offers it).
    const inBuffer = new Uint8Array(dns.length + 10);
    inBuffer.set(dns, 7);
    expect(isIrrelevantFrame(inBuffer, 7, 7 + dns.length, request.linkType)).toBe(true);
    expect(isIrrelevantFrame(inBuffer, 7, 7 + 40, request.linkType)).toBe(false); // UDP header cut off
  });
});
