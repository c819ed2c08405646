/**
 * The readers against independent readers, on every capture under fixtures/ (every helper's folder; new
 * files are picked up automatically):
 *  - classic µs pcap: pcap-parser (timestamps, lengths, bytes, link type);
 *  - classic ns pcap: pcap-parser cannot, so editcap converts the file to µs and both must agree on that,
 *    and our ns reading cut to µs must equal our reading of editcap's conversion;
 *  - everything (pcap and pcapng): tshark (frame numbers, interface ids, times to the ns, lengths, bytes).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { fixtureFiles, fixtureName, hasTool, pcapParserRecords, readAll, skipLine, tsharkRecords } from './helpers.js';

const run = promisify(execFile);
const captures = [...fixtureFiles('.pcap'), ...fixtureFiles('.pcapng')];
const tmp = mkdtempSync(join(tmpdir(), 'ndcap-oracle-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const [haveTshark, haveEditcap] = await Promise.all([hasTool('tshark'), hasTool('editcap')]);

function firstWord(path: string): number {
  const head = readFileSync(path).subarray(0, 4);
  return head.length === 4 ? head.readUInt32BE(0) : 0;
}
const US_MAGICS = [0xa1b2c3d4, 0xd4c3b2a1];
const NS_MAGICS = [0xa1b23c4d, 0x4d3cb2a1];

describe('fixtures', () => {
  it('includes this folder\'s captures (the glob works)', () => {
    const names = captures.map(fixtureName);
    expect(names).toContain('capture/lo-udp-us.pcap');
    expect(names).toContain('capture/lo-udp-ns-be.pcap');
    expect(names).toContain('capture/sections-le-be.pcapng');
  });
});

describe('classic pcap vs pcap-parser', () => {
  for (const path of captures.filter((p) => US_MAGICS.includes(firstWord(p)))) {
    it(fixtureName(path), async () => {
      const [ours, oracle] = await Promise.all([readAll(path), pcapParserRecords(path)]);
      expect(ours.records.length).toBeGreaterThan(0);
      // pcap-parser hands back the whole link-type field; only its low 16 bits are the link type.
      expect(ours.records).toEqual(oracle.map((r) => ({ ...r, linkType: r.linkType & 0xffff })));
    });
  }

  for (const path of captures.filter((p) => NS_MAGICS.includes(firstWord(p)))) {
    it.skipIf(!haveEditcap)(`${fixtureName(path)} (ns, through editcap -F pcap)`, async () => {
      const converted = join(tmp, `${fixtureName(path).replaceAll('/', '_')}.us.pcap`);
      await run('editcap', ['-F', 'pcap', path, converted], { timeout: 30_000 });
      const [ours, oursUs, oracle] = await Promise.all([readAll(path), readAll(converted), pcapParserRecords(converted)]);
      expect(ours.records.length).toBeGreaterThan(0);
      expect(oursUs.records).toEqual(oracle.map((r) => ({ ...r, linkType: r.linkType & 0xffff })));
      // editcap truncates ns to µs (checked on lo-udp.pcapng vs lo-udp-ng-to-us.pcap with tshark).
      expect(ours.records.map((r) => ({ ...r, tsNsec: Math.floor(r.tsNsec / 1000) * 1000 }))).toEqual(oursUs.records);
      expect(ours.records.some((r) => r.tsNsec % 1000 !== 0)).toBe(true);
    });
  }
  if (!haveEditcap) skipLine('ns pcap oracle comparisons', 'editcap not installed');
});

describe.skipIf(!haveTshark)('every capture vs tshark', () => {
  for (const path of captures) {
    it(fixtureName(path), async () => {
      const [ours, oracle] = await Promise.all([readAll(path), tsharkRecords(path)]);
      expect(ours.records.length).toBeGreaterThan(0);
      expect(ours.records.map(({ linkType: _, ...rest }) => rest)).toEqual(oracle);
    });
  }
});
if (!haveTshark) skipLine('tshark oracle comparisons', 'tshark not installed');
