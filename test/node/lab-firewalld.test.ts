/**
 * firewall-blocks-ntp against a real firewalld (Debian 12's 1.3), in the lab's node0 namespace with a private
 * mount namespace and D-Bus (test/node/_firewalld.ts). For each backend:
 *   - nftables (Debian's default): zone public, target default → `reject with icmpx admin-prohibited`;
 *   - iptables as on CentOS 7 (FirewallBackend=iptables, legacy x_tables, interface bound to public) → 1.3 ends
 *     the zone chain with a bare REJECT: icmp-port-unreachable (CentOS 7's 0.6 sent host-prohibited);
 * the node inspection (through the runner `diagnose` uses) and `ntpdoctor diagnose` inside the sandbox name the
 * zone; a real request from the client namespace meets the ICMP it predicts; the fix commands taken from the
 * report's JSON are run inside the sandbox; the next diagnose is clean and a real chronyd client then gets
 * replies from node0's chronyd. The host's own nft/iptables rulesets, /etc/firewalld and /run/dbus must be the
 * same afterwards.
 *
 * firewall-cmd's output is compared with the fixtures recorded from this very setup
 * (fixtures/firewall/firewalld-debian12-*); NTPDOCTOR_RECORD_FIREWALLD=1 rewrites them instead.
 */
import type { ChildProcess } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/diagnose/types.js';
import { collectFirewallOutputs, evaluateFirewall, type FirewallOutputs } from '../../src/inspect/firewall/gather.js';
import { FIREWALLD_TOOLS, FirewalldSandbox, type FirewalldBackend } from './_firewalld.js';
import { CLI, ensureCli, Lab, labUnavailable, NODE0, ROOT } from './_lab.js';
import { parseReport } from '../_schema.js';

const why = labUnavailable([...FIREWALLD_TOOLS, 'chronyd', 'chronyc', 'nft', 'iptables-legacy-save', '/usr/sbin/xtables-legacy-multi', 'setpriv', 'ss']);
if (why) process.stderr.write(`SKIPPED: node lab firewalld (${why})\n`);

const RECORD = process.env.NTPDOCTOR_RECORD_FIREWALLD === '1';
const FIXTURES = join(ROOT, 'fixtures/firewall');
const CLIENTS = [{ network: '198.51.100.0/24', family: 4 as const, interface: 'ndn-srv0', localAddress: NODE0 }];

/**
 * What zone public's target `default` sends, per backend, as firewalld 1.3 generates it: nftables ends the zone
 * chain `reject with icmpx admin-prohibited` (ICMP 3/13, the probe's firewall-reject); the iptables backend
 * ends it with a bare `-j REJECT` (firewall/core/ipXtables.py), i.e. port unreachable (ICMP 3/3): the client
 * cannot tell it from "nothing listens", only the node inspection can. (CentOS 7's firewalld 0.6 fell through
 * to INPUT's icmp-host-prohibited instead: the transcribed firewalld-centos7 fixtures.)
 */
const CASES: Array<{ backend: FirewalldBackend; bind: boolean; rejectWith: string; rule: string; probe: string; code: number }> = [
  // Debian without NetworkManager: no interface is bound, the default zone takes the packet.
  { backend: 'nftables', bind: false, rejectWith: 'icmpx admin-prohibited', rule: 'reject with icmpx admin-prohibited', probe: 'firewall-reject', code: 13 },
  // CentOS-like: the interface bound to public (what NetworkManager's ZONE= does), so public is "(active)".
  { backend: 'iptables', bind: true, rejectWith: 'icmp-port-unreachable', rule: '-A IN_public -j REJECT --reject-with icmp-port-unreachable', probe: 'port-unreachable', code: 3 },
];

/** What the host's own firewall and D-Bus look like: must not change while firewalld runs in the lab. */
function hostState(): string {
  const sh = (cmd: string, args: string[]) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });
    return `$ ${cmd} ${args.join(' ')} (${r.status})\n${r.stdout ?? ''}${r.stderr ?? ''}`;
  };
  // Chain counters and the save date move on their own.
  const save = (cmd: string) => sh(cmd, []).replace(/\[\d+:\d+\]/g, '[n:n]').replace(/^# (Generated|Completed).*$/gm, '');
  const tree = (dir: string): string[] => {
    try {
      return readdirSync(dir, { recursive: true, encoding: 'utf8' })
        .sort()
        .map((f) => {
          const s = statSync(join(dir, f));
          return `${dir}/${f} ${s.size} ${s.mtimeMs}`;
        });
    } catch (err) {
      return [`${dir}: ${(err as Error).message}`];
    }
  };
  return [sh('nft', ['list', 'ruleset']), save('iptables-save'), save('ip6tables-save'), save('iptables-legacy-save'), ...tree('/etc/firewalld'), ...tree('/run/dbus')].join('\n');
}

/** Record (NTPDOCTOR_RECORD_FIREWALLD=1) or compare firewall-cmd's output with the fixtures of this state. */
function recordOrCompare(fw: FirewalldSandbox, out: FirewallOutputs, name: string): void {
  const dir = join(FIXTURES, name);
  const listPublic = fw.exec(['firewall-cmd', '--zone=public', '--list-all']);
  const texts: Record<string, string> = {
    'state.txt': out.firewalldState?.stdout ?? '',
    'get-active-zones.txt': out.firewalldActiveZones?.stdout ?? '',
    'get-default-zone.txt': out.firewalldDefaultZone?.stdout ?? '',
    'list-all-public.txt': listPublic,
    'list-all-zones.txt': out.firewalldZones?.stdout ?? '',
  };
  if (RECORD) {
    mkdirSync(dir, { recursive: true });
    for (const [f, t] of Object.entries(texts)) writeFileSync(join(dir, f), t);
    writeFileSync(join(dir, 'nft-list-ruleset.txt'), out.nftText?.stdout ?? '');
    writeFileSync(join(dir, 'nft-list-ruleset.json'), out.nftJson?.stdout ?? '');
    writeFileSync(join(dir, 'iptables-save.txt'), (out.iptablesSave?.stdout ?? '').replace(/ on .* \d{4}$/gm, ' on (date removed)'));
    return;
  }
  for (const [f, t] of Object.entries(texts)) expect(t, `${name}/${f}`).toBe(readFileSync(join(dir, f), 'utf8'));
}

describe.skipIf(why !== undefined)('firewalld 1.3 for real: own D-Bus, own /run, own /etc/firewalld, in node0', () => {
  const lab = new Lab('fwd');
  let before = '';
  let serverConf = '';
  let clientConf = '';

  beforeAll(async () => {
    before = hostState();
    ensureCli();
    lab.up();
    serverConf = lab.config('lab/node0-chrony-server.conf', 'chrony-server.conf');
    clientConf = lab.config('lab/client-chrony.conf', 'chrony.conf');
    const server = lab.spawn('chronyd-server', lab.srv, ['chronyd', '-x', '-d', '-f', serverConf]);
    await lab.until(20, 'chronyd serving UDP 123 in node0', () => {
      if (server.exitCode !== null) throw new Error(`chronyd exited: ${lab.log('chronyd-server')}`);
      return lab.udpBound(lab.srv, 123);
    });
  }, 60_000);

  afterAll(async () => {
    await lab.down();
  });

  for (const c of CASES) {
    it(`${c.backend} backend: zone public rejects (${c.rejectWith}); the report's fix opens it; a chronyd client then gets replies`, async () => {
      const fw = new FirewalldSandbox(lab, lab.srv, c.backend);
      let client: ChildProcess | undefined;
      try {
        await fw.start();
        if (c.bind) {
          fw.exec(['firewall-cmd', '--permanent', '--zone=public', `--add-interface=${lab.srvIf}`]);
          fw.exec(['firewall-cmd', '--reload']);
        }
        const diagnose = (): { report: Report; ms: number } => {
          const r = fw.run(['node', CLI, 'diagnose', '--json', '--config', serverConf]);
          expect(r.stderr, 'diagnose wrote to stderr').toBe('');
          return { report: parseReport<Report>(r.stdout), ms: r.ms };
        };

        // 1. What the node inspection reads: firewalld's zones are the firewall, nothing judged twice.
        const out = await collectFirewallOutputs(fw.runner(), 30_000);
        expect(out.firewalldState?.stdout.trim(), fw.log()).toBe('running');
        if (c.backend === 'nftables') expect(out.nftText?.stdout).toContain('table inet firewalld');
        else expect(out.iptablesSave?.stdout).toMatch(/^:IN_public - \[\d+:\d+\]$/m);
        const g = evaluateFirewall(out, CLIENTS, [4]);
        expect(g.gaps).toEqual([]);
        expect(g.observations.map((o) => [o.backend, o.verdict])).toEqual([['firewalld', 'reject']]);
        expect(g.observations[0]).toMatchObject({ rejectWith: c.rejectWith, zone: { name: 'public', target: 'default' }, decidedBy: { text: 'target default', chain: 'public' } });
        expect(g.observations[0]!.trace.join('\n')).toContain(`ends \`${c.rule}\``);
        expect(g.observations[0]!.zone!.interfaces).toEqual(c.bind ? [lab.srvIf] : []);
        recordOrCompare(fw, out, `firewalld-debian12-${c.backend}`);

        // 2. A real request from the client meets exactly that ICMP.
        const probe = lab.run(lab.cli, ['node', CLI, 'probe', '--json', '--samples', '1', '--timeout', '2', NODE0]);
        const pr = parseReport<Report>(probe.stdout);
        expect(pr.findings[0]?.rule, probe.stdout).toBe(c.probe);
        // The probe sees only the socket errno: the ICMP code must be the one it names or among its alternatives.
        const icmp = pr.exchanges[0]?.icmp;
        expect(icmp, probe.stdout).toMatchObject({ version: 4, type: 3, reporter: NODE0 });
        expect([icmp!.code, ...(icmp!.alternatives ?? []).filter((a) => a.type === 3).map((a) => a.code)]).toContain(c.code);
        process.stderr.write(`lab-firewalld ${c.backend}: probe: ${pr.findings[0]!.title}\n`);

        // 3. diagnose inside the sandbox names the zone and prints the fix.
        const first = diagnose();
        const blocks = first.report.findings.filter((f) => f.rule === 'firewall-blocks-ntp');
        expect(blocks, JSON.stringify(first.report.findings.map((f) => [f.rule, f.title, f.evidence.map((e) => e.text)]))).toHaveLength(1);
        expect(blocks[0]!.severity).toBe('error');
        expect(blocks[0]!.title).toBe(`${NODE0}'s firewalld rejects NTP from its clients: zone public (target default; services: dhcpv6-client ssh)`);
        const fix = blocks[0]!.fixes[0]!;
        expect(fix.platform).toBe('firewalld');
        expect(fix.commands).toEqual(['firewall-cmd --permanent --zone=public --add-service=ntp', 'firewall-cmd --reload']);
        process.stderr.write(`lab-firewalld ${c.backend}: diagnose on the failing node took ${first.ms} ms\n`);
        // Issue 4 item 5 asks for 10 s on a failing node; measured 4.1-8.2 s here with firewall-cmd (Python, ~0.5 s a
        // call idle, seconds under load) on a loaded 2-core machine. The bound is generous so load does not fail
        // it, yet a serial or hanging firewall-cmd (four calls, 6 s limit each) would.
        expect(first.ms).toBeLessThan(20_000);

        // 4. Apply the fix as printed, inside the sandbox only: each command checked to be a plain
        //    firewall-cmd call (no shell), then run word by word.
        for (const cmd of fix.commands) {
          expect(cmd).toMatch(/^firewall-cmd( --[a-z][a-z-]*(=[a-z0-9_-]+)?)+$/);
          fw.exec(cmd.split(' '));
        }
        expect(readFileSync(join(fw.etc, 'zones/public.xml'), 'utf8')).toContain('<service name="ntp"/>');

        // 5. Open now: the inspection accepts by the ntp service, diagnose has no firewall finding.
        const after = await collectFirewallOutputs(fw.runner(), 30_000);
        const g2 = evaluateFirewall(after, CLIENTS, [4]);
        expect(g2.observations.map((o) => [o.backend, o.verdict, o.decidedBy?.text])).toEqual([['firewalld', 'accept', 'service ntp']]);
        recordOrCompare(fw, after, `firewalld-debian12-${c.backend}-ntp-open`);
        const second = diagnose();
        expect(second.report.findings.map((f) => f.rule)).not.toContain('firewall-blocks-ntp');

        // 6. A real chronyd client in the second namespace gets replies (Reach > 0).
        const reach = () => {
          const r = lab.run(lab.cli, ['chronyc', '-h', '127.0.0.1', '-c', '-n', 'sources']);
          const line = r.stdout.split('\n').find((l) => l.split(',')[2] === NODE0);
          return line ? Number.parseInt(line.split(',')[5] ?? '0', 8) : 0;
        };
        client = lab.spawn(`chronyd-client-${c.backend}`, lab.cli, ['chronyd', '-x', '-d', '-f', clientConf]);
        const started = client;
        await lab.until(60, 'chronyc sources: Reach > 0 for node0', () => {
          if (started.exitCode !== null) throw new Error(`client chronyd exited: ${lab.log(`chronyd-client-${c.backend}`)}`);
          return reach() > 0;
        });
        const probe2 = lab.run(lab.cli, ['node', CLI, 'probe', '--json', '--samples', '1', '--timeout', '2', NODE0]);
        const rules2 = parseReport<Report>(probe2.stdout).findings.map((f) => f.rule);
        for (const r of ['firewall-reject', 'no-response', 'port-unreachable']) expect(rules2, probe2.stdout).not.toContain(r);
      } finally {
        if (client) await lab.stop(client);
        await fw.stop();
      }
    }, 240_000);
  }

  it("left the host's nft and iptables rulesets, /etc/firewalld and /run/dbus as they were", () => {
    expect(hostState()).toBe(before);
  });
});
