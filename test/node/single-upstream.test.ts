/** single-upstream: one upstream and nothing to check it against (rule tester cases). */
import { describe, expect, it } from 'vitest';
import rule from '../../rules/single-upstream.js';
import { isInternalSource, poolLines, poolZone } from '../../rules/_lib/upstream.js';
import type { Finding } from '../../src/diagnose/types.js';
import { ruleTester } from '../rules/_tester.js';
import { chronyConfig, daemon, daemons, iface, localAddresses, ntpdConfig } from './_build.js';

const on = (id: string, like: string[] = []) => daemons([daemon('chronyd', 612, ['/usr/sbin/chronyd'])], { os: { id, like } });
/** No fix ever prints a placeholder as a command (issue 11: every printed command is safe to paste as it stands). */
const noPlaceholder = (f: Finding) => {
  for (const x of f.fixes) for (const c of x.commands) expect(c).not.toMatch(/SECOND|SERVER|ADDRESS|<[A-Za-z]/);
};

ruleTester.run('single-upstream', rule, {
  valid: [
    { name: 'a pool (Debian default)', observations: () => [chronyConfig('debian12-chrony.conf')] },
    { name: 'several servers', observations: () => [chronyConfig('chrony-server-ok.conf')] },
  ],
  invalid: [
    {
      name: 'Debian chronyd naming one Internet server: the Debian pool zone is added, as Debian ships it',
      observations: () => [on('debian'), chronyConfig('/etc/chrony/chrony.conf', 'server ntp1.example.net iburst\n')],
      findings: [{ subject: '/etc/chrony/chrony.conf', severity: 'info', title: 'chronyd has a single upstream: ntp1.example.net', evidence: ['the only upstream'] }],
      check: ([f]) => {
        expect(f!.fixes[0]!.commands).toEqual(["echo 'pool 2.debian.pool.ntp.org iburst' >> /etc/chrony/chrony.conf", 'systemctl restart chronyd']);
        expect(f!.fixes[0]!.edits).toEqual([{ command: 0, file: '/etc/chrony/chrony.conf', action: 'append', text: 'pool 2.debian.pool.ntp.org iburst' }]);
        expect(f!.fixes).toHaveLength(1);
        noPlaceholder(f!);
      },
    },
    {
      name: "CentOS 7 ntpd naming one public address: three numbered centos.pool.ntp.org server lines (the stock ntp.conf's)",
      observations: () => [on('centos', ['rhel', 'fedora']), ntpdConfig('ntp.conf', 'server 198.51.100.7 iburst\n')],
      findings: [{ subject: '/etc/ntp.conf', severity: 'info', title: 'ntpd has a single upstream: 198.51.100.7', evidence: ['the only upstream'] }],
      check: ([f]) => {
        expect(f!.fixes[0]!.commands).toEqual([
          "echo 'server 0.centos.pool.ntp.org iburst' >> /etc/ntp.conf",
          "echo 'server 1.centos.pool.ntp.org iburst' >> /etc/ntp.conf",
          "echo 'server 2.centos.pool.ntp.org iburst' >> /etc/ntp.conf",
          'systemctl restart ntpd',
        ]);
        noPlaceholder(f!);
      },
    },
    {
      name: 'no os-release (lint): the global pool zone',
      observations: () => [chronyConfig('chrony.conf', 'server time.example.com iburst\n')],
      findings: [{ subject: '/etc/chrony.conf', severity: 'info', title: 'time.example.com', evidence: ['the only upstream'] }],
      check: ([f]) => expect(f!.fixes[0]!.commands[0]).toBe("echo 'pool 2.pool.ntp.org iburst' >> /etc/chrony.conf"),
    },
    {
      name: 'chrony.conf naming one private server: a step in words, no command with a placeholder, no public pool',
      observations: () => [on('debian'), chronyConfig('chrony.conf', 'server 10.0.0.1 iburst\n')],
      findings: [{ subject: '/etc/chrony.conf', severity: 'info', title: 'chronyd has a single upstream: 10.0.0.1', evidence: ['/etc/chrony.conf:1: `server 10.0.0.1 iburst`: the only upstream'] }],
      check: ([f]) => {
        expect(f!.fixes).toHaveLength(1);
        expect(f!.fixes[0]!.commands).toEqual([]);
        expect(f!.fixes[0]!.manual).toEqual([
          'Add a second, independent server line to /etc/chrony.conf: `server`, the address of another time server in your network that does not take its time from 10.0.0.1, then `iburst` (three such lines make four sources)',
          "If 10.0.0.1 is the site's one designated server, make it robust instead: several upstreams of its own, and orphan mode (chrony `local stratum 10 orphan`, ntpd `tos orphan 10`) so the site keeps one time when they are lost",
          'Run: systemctl restart chronyd',
        ]);
        expect(f!.fixes[0]!.verify).toBe('chronyc sources -v');
        expect(JSON.stringify(f!.fixes)).not.toContain('pool.ntp.org');
      },
    },
    {
      name: 'the seed client names node0 alone (192.168.1.100: the cluster serves itself)',
      observations: () => [localAddresses([iface('192.168.1.130')]), ntpdConfig('seed000-client.ntp.conf')],
      findings: [{ subject: '/etc/seed000-client.ntp.conf', severity: 'info', title: 'ntpd has a single upstream: 192.168.1.100', evidence: ['192.168.1.100'] }],
      check: ([f]) => {
        expect(f!.fixes.map((x) => x.commands)).toEqual([[]]);
        expect(f!.fixes[0]!.manual!.at(-1)).toBe('Run: systemctl restart ntpd');
      },
    },
    {
      name: 'a name that resolved to a private address only is internal too',
      observations: () => [chronyConfig('chrony.conf', 'server timehost.example.com iburst\n', { names: { 'timehost.example.com': ['172.16.4.4'] } })],
      findings: [{ subject: '/etc/chrony.conf', severity: 'info', title: 'timehost.example.com', evidence: ['the only upstream'] }],
      check: ([f]) => expect(f!.fixes.map((x) => x.commands)).toEqual([[]]),
    },
  ],
});

describe('upstream helpers', () => {
  it('isInternalSource: by address (literal or resolved), else by name', () => {
    for (const a of ['10.1.2.3', '172.31.0.1', '192.168.1.100', '100.64.0.1', '169.254.169.123', 'fd00::5', 'fe80::1', 'node0', 'ntp.corp', 'clock.site.lan', 'gw.home.arpa.'])
      expect(isInternalSource({ address: a }), a).toBe(true);
    for (const a of ['198.51.100.7', '2001:db8::7', 'time.example.com', '172.32.0.1'])
      expect(isInternalSource({ address: a }), a).toBe(false);
    expect(isInternalSource({ address: 'ntp.example.org', resolved: ['10.0.0.5', '2001:db8::1'] })).toBe(false);
    expect(isInternalSource({ address: 'ntp.example.org', resolved: ['10.0.0.5', 'fd00::1'] })).toBe(true);
  });

  it('poolZone: exact os-release IDs only; derivatives and unknowns get the global zone', () => {
    expect(poolZone({ id: 'centos' })).toBe('centos.pool.ntp.org');
    expect(poolZone({ id: 'ubuntu' })).toBe('ubuntu.pool.ntp.org');
    expect(poolZone({ id: 'rocky' })).toBe('pool.ntp.org');
    expect(poolZone({ id: 'constructor' })).toBe('pool.ntp.org');
    expect(poolZone(undefined)).toBe('pool.ntp.org');
    expect(poolLines('debian.pool.ntp.org', 'ntpsec')).toEqual(['pool 2.debian.pool.ntp.org iburst']);
  });
});
