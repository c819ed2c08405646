import { describe, expect, it } from 'vitest';
import { compareAddress, summarizeServers } from '../../src/diagnose/servers.js';
import { path, sample } from '../rules/_build.js';

/** A path from client to server:port with `sent` requests. */
function p(client: string, server: string, port: number, sent: number) {
  const frames = Array.from({ length: sent }, (_, i) => i + 1);
  return path({ client: { ip: client, port: 40000 }, server: { ip: server, port }, requests: sample(frames) });
}

describe('summarizeServers order (keys made once per row)', () => {
  it('orders IPv4 numerically, then other text by code unit; port, most requests, client within a server', () => {
    const obs = [
      p('198.51.100.20', '2001:db8::1', 123, 5),
      p('198.51.100.20', '198.51.100.10', 123, 5),
      p('198.51.100.3', '198.51.100.9', 123, 5),
      p('198.51.100.10', '198.51.100.9', 123, 7),
      p('198.51.100.2', '198.51.100.9', 123, 5),
      p('198.51.100.2', '198.51.100.9', 1123, 9),
      p('198.51.100.2', '2001:db8::0', 123, 5),
      p('198.51.100.2', '010.0.0.1', 123, 5),
      p('198.51.100.2', '10.0.0.1', 123, 5),
    ];
    const rows = summarizeServers(obs).servers.map((r) => `${r.server}:${r.port} ${r.client} ${r.sent}`);
    expect(rows).toEqual([
      '010.0.0.1:123 198.51.100.2 5',
      '10.0.0.1:123 198.51.100.2 5',
      '198.51.100.9:123 198.51.100.10 7',
      '198.51.100.9:123 198.51.100.2 5',
      '198.51.100.9:123 198.51.100.3 5',
      '198.51.100.9:1123 198.51.100.2 9',
      '198.51.100.10:123 198.51.100.20 5',
      '2001:db8::0:123 198.51.100.2 5',
      '2001:db8::1:123 198.51.100.20 5',
    ]);
  });

  it('sorts as compareAddress does, row by row', () => {
    const addrs = ['2001:db8::1', '198.51.100.10', '198.51.100.9', '9.9.9.9', '010.0.0.1', '10.0.0.1', 'x', '255.255.255.255'];
    const rows = summarizeServers(addrs.map((a) => p('198.51.100.1', a, 123, 1))).servers.map((r) => r.server);
    expect(rows).toEqual([...addrs].sort(compareAddress));
  });

  it('keys addresses as the dotted-quad regular expression did, on odd and hostile text too', () => {
    // The key compareAddress used before it parsed by character codes.
    const regexKey = (s: string) => {
      const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
      return v4 ? 4 * 2 ** 40 + Number(v4[1]) * 2 ** 30 + Number(v4[2]) * 2 ** 20 + Number(v4[3]) * 2 ** 10 + Number(v4[4]) : 6 * 2 ** 40;
    };
    const reference = (a: string, b: string) => regexKey(a) - regexKey(b) || (a < b ? -1 : a > b ? 1 : 0);
    const odd = ['', '.', '1.2.3', '1.2.3.4.', '.1.2.3.4', '1..2.3', '1.2.3.4.5', '1234.1.1.1', '999.999.999.999', '0.0.0.0', '1.2.3.4 ', ' 1.2.3.4', '1.2.3.a', '١.٢.٣.٤', '1.2.3.4\n', '::1', '00.000.0.01'];
    const chars = '0123456789..:ax ';
    let seed = 7;
    const next = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) % chars.length;
    for (let i = 0; i < 2000; i++) odd.push(Array.from({ length: 1 + (i % 16) }, () => chars[next()]).join(''));
    for (const a of odd) for (const b of odd.slice(0, 40)) expect(Math.sign(compareAddress(a, b))).toBe(Math.sign(reference(a, b)));
  });
});
