// Writes a large classic pcap (Ethernet/IPv4/UDP/NTP) for `npm run bench`: request/reply exchanges between
// `clients` clients and a few servers, with valid UDP checksums, a share of ICMP admin-prohibited answers and a
// share of unanswered requests, so every stage of the pipeline does real work. Frames come from ./frames.mjs, the
// builder the tests use too. Addresses: 198.51.100.0/24 and
// 203.0.113.0/24-style documentation ranges only inside the file (nothing is sent anywhere).
import { openSync, writeSync, closeSync } from 'node:fs';
import { ethernet, icmpError, ipv4, ntpHeader, pcapHeader, pcapRecord, udp, udpPacket } from './frames.mjs';

export function generate(path, { frames, clients }) {
  const fd = openSync(path, 'w');
  writeSync(fd, pcapHeader(1)); // LINKTYPE_ETHERNET
  const chunk = Buffer.alloc(8 << 20);
  let used = 0;
  const flush = () => {
    writeSync(fd, chunk, 0, used);
    used = 0;
  };
  const put = (time, frame) => {
    if (used + 2048 > chunk.length) flush();
    const r = pcapRecord(time, frame);
    chunk.set(r, used);
    used += r.length;
  };
  let t = 1_700_000_000;
  let written = 0;
  let n = 0;
  const servers = ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4'];
  while (written < frames) {
    const c = n % clients;
    const cip = `198.${18 + ((c >> 16) & 1)}.${(c >> 8) & 0xff}.${c & 0xff}`;
    const sip = servers[n % servers.length];
    const cport = 32768 + (n % 28000);
    t += 0.0005;
    const t1 = t;
    const kind = n % 50 === 7 ? 'icmp' : n % 50 === 19 ? 'none' : 'reply';
    const req = ntpHeader({ mode: 3, poll: 6, precision: -23, transmit: t1 - 0.2e-6 });
    put(t1, ethernet(udpPacket(cip, sip, cport, 123, req)));
    written++;
    if (kind === 'reply' && written < frames) {
      const t2 = t1 + 0.00011;
      const t3 = t2 + 0.00002;
      // refid 198.51.100.200: an upstream, not the server itself
      const rep = ntpHeader({ mode: 4, stratum: 2, poll: 6, precision: -23, rootDelayRaw: 0x100, rootDispersionRaw: 0x200, refid: 0xc63364c8, reference: t3 - 10, origin: t1 - 0.2e-6, receive: t2, transmit: t3 });
      put(t3 + 0.0001, ethernet(udpPacket(sip, cip, 123, cport, rep)));
      written++;
    } else if (kind === 'icmp' && written < frames) {
      // ICMP 3/10 (host administratively prohibited) quoting the request's IP + UDP header + NTP payload.
      const quoted = ipv4(cip, sip, 17, udp(cip, sip, cport, 123, req, { checksum: false }));
      put(t1 + 0.0001, ethernet(icmpError(sip, cip, quoted)));
      written++;
    }
    n++;
  }
  flush();
  closeSync(fd);
  return written;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [path, frames = '2000000', clients = '64'] = process.argv.slice(2);
  const n = generate(path, { frames: Number(frames), clients: Number(clients) });
  console.log(`${path}: ${n} frames`);
}
