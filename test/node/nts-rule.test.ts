import { describe, expect, it } from 'vitest';
import ntsKeFailure from '../../rules/nts-ke-failure.js';
import { rules } from '../../rules/index.js';
import { runRules } from '../../src/diagnose/engine.js';
import type { Observation } from '../../src/model/observation.js';
import { chronyConfig, ntpdConfig } from './_build.js';
import { chronySeesNts, NTS_ADDR, ntsProbe } from './_nts.js';

const names = { 'nts.example.test': [NTS_ADDR] };
const conf = (text = 'server nts.example.test iburst nts\n') => chronyConfig('chrony.conf', text, { names });
const run = (obs: Observation[]) => runRules([ntsKeFailure], obs);

describe('nts-ke-failure', () => {
  it('refused: names the port, opens TCP 4460 (firewalld, nftables, iptables), and explains source-unreachable', () => {
    const obs = [conf(), ntsProbe('refused'), chronySeesNts(false)];
    const [f] = run(obs);
    expect(f?.title).toBe('NTS key establishment with nts.example.test (198.51.100.100) fails: TCP port refused or rejected (nothing listens, or a firewall rejects it)');
    expect(f?.evidence.map((e) => e.text).join('\n')).toMatch(/ECONNREFUSED[\s\S]*KeyID 0, 0 cookie\(s\), 1 NTS-KE attempt/);
    expect(f?.fixes.flatMap((x) => x.commands)).toEqual(expect.arrayContaining(['firewall-cmd --permanent --add-port=4460/tcp', 'nft insert rule inet filter input tcp dport 4460 accept', 'iptables -I INPUT -p tcp --dport 4460 -j ACCEPT']));
    expect(f?.confidence).toBeGreaterThan(0.95);
    // With every rule: the NTS failure absorbs chronyc's ^? for the same source.
    const all = runRules(rules, obs).map((x) => x.rule);
    expect(all).toContain('nts-ke-failure');
    expect(all).not.toContain('source-unreachable');
  });

  it('uses the configured ntsport in the firewall fixes', () => {
    const [f] = run([conf('server nts.example.test iburst nts ntsport 4461\n'), ntsProbe('timeout', { port: 4461 })]);
    expect(f?.title).toMatch(/no answer on the TCP port/);
    expect(f?.fixes.flatMap((x) => x.commands)).toContain('firewall-cmd --permanent --add-port=4461/tcp');
  });

  it('untrusted certificate: ntstrustedcerts in the config file, never the name in a command', () => {
    const cert = { subject: 'nts.example.test', issuer: 'nts.example.test', validFrom: 'Dec  6 15:00:00 2026 GMT', validTo: 'Dec  8 15:00:00 2026 GMT', altNames: 'DNS:nts.example.test', selfSigned: true };
    const [f] = run([conf(), ntsProbe('untrusted', { detail: 'certificate not accepted: DEPTH_ZERO_SELF_SIGNED_CERT', certificate: cert, checkedAt: Date.UTC(2026, 11, 6) / 1000 })]);
    expect(f?.title).toMatch(/certificate is not trusted/);
    const cmds = f?.fixes.flatMap((x) => x.commands) ?? [];
    expect(cmds).toContain("echo 'ntstrustedcerts /etc/chrony/nts-ca.crt' >> /etc/chrony.conf");
    expect(cmds.join('\n')).not.toContain('nts.example.test');
    expect(f?.evidence.map((e) => e.text).join('\n')).toMatch(/self-signed/);
  });

  it('a clock in 1970 before the certificate: nocerttimecheck 1 with its risk', () => {
    const cert = { subject: 'n', issuer: 'ca', validFrom: 'Dec  6 15:00:00 2026 GMT', validTo: 'Dec  8 15:00:00 2027 GMT', altNames: 'DNS:nts.example.test', selfSigned: false };
    const [f] = run([conf(), ntsProbe('not-yet-valid', { certificate: cert, checkedAt: 86_400 })]);
    expect(f?.title).toMatch(/clock is outside the certificate's validity/);
    expect(f?.fixes[0]?.commands[0]).toBe("echo 'nocerttimecheck 1' >> /etc/chrony.conf");
    expect(f?.fixes[0]?.title).toMatch(/Risk/);
  });

  it('--no-probe: authdata alone (KeyID 0, no cookies after an attempt) still fires', () => {
    const [f] = run([conf(), chronySeesNts(false)]);
    expect(f?.title).toMatch(/does not complete \(no cookies\)/);
    expect(f?.confidence).toBe(0.8);
  });

  it('ntpsec `server NAME nts` with a refused probe', () => {
    const o = ntpdConfig('ntp.conf', 'server nts.example.test nts\n', { names, variant: 'ntpsec' });
    expect(run([o, ntsProbe('refused', { from: '/etc/ntp.conf:1' })])).toHaveLength(1);
  });

  it('does not fire: healthy KE, no NTS configured, no attempt yet; warns when the evidence disagrees', () => {
    expect(run([conf(), ntsProbe('ok', { detail: 'NTS-KE complete: 8 cookie(s) of 100 bytes' }), chronySeesNts(true)])).toEqual([]);
    expect(run([chronyConfig('chrony.conf', 'server 198.51.100.100 iburst\n'), ntsProbe('refused')])).toEqual([]);
    const fresh = chronySeesNts(false);
    fresh.sources = fresh.sources.map((s) => ({ ...s, auth: { ...s.auth!, attempts: 0 } }));
    expect(run([conf(), fresh])).toEqual([]);
    const [mixed] = run([conf(), ntsProbe('ok'), chronySeesNts(false)]);
    expect(mixed?.severity).toBe('warning');
  });
});
