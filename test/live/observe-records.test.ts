/**
 * The one path from records to observations (src/run/records.ts observeRecords), used by files and live captures:
 * a file through it gives what observeCapture gives, and a source that knows when its window closed
 * (`endedAt`, a live capture's stop) has a lone unanswered request counted.
 */
import { describe, expect, it } from 'vitest';
import { observeCapture } from '../../src/run/capture-file.js';
import { observeRecords } from '../../src/run/records.js';
import { readCapture } from '../../src/capture/read.js';
import type { CaptureRecord } from '../../src/capture/types.js';

const FIXTURES = new URL('../../fixtures/', import.meta.url).pathname;

describe('observeRecords', () => {
  it('gives a file the same observations as observeCapture', async () => {
    const file = `${FIXTURES}firewall-reject-hostprohib.pcap`;
    const a = await observeCapture(file, { localIps: ['198.51.100.130'] });
    const b = await observeRecords(file, (sink) => readCapture(file, sink), { localIps: ['198.51.100.130'] });
    expect(b.observations).toEqual(a.observations);
    expect(b.exchanges.length).toBeGreaterThan(0);
  });

  it('counts a request the window closed on long after as unanswered (endedAt), not as cut off', async () => {
    // fixtures/firewall-drop.pcap: nftables `udp dport 123 drop` on node0; its first NTP request, alone.
    const file = `${FIXTURES}firewall-drop.pcap`;
    let first: { tsSec: number; tsNsec: number } | undefined;
    const onlyFirstRequest = (sink: (r: CaptureRecord) => void) => (r: CaptureRecord) => {
      if (first) return;
      const d = r.data;
      // Ethernet + IPv4 + UDP to port 123: dst port at 14 + 20 + 2.
      if (r.linkType !== 1 || d.length < 38 || d[12] !== 0x08 || d[13] !== 0x00 || ((d[36] as number) << 8 | (d[37] as number)) !== 123) return;
      first = { tsSec: r.tsSec, tsNsec: r.tsNsec };
      sink(r);
    };
    const cut = await observeRecords('drop', (sink) => readCapture(file, onlyFirstRequest(sink)));
    expect(first).toBeDefined();
    // Without a window end, the last frame is the request itself: within the end grace, not judged.
    expect(cut.exchanges).toEqual([]);
    first = undefined;
    const windowed = await observeRecords('drop', async (sink) => {
      const read = await readCapture(file, onlyFirstRequest(sink));
      return { ...read, endedAt: { sec: (first as { tsSec: number }).tsSec + 5, nsec: (first as { tsNsec: number }).tsNsec } };
    });
    expect(windowed.exchanges.map((x) => [x.outcome, x.server.ip])).toEqual([['none', '198.51.100.100']]);
  });
});
