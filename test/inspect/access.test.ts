/** Access-list semantics (ntp_acc(5), chrony.conf(5) allow/deny) and the address arithmetic under them. */
import { describe, expect, it } from 'vitest';
import { bestRestrict, chronyDecision, namedClientNetworks, restrictForServer } from '../../src/inspect/config/access.js';
import { parseConfigText } from '../../src/inspect/config/load.js';
import type { ChronyConfig, NtpdConfig } from '../../src/model/config.js';
import { canonicalAddress, formatPrefix, isLoopback, maskLength, parsePrefix } from '../../src/net/ip.js';

const net = (s: string) => parsePrefix(s)!;

describe('ip', () => {
  it('canonicalizes, masks and tests loopback', () => {
    expect(canonicalAddress('2001:DB8:0:0:0:0:0:100')).toBe('2001:db8::100');
    expect(canonicalAddress('::ffff:192.0.2.1')).toBe('::ffff:c000:201');
    expect(maskLength('255.255.255.0')).toBe(24);
    expect(maskLength('255.0.255.0')).toBeUndefined();
    expect(formatPrefix(net('198.51.100.77/24'))).toBe('198.51.100.0/24');
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('198.51.100.1')).toBe(false);
  });
});

describe('ntpd restrict: the most specific entry decides', () => {
  it("gives the LAN its own line over `restrict default`, and the seed's notrust line its clients", async () => {
    const cfg = (await parseConfigText('/e/ntp.conf', 'restrict default kod nomodify notrap nopeer noquery\nrestrict -6 default ignore\nrestrict 192.168.1.0 mask 255.255.255.0 nomodify notrap notrust\nrestrict 127.0.0.1\n', 'ntpd')) as NtpdConfig;
    expect(bestRestrict(cfg, net('192.168.1.0/24'))?.line).toBe(3);
    expect(bestRestrict(cfg, net('192.168.1.128/25'))?.flags).toContain('notrust');
    expect(bestRestrict(cfg, net('10.0.0.0/8'))?.line).toBe(1);
    expect(bestRestrict(cfg, net('2001:db8::/32'))?.line).toBe(2);
    expect(bestRestrict(cfg, net('127.0.0.1/32'))?.line).toBe(4);
    expect(namedClientNetworks(cfg).map((n) => n.network)).toEqual(['192.168.1.0/24']);
  });

  it('applies `restrict source` to configured servers unless a host line names them', async () => {
    const cfg = (await parseConfigText('/e/ntp.conf', 'restrict default ignore\nrestrict source nomodify noquery\nrestrict 10.0.0.2 nomodify\n', 'ntpd')) as NtpdConfig;
    expect(restrictForServer(cfg, '10.0.0.1')?.line).toBe(2);
    expect(restrictForServer(cfg, '10.0.0.2')?.line).toBe(3);
  });

  it('without any restrict line nothing is restricted', async () => {
    const cfg = (await parseConfigText('/e/ntp.conf', 'server 10.0.0.1\n', 'ntpd')) as NtpdConfig;
    expect(bestRestrict(cfg, net('192.168.1.0/24'))).toBeUndefined();
  });
});

describe('chrony allow/deny', () => {
  const chrony = async (text: string) => (await parseConfigText('/e/chrony.conf', text, 'chrony')) as ChronyConfig;

  it("follows chrony.conf(5)'s example: allow 1.2.3.4, deny 1.2.3.0/24, allow 1.2.0.0/16", async () => {
    const c = await chrony('allow 1.2.3.4\ndeny 1.2.3.0/24\nallow 1.2.0.0/16\n');
    expect(chronyDecision(c, net('1.2.3.4/32')).allowed).toBe(true);
    expect(chronyDecision(c, net('1.2.3.0/24')).allowed).toBe(false);
    expect(chronyDecision(c, net('1.2.9.0/24')).allowed).toBe(true);
    expect(chronyDecision(c, net('9.9.9.0/24'))).toEqual({ allowed: false });
  });

  it('`allow all 1.2.0.0/16` wipes the earlier entries inside it; `deny all` after an allow denies everything', async () => {
    const c = await chrony('allow 1.2.3.4\ndeny 1.2.3.0/24\nallow all 1.2.0.0/16\n');
    expect(chronyDecision(c, net('1.2.3.0/24')).allowed).toBe(true);
    const d = await chrony('allow 192.168.1.0/24\nlocal stratum 10\ndeny all\n');
    expect(chronyDecision(d, net('192.168.1.0/24'))).toMatchObject({ allowed: false, by: { line: 3, text: 'deny all' } });
  });

  it('reads the short subnet form by dots, and a bare allow as every address', async () => {
    const c = await chrony('allow 192.168.1\n');
    expect(chronyDecision(c, net('192.168.1.0/24')).allowed).toBe(true);
    expect(chronyDecision(c, net('192.168.2.0/24')).allowed).toBe(false);
    const all = await chrony('allow\n');
    expect(chronyDecision(all, net('2001:db8::/32')).allowed).toBe(true);
  });
});
