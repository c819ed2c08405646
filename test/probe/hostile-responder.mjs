// A hostile NTP server for trace tests (test-only; run inside a namespace the test made, or on loopback).
// Answers mode 3 like a stratum N server and mode 6 like ntpd, except where it is told to misbehave:
//  - srcadr: the system peer's address (association 1), a list rotated on each read: textual variants of one host.
//  - stall: how associations 2..16 (and, with stallSys, the system variables) answer READVAR, never finishing:
//      'flood' a new fragment (More set, next offset) every 2 ms; 'dup' the same first fragment again and again;
//      'slow' one new fragment every 300 ms. Each stalled answer ends after 10 s or 5000 fragments (bounded).
// Exits by itself after `lifetime` seconds. Usage: node hostile-responder.mjs '<JSON config>'
// config: { lifetime, servers: [{ address, port, stratum, refid, srcadr: [..], stall, stallSys }] }
import dgram from 'node:dgram';

const config = JSON.parse(process.argv[2] ?? '{}');
const NTP_UNIX = 2208988800;

function ntpNow() {
  const ms = Date.now();
  const seconds = Math.floor(ms / 1000) + NTP_UNIX;
  const fraction = Math.floor(((ms % 1000) / 1000) * 2 ** 32);
  return [seconds >>> 0, fraction >>> 0];
}

function refidBytes(text) {
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) return Buffer.from(v4.slice(1).map(Number));
  const b = Buffer.alloc(4);
  b.write(text.slice(0, 4), 'latin1');
  return b;
}

function timeReply(req, s) {
  const b = Buffer.alloc(48);
  b[0] = (0 << 6) | (4 << 3) | 4;
  b[1] = s.stratum;
  b[2] = req[2];
  b.writeInt8(-20, 3);
  b.writeUInt32BE(0x00000010, 8); // root dispersion: 16/65536 s
  refidBytes(s.refid).copy(b, 12);
  const [sec, frac] = ntpNow();
  b.writeUInt32BE(sec, 16);
  b.writeUInt32BE(frac, 20);
  req.copy(b, 24, 40, 48); // origin = the client's transmit
  b.writeUInt32BE(sec, 32);
  b.writeUInt32BE(frac, 36);
  const [s3, f3] = ntpNow();
  b.writeUInt32BE(s3, 40);
  b.writeUInt32BE(f3, 44);
  return b;
}

/** RFC 9327 §2 mode 6 response: VN 2, R set, M as told, data padded to 4 octets. */
function controlReply(req, { more, offset, data, status = 0 }) {
  const padded = Buffer.alloc(Math.ceil(data.length / 4) * 4);
  data.copy(padded);
  const b = Buffer.alloc(12 + padded.length);
  b[0] = (0 << 6) | (2 << 3) | 6;
  b[1] = 0x80 | (more ? 0x20 : 0) | (req[1] & 0x1f);
  req.copy(b, 2, 2, 4); // sequence
  b.writeUInt16BE(status, 4);
  req.copy(b, 6, 6, 8); // association id
  b.writeUInt16BE(offset, 8);
  b.writeUInt16BE(data.length, 10);
  padded.copy(b, 12);
  return b;
}

const timers = new Set();

function stallAnswer(sock, req, rinfo, kind) {
  let n = 0;
  const chunk = Buffer.from('x'.repeat(96));
  const every = kind === 'slow' ? 300 : 2;
  const t = setInterval(() => {
    if (n >= 5000) return stop();
    const offset = kind === 'dup' ? 0 : (n * chunk.length) % 0xff00;
    sock.send(controlReply(req, { more: true, offset, data: chunk }), rinfo.port, rinfo.address);
    n++;
  }, every);
  const stop = () => {
    clearInterval(t);
    timers.delete(stop);
  };
  timers.add(stop);
  setTimeout(stop, 10_000);
}

for (const s of config.servers ?? []) {
  const sock = dgram.createSocket({ type: s.address.includes(':') ? 'udp6' : 'udp4' });
  let reads = 0;
  sock.on('message', (req, rinfo) => {
    const mode = req[0] & 7;
    if (mode === 3 && req.length >= 48) return sock.send(timeReply(req, s), rinfo.port, rinfo.address);
    if (mode !== 6 || req.length < 12) return;
    const opcode = req[1] & 0x1f;
    const assoc = req.readUInt16BE(6);
    const say = (text) => sock.send(controlReply(req, { more: false, offset: 0, data: Buffer.from(text, 'latin1') }), rinfo.port, rinfo.address);
    if (opcode === 1) {
      const d = Buffer.alloc(16 * 4);
      for (let i = 0; i < 16; i++) d.writeUInt16BE(i + 1, i * 4), d.writeUInt16BE(0x9614, i * 4 + 2);
      return sock.send(controlReply(req, { more: false, offset: 0, data: d }), rinfo.port, rinfo.address);
    }
    if (opcode !== 2) return;
    if (assoc === 0) {
      if (s.stallSys) return stallAnswer(sock, req, rinfo, s.stall ?? 'flood');
      return say(`version="hostile 1", leap=0, stratum=${s.stratum}, refid=${s.refid}, peer=1\r\n`);
    }
    if (assoc === 1) {
      const list = s.srcadr ?? [];
      const srcadr = list[reads++ % Math.max(1, list.length)] ?? '0.0.0.0';
      return say(`srcadr=${srcadr}, srcport=123, dstadr=${s.address}, stratum=${Math.max(1, s.stratum - 1)}\r\n`);
    }
    if (s.stall) return stallAnswer(sock, req, rinfo, s.stall);
    return say(`srcadr=0.0.0.0, dstadr=${s.address}\r\n`);
  });
  sock.bind(s.port, s.address, () => process.stdout.write(`listening ${s.address}:${s.port}\n`));
}

const bye = () => {
  for (const stop of timers) stop();
  process.exit(0);
};
setTimeout(bye, (config.lifetime ?? 60) * 1000);
process.on('SIGTERM', bye);
