/** The capture filter is data: exact expressions per option, and (where tcpdump is here) libpcap compiles them. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCaptureFilter, NTP_AND_ICMP_ERRORS } from '../../src/capture/live/filter.js';
import { PcapFileWriter } from '../../src/capture/live/pcap-writer.js';
import { InputError } from '../../src/errors.js';

const BASE = 'udp port 123 or tcp port 4460 or icmp[0] == 3 or icmp[0] == 11 or (icmp6 and ip6[40] < 5)';

const CASES: Array<[string, { host?: string }, string]> = [
  ['no options', {}, BASE],
  ['an IPv4 host', { host: '198.51.100.100' }, `(${BASE}) and host 198.51.100.100`],
  ['an IPv6 host', { host: '2001:db8::100' }, `(${BASE}) and host 2001:db8::100`],
];

const REJECTED = ['ntp.example.org', '198.51.100.100 or tcp', '', '198.51.100', '2001:db8::1/64', '-i', 'host'];

function tcpdumpHere(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v tcpdump'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const canCompile = tcpdumpHere();
if (!canCompile) process.stderr.write('SKIPPED: capture filter compiled by libpcap (tcpdump not installed)\n');

describe('capture filter', () => {
  it('is the NTP + NTS-KE + ICMP error expression of the design', () => {
    expect(NTP_AND_ICMP_ERRORS).toBe(BASE);
  });

  for (const [what, options, expected] of CASES) {
    it(`for ${what}`, () => {
      expect(buildCaptureFilter(options)).toBe(expected);
      // Pure: same input, same output, input untouched.
      const copy = { ...options };
      expect(buildCaptureFilter(options)).toBe(buildCaptureFilter(copy));
      expect(options).toEqual(copy);
    });
  }

  it('takes addresses only: a name would make libpcap resolve it, and text could change the expression', () => {
    for (const host of REJECTED) {
      expect(() => buildCaptureFilter({ host }), host).toThrow(InputError);
      expect(() => buildCaptureFilter({ host }), host).toThrow(/--filter-host: not an IPv4 or IPv6 address/);
    }
  });

  // `tcpdump -d -r FILE` compiles for the file's link type without capturing (no privilege needed): empty
  // files of Ethernet, Linux cooked v1 (cap on `any`) and v2 (tcpdump on `any`), made by our pcap writer.
  it.skipIf(!canCompile)('compiles with this libpcap for Ethernet, SLL and SLL2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ndliv-bpf-'));
    try {
      for (const linkType of [1, 113, 276]) {
        const file = join(dir, `${linkType}.pcap`);
        new PcapFileWriter(file, { linkType, snapLength: 65535 }).close();
        for (const [, options] of CASES) {
          const filter = buildCaptureFilter(options);
          const program = execFileSync('tcpdump', ['-d', '-r', file, filter], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
          // A real program: loads and compares, accepts with the snaplen and rejects with 0.
          expect(program, `${linkType}: ${filter}`).toMatch(/^\(000\) ld/);
          expect(program).toMatch(/jeq +#0x7b/); // port 123
          expect(program).toMatch(/ret +#65535$/m);
          expect(program).toMatch(/ret +#0$/m);
        }
        // The check can fail: libpcap refuses a broken expression (no name in it: a name would be resolved).
        expect(() => execFileSync('tcpdump', ['-d', '-r', file, `${buildCaptureFilter()} or`], { stdio: 'ignore' })).toThrow();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
