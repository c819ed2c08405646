import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import rule from '../../rules/self-sync.js';
import { refidFor } from '../../rules/_lib/refid.js';
import { control, diagnose, hitsOf, path, SERVER, seen } from './_build.js';

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

  it('stays quiet for an upstream refid, the local clock refid, and stratum-1 names', () => {
    expect(hitsOf(rule, [path()])).toEqual([]);
    expect(hitsOf(rule, [path({ strata: [seen(6, [2])], refids: [seen('127.127.1.1', [2])] })])).toEqual([]);
    expect(hitsOf(rule, [path({ strata: [seen(1, [2])], refids: [seen('LOCL', [2])] })])).toEqual([]);
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
});
