/**
 * decodeFrame on real captures (fixtures/decode/, made by make-fixtures.sh). Expected values come from
 * `tshark -o udp.check_checksum:TRUE -T fields ...` and `tcpdump -vvv` on the same files (quoted below).
 */
import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../../src/decode/frame.js';
import type { DecodedFrame } from '../../src/decode/types.js';
import type { NtpMessage } from '../../src/ntp/types.js';
import { fractionToNanoseconds } from '../../src/ntp/timestamp.js';
import { fixturePath, readPcap } from './pcap.js';

function transmitText(msg: NtpMessage | undefined): string {
  if (msg?.kind !== 'time') throw new Error('not a time packet');
  return `${msg.transmitTime.seconds}.${String(fractionToNanoseconds(msg.transmitTime.fraction)).padStart(9, '0')}`;
}

function udpSummary(f: DecodedFrame) {
  return [f.ip?.src, f.ip?.dst, f.udp?.srcPort, f.udp?.dstPort, f.udp?.checksum, f.udp?.checksumStatus];
}

describe('veth-ntp-reject.pcap: Ethernet, real checksums, chronyd on port 123, then nft reject', () => {
  const records = readPcap(fixturePath('veth-ntp-reject.pcap'));
  const frames = records.map((r) => decodeFrame(r));

  it('has the 8 frames tshark lists, none with issues', () => {
    expect(frames).toHaveLength(8);
    for (const f of frames) expect(f.issues).toEqual([]);
    expect(frames.map((f) => f.link)).toEqual(records.map(() => ({ linkType: 1 })));
  });

  it('verifies UDP checksums like tshark (all "Good")', () => {
    // tshark: 1|...|198.51.100.1|||38322|123|0x7d56|1  and  2|...|198.51.100.2|||123|38322|0x3d49|1
    expect(udpSummary(frames[0]!)).toEqual(['198.51.100.1', '198.51.100.2', 38322, 123, 0x7d56, 'ok']);
    expect(udpSummary(frames[1]!)).toEqual(['198.51.100.2', '198.51.100.1', 123, 38322, 0x3d49, 'ok']);
    // tshark: 3|...|2001:db8:0:1::1|2001:db8:0:1::2|48626|123|0x8c99|1
    expect(udpSummary(frames[2]!)).toEqual(['2001:db8:0:1::1', '2001:db8:0:1::2', 48626, 123, 0x8c99, 'ok']);
    expect(udpSummary(frames[3]!)).toEqual(['2001:db8:0:1::2', '2001:db8:0:1::1', 123, 48626, 0x241c, 'ok']);
    expect(frames[4]!.udp?.checksumStatus).toBe('ok');
    expect(frames[6]!.udp?.checksumStatus).toBe('ok');
  });

  it('turns one corrupted octet into a bad checksum, on IPv4 and IPv6', () => {
    for (const i of [0, 2]) {
      const r = records[i]!;
      const data = r.data.slice();
      data[data.length - 1]! ^= 0x01; // last octet of the NTP transmit timestamp
      const f = decodeFrame({ ...r, data });
      expect(f.udp?.checksumStatus).toBe('bad');
      expect(f.ntp?.message).toBeDefined();
    }
  });

  it('decodes the NTP exchange (tcpdump -v)', () => {
    const request = frames[0]!.ntp!;
    expect(request.truncated).toBe(false);
    expect(request.message).toMatchObject({ kind: 'time', leap: 3, version: 4, mode: 3, poll: 3, precision: -6 });
    // "Transmit Timestamp:   4004294543.055999994"
    expect(transmitText(request.message)).toBe('4004294543.055999994');
    const reply = frames[1]!.ntp!.message;
    // "Leap indicator:  (0), Stratum 10 (secondary reference), poll 3 (8s), precision -26 ... Reference-ID: 0x7f7f0101"
    expect(reply).toMatchObject({ kind: 'time', leap: 0, mode: 4, stratum: 10, precision: -26, refid: 0x7f7f0101 });
    expect(transmitText(reply)).toBe('4004294543.058104100');
    if (reply?.kind === 'time' && request.message?.kind === 'time') {
      expect(reply.originTime).toEqual(request.message.transmitTime);
    }
    expect(frames[1]!.ip).toEqual({ version: 4, src: '198.51.100.2', dst: '198.51.100.1', ttl: 64, protocol: 17, tos: 0 });
    expect(transmitText(frames[3]!.ntp?.message)).toBe('4004294543.172239475');
  });

  it('decodes ICMP 3/10 host-prohibited quoting the NTP request (frame 6 quotes frame 5)', () => {
    // "ICMP host 198.51.100.2 unreachable - admin prohibited, length 84"; tshark: icmp.type 3, code 10
    const f = frames[5]!;
    expect(f.ip).toMatchObject({ src: '198.51.100.2', dst: '198.51.100.1', protocol: 1, tos: 0xc0 });
    expect(f.udp).toBeUndefined();
    expect(f.icmp).toMatchObject({
      version: 4,
      type: 3,
      code: 10,
      isError: true,
      quoted: { ipVersion: 4, src: '198.51.100.1', dst: '198.51.100.2', protocol: 17, srcPort: 57862, dstPort: 123 },
    });
    const quoted = f.icmp!.quoted!.ntp!;
    expect(quoted.truncated).toBe(false);
    expect(transmitText(quoted.message)).toBe('4004294543.269000053');
    expect(quoted.message).toEqual(frames[4]!.ntp!.message);
  });

  it('decodes ICMPv6 1/1 admin-prohibited quoting the NTP request (frame 8 quotes frame 7)', () => {
    const f = frames[7]!;
    expect(f.ip).toMatchObject({ version: 6, src: '2001:db8:0:1::2', dst: '2001:db8:0:1::1', protocol: 58 });
    expect(f.icmp).toMatchObject({
      version: 6,
      type: 1,
      code: 1,
      isError: true,
      quoted: { ipVersion: 6, src: '2001:db8:0:1::1', dst: '2001:db8:0:1::2', srcPort: 44992, dstPort: 123 },
    });
    expect(f.icmp!.quoted!.ntp!.message).toEqual(frames[6]!.ntp!.message);
  });

  it('keeps nothing that aliases the record buffer', () => {
    const r = records[5]!;
    const data = r.data.slice();
    const f = decodeFrame({ ...r, data });
    const before = JSON.stringify(f, (_k, v: unknown) => (v instanceof Uint8Array ? Array.from(v) : v));
    data.fill(0xff);
    expect(JSON.stringify(f, (_k, v: unknown) => (v instanceof Uint8Array ? Array.from(v) : v))).toBe(before);
  });
});

describe('lo-ntp-icmp.pcap: loopback, checksum offload', () => {
  const records = readPcap(fixturePath('lo-ntp-icmp.pcap'));

  it('calls every loopback UDP checksum bad, as tshark does (partial sums: 0xfe4b / 0x004b)', () => {
    const frames = records.map((r) => decodeFrame(r, { ntpPorts: [11923] }));
    // tshark: 1|90|127.0.0.1|||37437|11923|0xfe4b|0   5|110||::1|::1|48150|11923|0x004b|0
    expect(udpSummary(frames[0]!)).toEqual(['127.0.0.1', '127.0.0.1', 37437, 11923, 0xfe4b, 'bad']);
    expect(udpSummary(frames[4]!)).toEqual(['::1', '::1', 48150, 11923, 0x004b, 'bad']);
    for (const f of frames.slice(0, 6)) {
      expect(f.udp?.checksumStatus).toBe('bad');
      expect(f.ntp?.message?.kind).toBe('time');
    }
  });

  it('decodes NTP on a non-standard port only when asked', () => {
    expect(decodeFrame(records[0]!).ntp).toBeUndefined();
    expect(decodeFrame(records[0]!, { ntpPorts: [11923] }).ntp?.message?.mode).toBe(3);
  });

  it('decodes the port-unreachable errors (ICMP 3/3, ICMPv6 1/4) and their quotes', () => {
    const v4 = decodeFrame(records[6]!, { ntpPorts: [40909] });
    expect(v4.icmp).toMatchObject({ type: 3, code: 3, isError: true, quoted: { srcPort: 53868, dstPort: 40909 } });
    expect(v4.icmp?.quoted?.ntp?.message).toMatchObject({ kind: 'time', mode: 3, leap: 3 });
    const v6 = decodeFrame(records[7]!);
    // tshark: 8|158||::1,::1|::1,::1|50598|40909|0x004b|0|||1|4
    expect(v6.icmp).toMatchObject({ version: 6, type: 1, code: 4, quoted: { ipVersion: 6, src: '::1', srcPort: 50598, dstPort: 40909 } });
    expect(v6.icmp?.quoted?.ntp).toBeUndefined(); // port 40909 is not NTP unless asked
  });
});

describe('any-ntp-icmp.pcap: LINKTYPE_LINUX_SLL2', () => {
  it('decodes the cooked header and the same layers as on lo', () => {
    const sll2 = readPcap(fixturePath('any-ntp-icmp.pcap'));
    const lo = readPcap(fixturePath('lo-ntp-icmp.pcap'));
    expect(sll2).toHaveLength(lo.length);
    for (let i = 0; i < sll2.length; i++) {
      const a = decodeFrame(sll2[i]!, { ntpPorts: [11923] });
      const b = decodeFrame(lo[i]!, { ntpPorts: [11923] });
      // tshark: sll.pkttype 0, sll.ifindex 1
      expect(a.link).toEqual({ linkType: 276, packetType: 0, ifIndex: 1 });
      expect(a.issues).toEqual(b.issues.map((x) => ({ ...x, offset: x.offset + 6 })));
      expect([a.ip, a.udp, a.icmp, a.ntp?.message]).toEqual([b.ip, b.udp, b.icmp, b.ntp?.message]);
    }
  });
});
