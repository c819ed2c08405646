import { describe, expect, it } from 'vitest';
import rule from '../../rules/source-port-blocked.js';
import type { RequestClass } from '../../src/model/observation.js';
import type { DaemonSource, DaemonStateObservation } from '../../src/model/daemon.js';
import type { NtpPathObservation } from '../../src/model/observation.js';
import { CLIENT, hitsOf, path, SERVER } from './_build.js';
import { ruleTester } from './_tester.js';

/** Port-123 requests at frames `p123` (replies to them: `answered123`) beside other-port requests answered by `replies`. */
function mixed(p123: number[], replies: number[], answered123: number[] = [], over: Partial<NtpPathObservation> = {}): NtpPathObservation {
  const unanswered = p123.slice(answered123.length);
  const c: RequestClass = {
    requests: { count: p123.length, frames: p123 },
    unanswered: { count: unanswered.length, frames: unanswered },
    replies: { count: answered123.length, frames: answered123 },
    firstTime: 100,
    lastTime: 124,
  };
  const all = [...answered123, ...replies];
  return path({
    requests: { count: p123.length + replies.length, frames: [...p123, ...replies.map((f) => f - 1)].sort((a, b) => a - b) },
    unanswered: { count: unanswered.length, frames: unanswered },
    replies: { count: all.length, frames: all },
    clientPorts: { count: 3, ports: [123, 50224, 40244] },
    requestClasses: { fromPort123: c },
    ...over,
  });
}

describe('source-port-blocked', () => {
  it('names the port-123 requests left unanswered and the other ports answered, client-side fixes first (capture at the client)', () => {
    const hit = hitsOf(rule, [mixed([9, 12, 15, 16], [18, 20])])[0]!;
    expect(hit.subject).toBe(SERVER);
    expect(hit.title).toBe(`${SERVER} answers ${CLIENT} only from random source ports: requests from source port 123 (ntpd's) are dropped`);
    expect(hit.evidence[0]).toMatchObject({ frames: [9, 12, 15, 16] });
    expect(hit.evidence[0]!.text).toBe(`4 client requests (mode 3) from ${CLIENT} source port 123 to ${SERVER}:123 over 24.000 s: 4 got no reply`);
    expect(hit.evidence[1]).toMatchObject({ frames: [18, 20] });
    expect(hit.evidence[1]!.text).toContain('2 replies (3 source ports (123, 50224, 40244)');
    expect(hit.fixes.map((f) => f.platform)).toEqual(['chrony', 'generic', 'nftables', 'iptables', 'iptables']);
    expect(hit.fixes[0]!.commands).toEqual([`echo 'server ${SERVER} iburst' >> /etc/chrony.conf`, 'systemctl disable --now ntpd', 'systemctl enable --now chronyd']);
    expect(hit.fixes[3]!.commands).toContain('iptables -D INPUT -p udp --sport 123 -j DROP');
    expect(hit.severity).toBeUndefined();
  });

  it('puts the server firewall first when the capture was taken at the server (the requests arrived)', () => {
    const hit = hitsOf(rule, [mixed([1, 2, 3], [5], [], { capturedAt: 'server' })])[0]!;
    expect(hit.fixes[0]!.platform).toBe('nftables');
    // The rule's table, chain and handle are in the listing, not in the capture: the delete is a step in words.
    expect(hit.fixes[0]!.commands).toEqual(['nft -a list ruleset']);
    expect(hit.fixes[0]!.manual).toEqual([expect.stringContaining('`# handle`'), expect.stringContaining('`nft delete rule` followed by that family, table name and chain name')]);
    expect(hit.fixes[0]!.verify).toBe('ntpq -pn');
    expect(hit.evidence.at(-1)!.text).toContain(`Captured at ${SERVER}: the port-123 requests arrived`);
  });

  it('uses ip6tables for an IPv6 server', () => {
    const hit = hitsOf(rule, [mixed([1, 2], [4], [], { server: { ip: '2001:db8::100', port: 123 }, client: { ip: '2001:db8::130', port: 123 } })])[0]!;
    expect(hit.fixes.flatMap((f) => f.commands)).toContain('ip6tables -D INPUT -p udp --sport 123 -j DROP');
  });

  it('is a warning for one lost port-123 request', () => {
    const hit = hitsOf(rule, [mixed([1], [3])])[0]!;
    expect(hit.severity).toBe('warning');
    expect(hit.confidence).toBe(0.5);
  });

  it('stays quiet when port 123 was answered even once, when nothing else was answered, or with no port-123 request', () => {
    expect(hitsOf(rule, [mixed([1, 2, 3], [6], [4])])).toEqual([]);
    expect(hitsOf(rule, [mixed([1, 2, 3], [])])).toEqual([]);
    expect(hitsOf(rule, [path()])).toEqual([]);
    // Mode 1 (symmetric) requests do not make other ports "answered": only mode 3 from other ports counts.
    const sym = mixed([1, 2], [5]);
    sym.requestClasses!.symmetric = { requests: { count: 1, frames: [4] }, unanswered: { count: 0, frames: [] }, replies: { count: 1, frames: [5] }, firstTime: 1, lastTime: 1 };
    expect(hitsOf(rule, [sym])).toEqual([]);
  });
});

describe('source-port-blocked from diagnose: ntpd reach 0 beside an answered probe', () => {
  function ntpdState(reach: number, uptime = 600, lastRx?: number): DaemonStateObservation {
    const source: DaemonSource = { address: SERVER, kind: 'server', state: ' ', selected: false, reach, refid: '.INIT.' };
    if (lastRx !== undefined) source.lastRx = lastRx;
    return { kind: 'daemon-state', source: 'daemon', daemon: 'ntpd', via: 'ntpq -pn', uptime, sources: [source] };
  }
  const probe = () => path({ source: 'probe', client: { ip: '127.0.0.1', port: 51000 }, replies: { count: 3, frames: [1, 2, 3] } });

  it('is a warning naming the source port as the likely difference', () => {
    const hit = hitsOf(rule, [ntpdState(0), probe()])[0]!;
    expect(hit).toMatchObject({ subject: SERVER, severity: 'warning', confidence: 0.6 });
    expect(hit.title).toContain(`ntpd here never heard from ${SERVER}, which answers ntpdoctor's probe from a random source port`);
    expect(hit.evidence[1]).toMatchObject({ frames: [1, 2, 3], unit: 'sample' });
    expect(hit.fixes[0]!.platform).toBe('chrony');
  });

  it('stays quiet when ntpd hears the source, just started, or the probe got nothing', () => {
    expect(hitsOf(rule, [ntpdState(0o377), probe()])).toEqual([]);
    expect(hitsOf(rule, [ntpdState(0, 30), probe()])).toEqual([]);
    expect(hitsOf(rule, [ntpdState(0, 600, 900), probe()])).toEqual([]);
    expect(hitsOf(rule, [ntpdState(0), path({ source: 'probe', replies: { count: 0, frames: [] } })])).toEqual([]);
  });
});

ruleTester.run('source-port-blocked', rule, {
  valid: [
    { name: 'a healthy path', observations: () => [path()] },
    { name: 'port-123 requests answered like the others', observations: () => [mixed([1, 3], [6, 8], [2, 4])] },
  ],
  invalid: [
    {
      name: 'port-123 requests dropped, other ports answered',
      observations: () => [mixed([1, 2, 3, 4], [6, 8])],
      findings: [{ subject: SERVER, severity: 'error', evidence: ['source port 123', 'from other source ports were answered'] }],
    },
  ],
});
