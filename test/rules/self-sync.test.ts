import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { analyzeCaptures } from '../../src/run/capture-file.js';
import { describe, expect, it } from 'vitest';
import rule from '../../rules/self-sync.js';
import { refidFor } from '../../rules/_lib/refid.js';
import { refidFromText } from '../../src/ntp/refid.js';
import { control, diagnose, hitsOf, path, seen, SERVER } from './_build.js';
import { iface, LOOPBACK, localAddresses, ntpdConfig } from '../node/_build.js';
import { ruleTester } from './_tester.js';

describe('self-sync', () => {
  it('finds a server whose refid is its own address (the seed\'s `server 192.168.1.100` on node0 itself)', () => {
    const p = path({ strata: [seen(16, [2, 4])], leaps: [seen(3, [2, 4])], refids: [seen(SERVER, [2, 4])] });
    const hit = hitsOf(rule, [p])[0]!;
    expect(hit.subject).toBe(SERVER);
    expect(hit.title).toBe(`${SERVER} is configured to synchronize to itself (refid = its own address)`);
    expect(hit.evidence[0]).toEqual({ text: `2 replies from ${SERVER} (stratum 16) carried refid ${SERVER}: its own address`, frames: [2, 4], unit: 'frame' });
    expect(hit.fixes[0]!.commands[0]).toBe("sed -i -E 's/^((server|peer|pool)[[:space:]]+198\\.51\\.100\\.100)([[:space:]]|$)/# \\1\\3/' /etc/ntp.conf");
  });

  it('absorbs server-unsynchronized on the same server', () => {
    const p = path({ strata: [seen(16, [2])], leaps: [seen(3, [2])], refids: [seen(SERVER, [2])] });
    const findings = diagnose([p]);
    expect(findings[0]!.rule).toBe('self-sync');
    expect(findings[0]!.explains).toEqual(['server-unsynchronized']);
  });

  it('matches IPv6 refids by the MD5 of the address (RFC 5905 §7.3)', () => {
    const server = '2001:db8::100';
    const bytes = Buffer.from('20010db8000000000000000000000100', 'hex');
    const refid = createHash('md5').update(bytes).digest().readUInt32BE(0);
    expect(refidFor(server)).toBe(refid);
    const p = path({ server: { ip: server, port: 123 }, strata: [seen(3, [2])], refids: [seen(`hash 0x${refid.toString(16).padStart(8, '0')}`, [2])] });
    expect(hitsOf(rule, [p]).map((h) => h.subject)).toEqual([server]);
  });

  it('names the self-sync from mode 6 when the server lists itself among its peers, ahead of the stratum-0 INIT replies', () => {
    const unsync = path({ strata: [seen(0, [1, 2])], leaps: [seen(3, [1, 2])], refids: [seen('INIT', [1, 2])], kissCodes: [seen('INIT', [1, 2])] });
    const mode6 = control({ source: 'probe', selfSource: SERVER, systemStratum: 16, systemLeap: 3 });
    const hit = hitsOf(rule, [unsync, mode6])[0]!;
    expect(hit.subject).toBe(SERVER);
    expect(hit.title).toBe(`${SERVER} is configured to synchronize to itself (its peer list names ${SERVER})`);
    expect(hit.evidence[0]!.text).toContain('stratum 16, leap 11');
    expect(diagnose([unsync, mode6])[0]!.rule).toBe('self-sync');
    // A control answer without a self peer is not evidence of anything here.
    expect(hitsOf(rule, [unsync, control({ source: 'probe' })])).toEqual([]);
  });

  it('finds requests whose source and destination are the same host (captured on lo or its own address), with frames', () => {
    const p = path({ client: { ip: '198.51.100.7', port: 123 }, server: { ip: '198.51.100.7', port: 123 }, strata: [seen(16, [2, 4])], refids: [seen('INIT', [2, 4])] });
    const [hit, ...rest] = hitsOf(rule, [p]);
    expect(rest).toEqual([]);
    expect(hit!.subject).toBe('198.51.100.7');
    expect(hit!.title).toBe('198.51.100.7 sends NTP requests to itself (source and destination 198.51.100.7)');
    expect(hit!.evidence[0]!.text).toContain('4 requests from 198.51.100.7 to 198.51.100.7 port 123');
    expect(hit!.evidence[0]!.frames).toEqual([1, 3, 5, 7]);
  });

  it('finds a timing loop: replies whose refid names the client that asked (RFC 5905 §8, chrony testD), IPv4 and IPv6', () => {
    const v4 = path({ strata: [seen(3, [2, 4])], refids: [seen('198.51.100.130', [2, 4])] });
    const [hit] = hitsOf(rule, [v4]);
    expect(hit!.subject).toBe('198.51.100.130');
    expect(hit!.title).toBe('198.51.100.100 takes its time from 198.51.100.130, the client that polls it (refid = 198.51.100.130): a timing loop');
    expect(hit!.evidence[0]!.frames).toEqual([2, 4]);
    expect(hit!.fixes[0]!.commands).toEqual(['grep -snwF 198.51.100.130 /etc/ntp.conf /etc/ntpsec/ntp.conf /etc/chrony.conf /etc/chrony/chrony.conf']);
    const client = '2001:db8::130';
    const refid = refidFor(client)!;
    const v6 = path({ client: { ip: client, port: 40000 }, server: { ip: '2001:db8::100', port: 123 }, strata: [seen(4, [2])], refids: [seen(`hash 0x${refid.toString(16).padStart(8, '0')}`, [2])] });
    expect(hitsOf(rule, [v6]).map((h) => h.subject)).toEqual([client]);
    // The client's refid at stratum 1 is a clock name, not an address: no loop.
    expect(hitsOf(rule, [path({ strata: [seen(1, [2])], refids: [seen('GPS', [2])] })])).toEqual([]);
  });

  it('on a real capture of chronyd polling its own address (captured on lo): names the host, with the request frames', async () => {
    const report = await analyzeCaptures([fileURLToPath(new URL('./captures/self-sync-lo.pcap', import.meta.url))]);
    const f = report.findings[0]!;
    expect(f.rule).toBe('self-sync');
    expect(f.title).toBe('198.51.100.7 sends NTP requests to itself (source and destination 198.51.100.7)');
    expect(f.evidence[0]!.text).toMatch(/^20 requests from 198\.51\.100\.7 to 198\.51\.100\.7 port 123: the same host is client and server/);
  });
});

ruleTester.run('self-sync', rule, {
  valid: [
    { name: 'an upstream refid', observations: () => [path()] },
    { name: 'the local clock refid', observations: () => [path({ strata: [seen(6, [2])], refids: [seen('127.127.1.1', [2])] })] },
    { name: 'a stratum-1 name', observations: () => [path({ strata: [seen(1, [2])], refids: [seen('LOCL', [2])] })] },
    { name: "the seed client's config (its upstream is node0, another host)", observations: () => [localAddresses([iface('192.168.1.130'), LOOPBACK]), ntpdConfig('seed000-client.ntp.conf')] },
    { name: "node0's final config (no server line names itself)", observations: () => [localAddresses([iface(), LOOPBACK]), ntpdConfig('seed000-node0-final.ntp.conf')] },
    { name: "seed 002's server config", observations: () => [localAddresses([iface(), LOOPBACK]), ntpdConfig('seed002-server.ntp.conf')] },
  ],
  invalid: [
    {
      name: 'refid is the server\'s own address',
      observations: () => [path({ strata: [seen(16, [2])], refids: [seen(SERVER, [2])] })],
      findings: [
        {
          subject: SERVER,
          severity: 'error',
          title: `${SERVER} is configured to synchronize to itself`,
          evidence: [`carried refid ${SERVER}: its own address`, 'it polls itself and can never synchronize'],
        },
      ],
    },
  ],
});

describe('refidFor on IPv4 text', () => {
  it('reads what refidFromText reads, by character codes (every client of a capture is asked about)', () => {
    const seeds = ['198.51.100.1', '0.0.0.0', '255.255.255.255', '256.1.1.1', '1.2.3', '1.2.3.4.5', '01.2.3.004', '1..2.3', ' 1.2.3.4', '1.2.3.4 ', 'GPS', '.GPS.', '0x1a2b3c4d', 'hash 0x1a2b3c4d', '1.2.3.4a', '', '١.2.3.4', '1.2.3.1000'];
    const texts = new Set(seeds);
    for (const s of seeds) for (let i = 0; i < s.length; i++) for (const c of ['', '.', '0', '9', ' ', 'x']) texts.add(s.slice(0, i) + c + s.slice(i + 1));
    for (const t of texts) if (!t.includes(':')) expect(refidFor(t), JSON.stringify(t)).toBe(refidFromText(t));
  });
});
