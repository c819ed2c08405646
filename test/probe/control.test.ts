import { describe, expect, it } from 'vitest';
import { parseAssociations, parseVariables } from '../../src/probe/control.js';

describe('mode 6 data', () => {
  it('parses ntpd-style variable lists (quoted values keep their commas)', () => {
    // The shape ntpd's ctl_putdata writes: comma-separated, CRLF line breaks, strings quoted.
    const text = 'version="ntpd 4.2.8p15, x", processor="x86_64",\r\nleap=00, stratum=11, precision=-24,\r\nrefid=198.51.100.11, peer=12345, srcadr=198.51.100.11';
    const v = parseVariables(new TextEncoder().encode(text));
    expect(v).toMatchObject({ version: 'ntpd 4.2.8p15, x', stratum: '11', refid: '198.51.100.11', peer: '12345', srcadr: '198.51.100.11' });
  });
  it('reads READSTAT association ids', () => {
    expect(parseAssociations(new Uint8Array([0x30, 0x39, 0x96, 0x1a, 0x30, 0x3a, 0x90, 0x14]))).toEqual([12345, 12346]);
  });
});
