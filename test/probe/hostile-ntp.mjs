// A small hostile NTP responder for the lab tests (test/probe/lab-hostile.test.ts): answers client requests the
// way a broken or malicious server would, one behaviour per run. Test-only; run inside a lab namespace under
// setpriv without CAP_SYS_TIME. It never reads or sets anything but its own sockets.
//
//   node hostile-ntp.mjs ADDRESS PORT CASE      (PORT 0: any free port; the first line printed names it)
//
// CASE: good         a plain valid reply (stratum 2)
//       junk         the valid reply with 8 octets of junk after it (aligned: only the RFC 7822 layout check sees it)
//       bogus-first  a reply with a wrong origin timestamp, then 50 ms later the valid reply
//       unsync       leap 3, stratum 16 and the clock 5000 s ahead (serve --fault unsync --fault offset:5000)
//       flood        50 copies of the valid reply to every request
//       other-port   the valid reply, but sent from another port of the same address
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';

const [address, portText, mode] = process.argv.slice(2);
const port = Number(portText);
const NTP_UNIX = 2208988800;
const type = isIPv6(address) ? 'udp6' : 'udp4';

function ntpNow(offsetSeconds = 0) {
  const unix = (performance.timeOrigin + performance.now()) / 1000 + offsetSeconds;
  const seconds = Math.floor(unix);
  return { seconds: (seconds + NTP_UNIX) >>> 0, fraction: Math.floor((unix - seconds) * 4294967296) >>> 0 };
}

function put(b, at, ts) {
  b.writeUInt32BE(ts.seconds >>> 0, at);
  b.writeUInt32BE(ts.fraction >>> 0, at + 4);
}

function reply(req, { leap = 0, stratum = 2, offset = 0 } = {}) {
  const received = ntpNow(offset);
  const b = Buffer.alloc(48);
  const version = (req[0] >> 3) & 7;
  b[0] = (leap << 6) | (version << 3) | 4;
  b[1] = stratum;
  b[2] = req[2];
  b[3] = -20 & 0xff;
  b.writeUInt32BE(66, 4); // root delay ≈ 1 ms (16.16)
  b.writeUInt32BE(66, 8); // root dispersion ≈ 1 ms
  b.writeUInt32BE(0xc63364fa, 12); // refid 198.51.100.250: an upstream
  put(b, 16, ntpNow(offset - 16));
  req.copy(b, 24, 40, 48); // origin = the client's transmit timestamp
  put(b, 32, received);
  put(b, 40, ntpNow(offset));
  return b;
}

const sock = dgram.createSocket(type);
const other = mode === 'other-port' ? dgram.createSocket(type) : undefined;

sock.on('message', (req, rinfo) => {
  if (req.length < 48 || (req[0] & 7) !== 3) return;
  const send = (b, via = sock) => via.send(b, rinfo.port, rinfo.address);
  switch (mode) {
    case 'junk':
      send(Buffer.concat([reply(req), Buffer.from('JUNKJUNK')]));
      break;
    case 'bogus-first': {
      const bogus = reply(req);
      bogus.writeUInt32BE((bogus.readUInt32BE(24) - 1) >>> 0, 24);
      send(bogus);
      setTimeout(() => send(reply(req)), 50);
      break;
    }
    case 'unsync':
      send(reply(req, { leap: 3, stratum: 16, offset: 5000 }));
      break;
    case 'flood': {
      const b = reply(req);
      for (let i = 0; i < 50; i++) send(b);
      break;
    }
    case 'other-port':
      send(reply(req), other);
      break;
    default:
      send(reply(req));
  }
});

const ready = () => process.stdout.write(`listening ${address} ${sock.address().port} ${mode}\n`);
if (other) other.bind(0, address, () => sock.bind(port, address, ready));
else sock.bind(port, address, ready);
process.on('SIGTERM', () => process.exit(0));
