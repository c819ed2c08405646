/**
 * The node rules (configs, firewall, daemons), each with fixtures that trigger it and fixtures that must not,
 * and the ranking the seed asks for: on node0 the firewall first, then self-sync.
 */
import { describe, expect, it } from 'vitest';
import { makeContext, runRules } from '../../src/diagnose/engine.js';
import type { Hit, Rule } from '../../src/diagnose/types.js';
import type { Observation } from '../../src/model/observation.js';
import { rules } from '../../rules/index.js';
import chronyAllowMissing from '../../rules/chrony-allow-missing.js';
import daemonNotRunning from '../../rules/daemon-not-running.js';
import firewallBlocksNtp from '../../rules/firewall-blocks-ntp.js';
import inspectionIncomplete from '../../rules/inspection-incomplete.js';
import localClockMismatch from '../../rules/local-clock-mismatch.js';
import localClockMissing from '../../rules/local-clock-missing.js';
import makestepMissing from '../../rules/makestep-missing.js';
import noqueryMissing from '../../rules/noquery-missing.js';
import restrictBlocksClients from '../../rules/restrict-blocks-clients.js';
import restrictNotrust from '../../rules/restrict-notrust.js';
import selfSync from '../../rules/self-sync.js';
import singleUpstream from '../../rules/single-upstream.js';
import sourceUnreachable from '../../rules/source-unreachable.js';
import { icmp, icmpPath, path, seen, stats } from '../rules/_build.js';
import { centosReject, chronyConfig, chronySeesUnreachable, daemon, daemons, iface, LOOPBACK, localAddresses, NODE0, ntpdConfig } from './_build.js';

const hits = (rule: Rule, obs: Observation[]): Hit[] => rule.match(makeContext(obs));
const node0 = () => localAddresses([iface(), LOOPBACK]);
const F = '/etc/';

describe('self-sync (config: a server line naming one of this host\'s own addresses)', () => {
  it("flags the seed's `server 192.168.1.100 iburst` on node0 with the exact line edit", () => {
    const [h] = hits(selfSync, [node0(), ntpdConfig('seed000-node0-first.ntp.conf')]);
    expect(h!.subject).toBe(NODE0);
    expect(h!.title).toBe(`${F}seed000-node0-first.ntp.conf:10: \`server 192.168.1.100 iburst\` makes ntpd synchronize to itself`);
    expect(h!.evidence[0]).toMatchObject({ file: `${F}seed000-node0-first.ntp.conf`, line: 10 });
    expect(h!.severity).toBeUndefined();
    expect(h!.fixes[0]!.commands).toEqual([
      `sed -i '10s/^/# /' ${F}seed000-node0-first.ntp.conf`,
      `echo 'server 127.127.1.0' >> ${F}seed000-node0-first.ntp.conf`,
      `echo 'fudge 127.127.1.0 stratum 10' >> ${F}seed000-node0-first.ntp.conf`,
      'systemctl restart ntpd',
    ]);
  });

  it('writes the chrony and NTPsec forms, and a loopback server line is self-sync anywhere', () => {
    const chrony = hits(selfSync, [node0(), chronyConfig('chrony.conf', 'server 127.0.0.1 iburst\nallow 192.168.1.0/24\n', { service: 'chrony' })])[0]!;
    expect(chrony.subject).toBe('127.0.0.1');
    expect(chrony.fixes[0]!.commands).toEqual([`sed -i '1s/^/# /' ${F}chrony.conf`, `echo 'local stratum 10' >> ${F}chrony.conf`, 'systemctl restart chrony']);
    const ntpsec = hits(selfSync, [node0(), ntpdConfig('ntpsec/ntp.conf', 'server 192.168.1.100\n', { variant: 'ntpsec' })])[0]!;
    expect(ntpsec.fixes[0]!.commands.slice(1)).toEqual([`echo 'refclock local stratum 10' >> ${F}ntpsec/ntp.conf`, 'systemctl restart ntpsec']);
  });

  it('resolves names (node0 → 192.168.1.100), and is a warning when other sources remain', () => {
    const o = ntpdConfig('ntp.conf', 'server node0 iburst\nserver 10.0.0.1 iburst\n', { names: { node0: [NODE0] } });
    const [h] = hits(selfSync, [node0(), o]);
    expect(h!.subject).toBe(NODE0);
    expect(h!.evidence[0]!.text).toContain('names node0 (192.168.1.100)');
    expect(h!.severity).toBe('warning');
  });
});

describe('local-clock-mismatch', () => {
  it("explains the seed's stratum 6: fudge 127.127.1.0 does not apply to server 127.127.1.1", () => {
    const [h] = hits(localClockMismatch, [ntpdConfig('seed000-node0-final.ntp.conf')]);
    expect(h!.title).toContain('the local clock stays at stratum 5, clients see 6');
    expect(h!.fixes[0]!.commands).toEqual([`sed -i '31c\\server 127.127.1.0 iburst' ${F}seed000-node0-final.ntp.conf`, 'systemctl restart ntpd']);
  });
});

describe('local-clock-missing', () => {
  it("fires for the seed's first node0 config (serves the LAN, only itself upstream) as a warning beside self-sync", () => {
    const [h] = hits(localClockMissing, [node0(), ntpdConfig('seed000-node0-first.ntp.conf')]);
    expect(h!.severity).toBe('warning');
    expect(h!.evidence.map((e) => e.text).join('\n')).toContain('clients on 192.168.1.0/24 are meant to be served');
  });

  it('is an error when the upstreams exist but a probe gets nothing back (the seed: public servers unreachable)', () => {
    const o = ntpdConfig('ntp.conf', 'restrict 192.168.1.0 mask 255.255.255.0 nomodify notrap\nserver 10.0.0.1 iburst\n');
    const silent = icmpPath(icmp(3, 1, [1], '10.0.0.254'), { server: { ip: '10.0.0.1', port: 123 }, replies: { count: 0, frames: [] } });
    const [h] = hits(localClockMissing, [node0(), o, silent]);
    expect(h!.severity).toBeUndefined();
    expect(h!.evidence.map((e) => e.text).join('\n')).toContain('10.0.0.1 did not answer');
  });
});

describe('restrict-notrust', () => {
  it('flags the notrust the second write-up warns about, with the sed that removes it', () => {
    const [h] = hits(restrictNotrust, [ntpdConfig('seed002-notrust.ntp.conf')]);
    expect(h!.title).toBe(`${F}seed002-notrust.ntp.conf:7: \`notrust\` makes ntpd ignore unauthenticated packets from clients on 192.168.1.0/24`);
    expect(h!.fixes[0]!.commands[0]).toBe(`sed -i '7s/[[:space:]]notrust\\b//' ${F}seed002-notrust.ntp.conf`);
  });

  it('also sees notrust covering its own server (no key), and softens when keys are trusted', () => {
    const o = ntpdConfig('ntp.conf', 'restrict default notrust\nserver 10.0.0.1 iburst\n');
    expect(hits(restrictNotrust, [o])[0]!.evidence.map((e) => e.text).join('\n')).toContain("own server(s) 10.0.0.1");
    const keyed = ntpdConfig('ntp.conf', 'restrict default notrust\nkeys /etc/ntp/keys\ntrustedkey 1\nserver 10.0.0.1 key 1\n');
    expect(hits(restrictNotrust, [keyed])[0]!.severity).toBe('info');
  });
});

describe('restrict-blocks-clients', () => {
  it('flags `restrict default ignore` on a server of the LAN and adds a more specific line', () => {
    const [h] = hits(restrictBlocksClients, [ntpdConfig('ntp-default-ignore.ntp.conf')]);
    expect(h!.title).toBe(`${F}ntp-default-ignore.ntp.conf:2: \`restrict default ignore\` stops ntpd from serving clients on 192.168.1.0/24`);
    expect(h!.fixes[0]!.commands[0]).toBe(`echo 'restrict 192.168.1.0 mask 255.255.255.0 nomodify notrap nopeer noquery' >> ${F}ntp-default-ignore.ntp.conf`);
  });
});

describe('chrony-allow-missing', () => {
  it('finds the deny all that cancels the allow', () => {
    const [h] = hits(chronyAllowMissing, [chronyConfig('chrony-server-deny-all.conf')]);
    expect(h!.title).toBe(`${F}chrony-server-deny-all.conf:8: \`deny all\` cancels \`allow 192.168.1.0/24\` (line 5): chronyd serves nobody on 192.168.1.0/24`);
    expect(h!.fixes[0]!.commands).toEqual([`sed -i '8s/^/# /' ${F}chrony-server-deny-all.conf`, 'systemctl restart chronyd']);
  });

  it('is an error without allow when `local stratum` shows it serves, info on a plain client', () => {
    const [server] = hits(chronyAllowMissing, [chronyConfig('chrony-server-no-allow.conf')]);
    expect(server!.severity).toBeUndefined();
    expect(server!.fixes[0]!.commands[0]).toBe(`echo 'allow 192.168.1.0/24' >> ${F}chrony-server-no-allow.conf`);
    expect(hits(chronyAllowMissing, [chronyConfig('debian12-chrony.conf')])[0]!.severity).toBe('info');
  });
});

describe('firewall-blocks-ntp', () => {
  it('names the CentOS REJECT rule and the exact insert ahead of it (CentOS: service iptables save)', () => {
    const obs = [node0(), ntpdConfig('seed000-node0-first.ntp.conf'), centosReject(), daemons([], { os: { id: 'centos', like: ['rhel', 'fedora'] } })];
    const [h] = hits(firewallBlocksNtp, obs);
    expect(h!.subject).toBe(NODE0);
    expect(h!.severity).toBeUndefined();
    expect(h!.title).toBe(`${NODE0}'s iptables firewall rejects NTP from its clients: filter INPUT rule 5`);
    expect(h!.evidence[1]!.text).toContain('type 3 code 10');
    expect(h!.fixes[0]!.commands).toEqual(['iptables -I INPUT 5 -p udp --dport 123 -j ACCEPT', 'service iptables save']);
  });

  it('gives the firewalld and nftables commands for those backends (Debian saves /etc/nftables.conf)', () => {
    const zone = centosReject({ backend: 'firewalld', decidedBy: { text: 'target default', chain: 'public', policy: true }, zone: { name: 'public', target: 'default', services: ['dhcpv6-client', 'ssh'], ports: [], interfaces: ['em1'], sources: [] } });
    const fw = hits(firewallBlocksNtp, [node0(), ntpdConfig('seed000-node0-first.ntp.conf'), zone])[0]!;
    expect(fw.fixes[0]!.commands).toEqual(['firewall-cmd --permanent --zone=public --add-service=ntp', 'firewall-cmd --reload']);
    const nft = centosReject({ backend: 'nftables', verdict: 'drop', decidedBy: { text: 'policy drop', family: 'inet', table: 'filter', chain: 'input', policy: true }, insertAt: { family: 'inet', table: 'filter', chain: 'input' } });
    const n = hits(firewallBlocksNtp, [node0(), ntpdConfig('seed000-node0-first.ntp.conf'), nft, daemons([], { os: { id: 'debian', like: [] } })])[0]!;
    expect(n.fixes[0]!.commands).toEqual(['nft add rule inet filter input udp dport 123 accept', "echo 'flush ruleset' > /etc/nftables.conf", 'nft list ruleset >> /etc/nftables.conf']);
  });

  it('is info on a node that serves nobody, and quiet when the firewall accepts', () => {
    const client = hits(firewallBlocksNtp, [node0(), chronyConfig('debian12-chrony.conf'), centosReject()])[0]!;
    expect(client.severity).toBe('info');
    expect(hits(firewallBlocksNtp, [node0(), ntpdConfig('seed000-node0-first.ntp.conf'), centosReject({ verdict: 'accept' })])).toEqual([]);
  });
});

describe('daemon-not-running', () => {
  it('says nothing runs and how to start what is installed', () => {
    const [h] = hits(daemonNotRunning, [daemons([], { configsOnDisk: ['/etc/chrony.conf'], os: { id: 'centos', like: ['rhel'] } })]);
    expect(h!.title).toContain('No time daemon runs');
    expect(h!.fixes[0]!.commands).toEqual(['systemctl enable --now chronyd']);
  });

  it('flags chronyd and ntpd competing; timesyncd beside one daemon is a warning; one daemon is fine', () => {
    const both = hits(daemonNotRunning, [daemons([daemon('chronyd', 10, ['chronyd']), daemon('ntpd', 11, ['ntpd', '-g'])])])[0]!;
    expect(both.title).toBe('Competing time daemons: chronyd and ntpd both run');
    expect(both.severity).toBeUndefined();
    const soft = hits(daemonNotRunning, [daemons([daemon('chronyd', 10, ['chronyd']), daemon('systemd-timesyncd', 12, ['systemd-timesyncd'])])])[0]!;
    expect(soft.severity).toBe('warning');
    expect(hits(daemonNotRunning, [daemons([daemon('ntpd', 11, ['ntpd'])])])).toEqual([]);
  });
});

describe('source-unreachable', () => {
  it("reads the seed client's ^? with the packets' reason when ntpdoctor probed the source", () => {
    const rejected = icmpPath(icmp(3, 10, [1, 2], NODE0), { server: { ip: NODE0, port: 123 }, source: 'probe' });
    const [h] = hits(sourceUnreachable, [chronySeesUnreachable(), rejected]);
    expect(h!.title).toBe(`chronyd gets no valid reply from ${NODE0} (^?): its firewall rejects NTP (ICMP type 3 code 10 (host administratively prohibited))`);
    expect(h!.evidence[0]!.text).toBe(`chronyc: ${NODE0} ^?, reach 0, stratum 0, NP 0, std dev 4000 ms, no sample ever`);
  });

  it('tells an unsynchronized server from silence', () => {
    const unsync = path({ server: { ip: NODE0, port: 123 }, source: 'probe', strata: [seen(16, [1])], leaps: [seen(3, [1])] });
    expect(hits(sourceUnreachable, [chronySeesUnreachable(), unsync])[0]!.title).toContain('it answers, but is itself unsynchronized');
  });

  it('just after a restart only says to wait (info), with the seconds left', () => {
    const [h] = hits(sourceUnreachable, [chronySeesUnreachable({ reach: 3, poll: 6 }, 100)]);
    expect(h!.severity).toBe('info');
    expect(h!.title).toMatch(/wait about \d+ more seconds/);
  });
});

describe('makestep-missing', () => {
  it('warns with the slew time when a probe shows the clock an hour off and chrony has no makestep', () => {
    const off = path({ server: { ip: '10.0.0.1', port: 123 }, source: 'probe', offset: stats([3600], 3600) });
    const [h] = hits(makestepMissing, [chronyConfig('chrony.conf', 'server 10.0.0.1 iburst\n'), off]);
    expect(h!.severity).toBeUndefined();
    expect(h!.title).toContain('chronyd will slew for about 43200 s (12.0 h)');
  });

  it("errors for ntpd without -g a year off (the seed's 31566952 s)", () => {
    const off = path({ server: { ip: '10.0.0.1', port: 123 }, source: 'probe', offset: stats([31566952.609973], 31566952.609973) });
    const [h] = hits(makestepMissing, [off, daemons([daemon('ntpd', 7, ['/usr/sbin/ntpd', '-u', 'ntp:ntp'])])]);
    expect(h!.severity).toBe('error');
    expect(h!.fixes[0]!.commands).toEqual(['systemctl stop ntpd', 'ntpd -gq', 'systemctl start ntpd']);
    expect(hits(makestepMissing, [off, daemons([daemon('ntpd', 7, ['/usr/sbin/ntpd', '-u', 'ntp:ntp', '-g'])])])).toEqual([]);
  });
});

describe('noquery-missing, single-upstream, inspection-incomplete', () => {
  it('noquery-missing: warns for classic ntpd without noquery and monitor on; quiet for the seed final config', () => {
    expect(hits(noqueryMissing, [ntpdConfig('seed000-node0-first.ntp.conf')])[0]!.severity).toBeUndefined();
    expect(hits(noqueryMissing, [ntpdConfig('seed000-node0-final.ntp.conf')])).toEqual([]);
    expect(hits(noqueryMissing, [ntpdConfig('debian12-ntpsec.ntp.conf', undefined, { variant: 'ntpsec' })])).toEqual([]);
  });

  it('single-upstream: the seed client names node0 alone; pools and several servers are fine', () => {
    const [h] = hits(singleUpstream, [localAddresses([iface('192.168.1.130')]), ntpdConfig('seed000-client.ntp.conf')]);
    expect(h!.title).toBe('ntpd has a single upstream: 192.168.1.100');
    expect(hits(singleUpstream, [chronyConfig('debian12-chrony.conf')])).toEqual([]);
    expect(hits(singleUpstream, [chronyConfig('chrony-server-ok.conf')])).toEqual([]);
  });

  it('inspection-incomplete lists each gap with its reason', () => {
    const [h] = hits(inspectionIncomplete, [{ kind: 'inspection-gap', source: 'node', area: 'daemon', what: 'ntpd (pid 5)', why: 'no mode 6 answer' }]);
    expect(h!.evidence[0]!.text).toBe('daemon: ntpd (pid 5): no mode 6 answer');
    expect(hits(inspectionIncomplete, [])).toEqual([]);
  });
});

describe('ranking on node0 (the seed\'s two faults)', () => {
  it('puts the firewall first, then self-sync; once the firewall accepts, self-sync leads', () => {
    const base = [node0(), ntpdConfig('seed000-node0-first.ntp.conf'), daemons([daemon('ntpd', 1, ['ntpd', '-g'])])];
    const blocked = runRules(rules, [...base, centosReject()]);
    expect(blocked.slice(0, 2).map((f) => f.rule)).toEqual(['firewall-blocks-ntp', 'self-sync']);
    const open = runRules(rules, [...base, centosReject({ verdict: 'accept' })]);
    expect(open[0]!.rule).toBe('self-sync');
  });
});
