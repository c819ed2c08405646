/**
 * End to end (issue 5 item 3): the real built binary in a real terminal (tmux, 80×24) diagnoses a node whose
 * server sits behind a real nftables REJECT rule. Two namespaces on a veth: ndtui-…-s (198.51.100.100) runs
 * chronyd -x as a server (`local stratum 10`, `allow`) under `udp dport 123 reject with icmp type
 * host-prohibited`; ndtui-…-n (198.51.100.130) runs `ntpdoctor diagnose --server 198.51.100.100 --config CONF`
 * in tmux. The screen must name the firewall (firewall-reject), show its fix once selected, write the
 * checklist with `w`, and quit with `q` and exit status 1. `ntpdoctor checklist` (no FILE) in the same node
 * must print the same kind of checklist. Everything runs without CAP_SYS_TIME (setpriv); traffic stays on the veth.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tmux } from './_tmux.js';
import { labUnavailable, SETPRIV, teardown } from '../_netns.js';
import { ROOT } from './_reports.js';

const SERVER = '198.51.100.100';
const NODE = '198.51.100.130';
/** A private build of the real binary (tsup → node_modules/.cache): a concurrent `tsup` into dist/ cannot pull it away. */
const OUT = join(ROOT, 'node_modules/.cache/ndtui-e2e');
const CLI = join(OUT, 'cli.js');

const why = labUnavailable(['tmux', 'chronyd', 'nft', 'setpriv', 'ss'], 'ndtui');
if (why) process.stderr.write(`SKIPPED: TUI end to end in tmux (${why})\n`);

describe.skipIf(why !== undefined)('the TUI in tmux against a server behind an nftables REJECT', () => {
  const srv = `ndtui-${process.pid}-s`;
  const node = `ndtui-${process.pid}-n`;
  const dir = mkdtempSync(join(tmpdir(), 'ndtui-e2e-'));
  const tmux = new Tmux('e2e');
  const made: string[] = [];
  let chronyd: ChildProcess | undefined;
  const conf = join(dir, 'chrony.conf');
  const checklistFile = join(dir, 'ntpdoctor-checklist.md');

  const inNs = (ns: string, argv: string[]) => ['ip', 'netns', 'exec', ns, ...SETPRIV, ...argv];
  const udp123 = () => spawnSync('ip', ['netns', 'exec', srv, 'ss', '-Hlun', 'sport = :123'], { encoding: 'utf8' }).stdout.trim() !== '';

  beforeAll(async () => {
    execFileSync('npx', ['tsup', '--out-dir', OUT], { cwd: ROOT, stdio: 'ignore', timeout: 120_000 });
    for (const ns of [srv, node]) {
      execFileSync('ip', ['netns', 'add', ns]);
      made.push(ns);
    }
    execFileSync('ip', ['link', 'add', 'ndtui-s0', 'netns', srv, 'type', 'veth', 'peer', 'name', 'ndtui-n0', 'netns', node]);
    for (const [ns, ifname, addr] of [
      [srv, 'ndtui-s0', SERVER],
      [node, 'ndtui-n0', NODE],
    ] as const) {
      execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      execFileSync('ip', ['-n', ns, 'addr', 'add', `${addr}/24`, 'dev', ifname]);
      execFileSync('ip', ['-n', ns, 'link', 'set', ifname, 'up']);
    }
    // CentOS/firewalld style: the request is answered with ICMP 3/10 (host administratively prohibited).
    execFileSync('ip', ['netns', 'exec', srv, 'nft', '-f', '-'], {
      input: ['table ip ndtui {', '  chain input {', '    type filter hook input priority 0; policy accept;', '    udp dport 123 reject with icmp type host-prohibited', '  }', '}', ''].join('\n'),
    });
    const serverConf = join(dir, 'server-chrony.conf');
    // `bindcmdaddress /`: off the host-wide /run/chrony socket another lab's chronyd may hold (test files run two at a time).
    writeFileSync(serverConf, ['allow', 'local stratum 10', 'bindcmdaddress /', 'cmdport 0', `pidfile ${dir}/chronyd.pid`, `driftfile ${dir}/chronyd.drift`].join('\n') + '\n');
    chronyd = spawn('ip', ['netns', 'exec', srv, ...SETPRIV, 'chronyd', '-x', '-d', '-f', serverConf], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (!udp123()) {
      if (chronyd.exitCode !== null) throw new Error('chronyd exited');
      if (Date.now() > deadline) throw new Error('timed out waiting for chronyd on UDP 123');
      await new Promise((r) => setTimeout(r, 100));
    }
    // The node's own config (read with --config, so the host's /etc is not): its one server is the lab's.
    writeFileSync(conf, [`server ${SERVER} iburst`, `driftfile ${dir}/node.drift`, 'makestep 1 3'].join('\n') + '\n');
  }, 180_000);

  afterAll(async () => {
    tmux.kill();
    await teardown(chronyd ? [chronyd] : [], made, dir);
  });

  it('names the firewall, shows its fix, writes the checklist and quits with status 1, at 80×24', async () => {
    const argv = inNs(node, ['node', CLI, 'diagnose', '--server', SERVER, '--config', conf]);
    tmux.start(`${argv.join(' ')}; echo "EXIT=$?"; sleep 120`, dir);
    expect(tmux.size()).toBe('80x24');

    // The TUI runs on the alternate screen (no scrollback there): the stages are seen while they run.
    const seen: string[] = [];
    let screen = await tmux.until(30, 'the findings', (s) => {
      seen.push(s);
      return s.includes('Enter details');
    });
    expect(screen).toContain('firewall-reject');
    expect(screen).toMatch(/\d+ findings? \(.*\) · exit 1/);
    for (const line of screen.split('\n')) expect([...line].length, line).toBeLessThanOrEqual(80);
    // The stages went by above the findings: each printed, the probe with the ICMP it met.
    const history = seen.join('\n');
    expect(history).toContain('✔ Configs, daemons, addresses');
    expect(history).toContain('✔ Firewall (nftables, iptables, firewalld)');
    expect(history).toMatch(/✘ Probe 198\.51\.100\.100:123 /);
    expect(history).toContain('EHOSTUNREACH');

    // Select the firewall-reject finding (the root cause ranks first, but walk to it rather than assume).
    for (let i = 0; i < 12; i++) {
      const lines = tmux.screen().split('\n');
      const at = lines.findIndex((l) => l.startsWith('› '));
      if (at >= 0 && lines[at + 1]?.includes('firewall-reject')) break;
      tmux.keys('j');
      await tmux.until(5, 'the selection to move', (s) => s !== lines.join('\n'));
    }
    tmux.keys('Enter');
    screen = await tmux.until(10, 'the fix of the firewall finding', (s) => s.includes('Evidence') || s.includes('Fix'));
    expect(screen).toMatch(/firewall-cmd --permanent --add-service=ntp|nft insert rule inet filter input udp dport 123 accept/);
    expect(screen).toMatch(/^ERROR +firewall-reject · 198\.51\.100\.100/m);

    tmux.keys('Escape');
    await tmux.until(10, 'the list again', (s) => s.includes('Enter details'));
    tmux.keys('w');
    screen = await tmux.until(10, 'the checklist message', (s) => s.includes('Checklist written to'));
    expect(screen.replace(/\n/g, '')).toContain(checklistFile);
    expect(existsSync(checklistFile)).toBe(true);
    const md = readFileSync(checklistFile, 'utf8');
    expect(md).toContain('- [ ]');
    expect(md).toContain('(`firewall-reject`)');
    expect(md).toContain('## 198.51.100.100');

    tmux.keys('q');
    screen = await tmux.until(10, 'the exit status', (s) => /EXIT=\d+/.test(s));
    expect(screen).toContain('EXIT=1');
  }, 90_000);

  it('`ntpdoctor checklist` without FILE diagnoses the node: the firewall step with its commands and verify', () => {
    const r = spawnSync(inNs(node, [])[0]!, [...inNs(node, ['node', CLI, 'checklist', '--server', SERVER, '--config', conf]).slice(1)], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^# NTP remediation checklist\n/);
    const section = r.stdout.slice(r.stdout.indexOf('## 198.51.100.100'));
    // Ranked among the node's own findings (no daemon runs in this namespace): an error, with its rank.
    expect(section).toMatch(/^### \d+\. ERROR: .*\(`firewall-reject`\)$/m);
    expect(section).toMatch(/^- \[ \] Step \d+\. \[firewalld\] On 198\.51\.100\.100: allow the ntp service/m);
    expect(section).toContain('  firewall-cmd --permanent --add-service=ntp\n');
    expect(section).toContain(`  - [ ] verify: \`ntpdoctor probe ${SERVER}\``);
  });
});
