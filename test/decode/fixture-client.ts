/**
 * The client half of fixtures/decode/make-fixtures.sh: NTP client requests built by our own encodeNtp, sent with node:dgram.
 * Loopback or the script's own namespace only.
 *   node client.mjs ntp HOST PORT      one request; prints "reply N octets", the error code, or "timeout"
 * A connected socket hears the ICMP error as ECONNREFUSED / EHOSTUNREACH (see the table in docs/architecture.md).
 */
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { encodeNtp } from '../../src/ntp/codec.js';
import { unixToNtp } from '../../src/ntp/timestamp.js';

function request(): Uint8Array {
  const zero = { seconds: 0, fraction: 0 };
  return encodeNtp({
    kind: 'time',
    leap: 3, // like the seed's ntpdate: "clock unsynchronized (192)"
    version: 4,
    mode: 3,
    stratum: 0,
    poll: 3,
    precision: -6,
    rootDelay: 1,
    rootDispersion: 1,
    refid: 0,
    referenceTime: zero,
    originTime: zero,
    receiveTime: zero,
    transmitTime: unixToNtp(Date.now() / 1000),
    extensions: [],
  });
}

function exchange(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    const done = (text: string) => {
      clearTimeout(timer);
      socket.close();
      resolve(`${host}:${port}: ${text}`);
    };
    const timer = setTimeout(() => done('timeout'), 3000);
    socket.on('message', (msg) => done(`reply ${msg.length} octets`));
    socket.on('error', (err) => done((err as NodeJS.ErrnoException).code ?? err.message));
    socket.connect(port, host, () => socket.send(request()));
  });
}

const [command, host, port] = process.argv.slice(2);
if (command !== 'ntp' || host === undefined || port === undefined) {
  console.error('usage: client.mjs ntp HOST PORT');
  process.exit(2);
}
console.log(await exchange(host, Number(port)));
