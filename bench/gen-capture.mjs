// Writes a large classic pcap (Ethernet/IPv4/UDP/NTP) for `npm run bench`: request/reply exchanges between
// `clients` clients and a few servers, with valid UDP checksums, a share of ICMP admin-prohibited answers and a
// share of unanswered requests, so every stage of the pipeline does real work. Addresses: 198.51.100.0/24 and
// 203.0.113.0/24-style documentation ranges only inside the file (nothing is sent anywhere).
import { openSync, writeSync, closeSync } from 'node:fs';

const NTP_EPOCH = 2208988800;

export function generate(path, { frames, clients }) {
  const fd = openSync(path, 'w');
  const hdr = Buffer.alloc(24);
  hdr.writeUInt32LE(0xa1b2c3d4, 0);
  hdr.writeUInt16LE(2, 4);
  hdr.writeUInt16LE(4, 6);
  hdr.writeUInt32LE(262144, 16);
  hdr.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  writeSync(fd, hdr);
  const chunk = Buffer.alloc(8 << 20);
  let used = 0;
  const flush = () => {
    writeSync(fd, chunk, 0, used);
    used = 0;
  };
  let t = 1_700_000_000;
  let written = 0;
  let n = 0;
  const servers = ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4'];
  while (written < frames) {
    const c = n % clients;
    const cip = [198, 18 + ((c >> 16) & 1), (c >> 8) & 0xff, c & 0xff];
    const sIdx = n % servers.length;
    const sip = servers[sIdx].split('.').map(Number);
    const cport = 32768 + (n % 28000);
    t += 0.0005;
    const t1 = t;
    const kind = n % 50 === 7 ? 'icmp' : n % 50 === 19 ? 'none' : 'reply';
    const req = ntp(3, 0, 0, null, null, null, t1 - 0.2e-6);
    if (used + 2048 > chunk.length) flush();
    used = frame(chunk, used, t1, cip, sip, cport, 123, req);
    written++;
    if (kind === 'reply' && written < frames) {
      const t2 = t1 + 0.00011;
      const t3 = t2 + 0.00002;
      const rep = ntp(4, 2, 0, t1 - 0.2e-6, t2, t3, t3);
      used = frame(chunk, used, t3 + 0.0001, sip, cip, 123, cport, rep);
      written++;
    } else if (kind === 'icmp' && written < frames) {
      used = icmpFrame(chunk, used, t1 + 0.0001, sip, cip, cport, req);
      written++;
    }
    n++;
  }
  flush();
  closeSync(fd);
  return written;
}

function ntp(mode, stratum, leap, origin, receive, transmitRef, transmit) {
  const b = Buffer.alloc(48);
  b[0] = (leap << 6) | (4 << 3) | mode;
  b[1] = stratum;
  b[2] = 6;
  b[3] = 0xe9;
  if (mode === 4) {
    b.writeUInt32BE(0x00000100, 4);
    b.writeUInt32BE(0x00000200, 8);
    b.writeUInt32BE(0xc63364c8, 12); // refid 198.51.100.200: an upstream, not the server itself
    ts(b, 16, transmit - 10);
  }
  if (origin !== null) ts(b, 24, origin);
  if (receive !== null) ts(b, 32, receive);
  ts(b, 40, transmit);
  void transmitRef;
  return b;
}

function ts(b, off, unix) {
  const s = Math.floor(unix);
  b.writeUInt32BE(s + NTP_EPOCH, off);
  b.writeUInt32BE(Math.floor((unix - s) * 4294967296) >>> 0, off + 4);
}

function sum16(buf, start, end, acc) {
  for (let i = start; i + 1 < end; i += 2) acc += (buf[i] << 8) | buf[i + 1];
  if ((end - start) & 1) acc += buf[end - 1] << 8;
  return acc;
}

function fold(acc) {
  while (acc > 0xffff) acc = (acc & 0xffff) + (acc >>> 16);
  return ~acc & 0xffff;
}

function record(chunk, pos, time, len) {
  const s = Math.floor(time);
  chunk.writeUInt32LE(s, pos);
  chunk.writeUInt32LE(Math.floor((time - s) * 1e6), pos + 4);
  chunk.writeUInt32LE(len, pos + 8);
  chunk.writeUInt32LE(len, pos + 12);
  return pos + 16;
}

function ether(chunk, p) {
  chunk.fill(0x02, p, p + 12);
  chunk.writeUInt16BE(0x0800, p + 12);
  return p + 14;
}

function ipv4(chunk, p, src, dst, proto, payloadLen) {
  chunk[p] = 0x45;
  chunk[p + 1] = 0;
  chunk.writeUInt16BE(20 + payloadLen, p + 2);
  chunk.writeUInt32BE(0x40000000, p + 4);
  chunk[p + 8] = 64;
  chunk[p + 9] = proto;
  chunk.writeUInt16BE(0, p + 10);
  for (let i = 0; i < 4; i++) {
    chunk[p + 12 + i] = src[i];
    chunk[p + 16 + i] = dst[i];
  }
  chunk.writeUInt16BE(fold(sum16(chunk, p, p + 20, 0)), p + 10);
  return p + 20;
}

function frame(chunk, pos, time, src, dst, sport, dport, payload) {
  const len = 14 + 20 + 8 + payload.length;
  let p = record(chunk, pos, time, len);
  p = ether(chunk, p);
  const ipStart = p;
  p = ipv4(chunk, p, src, dst, 17, 8 + payload.length);
  const udp = p;
  chunk.writeUInt16BE(sport, p);
  chunk.writeUInt16BE(dport, p + 2);
  chunk.writeUInt16BE(8 + payload.length, p + 4);
  chunk.writeUInt16BE(0, p + 6);
  payload.copy(chunk, p + 8);
  let acc = sum16(chunk, ipStart + 12, ipStart + 20, 0) + 17 + 8 + payload.length;
  acc = sum16(chunk, udp, udp + 8 + payload.length, acc);
  const c = fold(acc);
  chunk.writeUInt16BE(c === 0 ? 0xffff : c, udp + 6);
  return udp + 8 + payload.length;
}

/** ICMP 3/10 (host administratively prohibited) quoting the request's IP + UDP header + NTP payload. */
function icmpFrame(chunk, pos, time, src, dst, cport, req) {
  const quotedLen = 20 + 8 + req.length;
  const len = 14 + 20 + 8 + quotedLen;
  let p = record(chunk, pos, time, len);
  p = ether(chunk, p);
  p = ipv4(chunk, p, src, dst, 1, 8 + quotedLen);
  const icmp = p;
  chunk[p] = 3;
  chunk[p + 1] = 10;
  chunk.writeUInt32BE(0, p + 2);
  chunk.writeUInt16BE(0, p + 6);
  let q = ipv4(chunk, p + 8, dst, src, 17, 8 + req.length);
  chunk.writeUInt16BE(cport, q);
  chunk.writeUInt16BE(123, q + 2);
  chunk.writeUInt16BE(8 + req.length, q + 4);
  chunk.writeUInt16BE(0, q + 6);
  req.copy(chunk, q + 8);
  const end = q + 8 + req.length;
  chunk.writeUInt16BE(fold(sum16(chunk, icmp, end, 0)), icmp + 2);
  return end;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [path, frames = '2000000', clients = '64'] = process.argv.slice(2);
  const n = generate(path, { frames: Number(frames), clients: Number(clients) });
  console.log(`${path}: ${n} frames`);
}
