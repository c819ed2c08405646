/**
 * The --write pcap writer round-trips: real captures from fixtures/ (made by tcpdump and dumpcap in the lab, see
 * fixtures/README.md) are read, written again by PcapFileWriter, and read back by the project's reader, by
 * tshark and by tcpdump: same frames, same bytes, same nanosecond (or microsecond) timestamps.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PcapFileWriter, encodePcapFileHeader, encodePcapRecordHeader } from '../../src/capture/live/pcap-writer.js';
import { readCapture } from '../../src/capture/read.js';
import type { CaptureRecord } from '../../src/capture/types.js';

const FIXTURES = new URL('../../fixtures/', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'ndliv-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Plain {
  tsSec: number;
  tsNsec: number;
  linkType: number;
  capturedLength: number;
  originalLength: number;
  hex: string;
}

async function records(file: string): Promise<Plain[]> {
  const out: Plain[] = [];
  await readCapture(file, (r) =>
    out.push({ tsSec: r.tsSec, tsNsec: r.tsNsec, linkType: r.linkType, capturedLength: r.capturedLength, originalLength: r.originalLength, hex: Buffer.from(r.data).toString('hex') }),
  );
  return out;
}

/** Reads `from` and writes every record through PcapFileWriter (the reused-record contract: copied during the call). */
async function rewrite(from: string, to: string, nanosecond = true): Promise<PcapFileWriter> {
  let writer: PcapFileWriter | undefined;
  await readCapture(from, (r: CaptureRecord) => {
    writer ??= new PcapFileWriter(to, { linkType: r.linkType, snapLength: 65535, nanosecond });
    writer.write(r);
  });
  if (!writer) throw new Error(`${from}: no records`);
  writer.close();
  return writer;
}

function have(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const tshark = have('tshark');
const tcpdump = have('tcpdump');
if (!tshark) process.stderr.write('SKIPPED: pcap writer read back by tshark (tshark not installed)\n');
if (!tcpdump) process.stderr.write('SKIPPED: pcap writer read back by tcpdump (tcpdump not installed)\n');

describe('pcap writer', () => {
  it('writes the file header of pcap-savefile(5): magic, version 2.4, snaplen, link type', () => {
    const h = Buffer.from(encodePcapFileHeader({ linkType: 276, snapLength: 65535 }));
    const le = h.readUInt32LE(0) === 0xa1b23c4d;
    expect(le || h.readUInt32BE(0) === 0xa1b23c4d).toBe(true);
    const u16 = (o: number) => (le ? h.readUInt16LE(o) : h.readUInt16BE(o));
    const u32 = (o: number) => (le ? h.readUInt32LE(o) : h.readUInt32BE(o));
    expect([u16(4), u16(6), u32(8), u32(12), u32(16), u32(20)]).toEqual([2, 4, 0, 0, 65535, 276]);
    const us = Buffer.from(encodePcapFileHeader({ linkType: 1, snapLength: 262144, nanosecond: false }));
    expect([us.readUInt32LE(0), us.readUInt32BE(0)]).toContain(0xa1b2c3d4);
  });

  it('writes record headers with ns or truncated µs', () => {
    const rec = { frame: 1, tsSec: 1_790_000_000, tsNsec: 123_456_789, linkType: 1, interfaceId: 0, capturedLength: 60, originalLength: 60, data: new Uint8Array(60) };
    const ns = Buffer.from(encodePcapRecordHeader(rec, true));
    const us = Buffer.from(encodePcapRecordHeader(rec, false));
    const le = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
    const u32 = (b: Buffer, o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
    expect([u32(ns, 0), u32(ns, 4), u32(ns, 8), u32(ns, 12)]).toEqual([1_790_000_000, 123_456_789, 60, 60]);
    expect(u32(us, 4)).toBe(123_456);
  });

  for (const name of ['firewall-reject-hostprohib.pcap', 'healthy-chrony-any.pcap', 'firewall-reject-hostprohib.pcapng', 'ipv6-healthy.pcap']) {
    it(`round-trips ${name} through the project's reader`, async () => {
      const from = join(FIXTURES, name);
      const to = join(dir, `${name}.ns.pcap`);
      const writer = await rewrite(from, to);
      const before = await records(from);
      const after = await records(to);
      expect(before.length).toBeGreaterThan(5);
      expect(after).toEqual(before);
      expect(writer.packets).toBe(before.length);
      expect(readFileSync(to).length).toBe(writer.bytes);
    });
  }

  it('writes microseconds when asked, truncating the nanoseconds', async () => {
    const from = join(FIXTURES, 'healthy-chrony.pcapng');
    const to = join(dir, 'healthy-chrony.us.pcap');
    await rewrite(from, to, false);
    const before = await records(from);
    const after = await records(to);
    expect(after.map((r) => r.hex)).toEqual(before.map((r) => r.hex));
    expect(after.map((r) => [r.tsSec, r.tsNsec])).toEqual(before.map((r) => [r.tsSec, Math.floor(r.tsNsec / 1000) * 1000]));
  });

  it('leaves a valid empty file when no packet came (header only, the link type given)', async () => {
    const to = join(dir, 'empty.pcap');
    const w = new PcapFileWriter(to, { linkType: 113, snapLength: 65535 });
    w.close();
    w.close();
    expect(readFileSync(to).length).toBe(24);
    const result = await readCapture(to, () => {
      throw new Error('no record expected');
    });
    expect(result.frames).toBe(0);
    expect(result.interfaces[0]?.linkType).toBe(113);
    if (tcpdump) expect(execFileSync('tcpdump', ['-n', '-r', to], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })).toBe('');
  });

  it('says which file it cannot create, in one line', () => {
    expect(() => new PcapFileWriter(join(dir, 'no', 'such', 'dir.pcap'), { linkType: 1, snapLength: 65535 })).toThrow(/--write .*dir\.pcap: cannot create \(ENOENT\)/);
  });

  it.skipIf(!tshark)('is opened by tshark with the same frames, lengths and nanosecond times', async () => {
    for (const name of ['firewall-reject-hostprohib.pcap', 'healthy-chrony-any.pcap']) {
      const from = join(FIXTURES, name);
      const to = join(dir, `${name}.tshark.pcap`);
      await rewrite(from, to);
      const fields = (file: string) =>
        execFileSync('tshark', ['-n', '-r', file, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'frame.len', '-e', 'frame.cap_len', '-e', '_ws.col.Info'], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        });
      const ours = fields(to);
      expect(ours.trim().split('\n').length).toBe((await records(from)).length);
      expect(ours).toBe(fields(from));
      const info = execFileSync('capinfos', ['-M', '-T', '-r', '-t', '-i', '-E', to], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
      // capinfos -T: name, file type ('nsecpcap': libpcap with nanosecond timestamps; a µs file says 'pcap'), encapsulation.
      expect(info.split('\t').slice(1, 3)).toEqual(['nsecpcap', name.includes('-any') ? 'linux-sll2' : 'ether']);
    }
  });

  it.skipIf(!tcpdump)('is opened by tcpdump, which prints the same packets', async () => {
    const from = join(FIXTURES, 'firewall-reject-hostprohib.pcap');
    const to = join(dir, 'tcpdump.pcap');
    await rewrite(from, to);
    const read = (file: string) =>
      execFileSync('tcpdump', ['-n', '-tt', '--time-stamp-precision', 'nano', '-r', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const ours = read(to);
    expect(ours).toMatch(/ICMP host 198\.51\.100\.100 unreachable - admin prohibited/);
    expect(ours).toBe(read(from));
  });
});
