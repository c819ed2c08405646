/**
 * chronyd on another port (issue 11 item 11: "fixes use the port the server really listens on"), for real in the
 * lab: node0 (198.51.100.100) runs chronyd -x with `port 11123` behind the hardened nftables ruleset that opens
 * UDP 123 only (fixtures/firewall/nftables-ntp-open.nft); the client's chrony.conf says `server 198.51.100.100
 * iburst port 11123`. diagnose on node0 must judge the ruleset for 11123 and print the nft rule that opens 11123;
 * diagnose on the client must ask 11123 and say so; once the printed rule is loaded (inside node0's namespace
 * only), a request to 11123 is answered and the finding is gone. Every daemon runs without CAP_SYS_TIME.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/diagnose/types.js';
import { CLI, ensureCli, Lab, labUnavailable, NODE0, ROOT } from './_lab.js';
import { parseReport } from '../_schema.js';

const why = labUnavailable(['chronyd', 'nft', 'setpriv', 'ss']);
if (why) process.stderr.write(`SKIPPED: node lab chrony port 11123 (${why})\n`);

const PORT = 11123;
const OPEN_11123 = `nft add rule inet filter input udp dport ${PORT} accept`;

describe.skipIf(why !== undefined)('chronyd serving on port 11123 behind a ruleset that opens 123 only', () => {
  const lab = new Lab('cport');
  let serverConf = '';
  let clientConf = '';
  let chronyd: ChildProcess | undefined;

  const run = (ns: string, argv: string[]): Report => {
    const r = lab.run(ns, ['node', CLI, ...argv]);
    expect(r.stderr, `${argv[0]} wrote to stderr`).toBe('');
    return parseReport<Report>(r.stdout);
  };
  const probe11123 = () => run(lab.cli, ['probe', '--json', '-c', '2', '-t', '1', '--interval', '0.5', `${NODE0}:${PORT}`]);

  beforeAll(async () => {
    ensureCli();
    lab.up();
    lab.exec(lab.srv, ['nft', '-f', '-'], readFileSync(`${ROOT}fixtures/firewall/nftables-ntp-open.nft`, 'utf8'));
    serverConf = join(lab.dir, 'chrony-server.conf');
    writeFileSync(serverConf, ['local stratum 8', 'allow 198.51.100.0/24', `port ${PORT}`, `pidfile ${lab.dir}/chronyd-server.pid`, 'bindcmdaddress /', 'cmdport 0', ''].join('\n'));
    clientConf = join(lab.dir, 'chrony-client.conf');
    // Its own command socket (found by diagnose from this config), not the host-wide /run/chrony one: test files run two at a time.
    writeFileSync(clientConf, [`server ${NODE0} iburst port ${PORT}`, `pidfile ${lab.dir}/chronyd-client.pid`, `bindcmdaddress ${lab.dir}/chronyd-client.sock`, ''].join('\n'));
    const daemon = lab.spawn('chronyd', lab.srv, ['chronyd', '-x', '-d', '-f', serverConf]);
    chronyd = daemon;
    await lab.until(10, `chronyd on UDP ${PORT} in node0`, () => {
      if (daemon.exitCode !== null) throw new Error(`chronyd exited: ${lab.log('chronyd')}`);
      return lab.udpBound(lab.srv, PORT);
    });
  }, 60_000);

  afterAll(async () => {
    if (chronyd) await lab.stop(chronyd);
    await lab.down();
  });

  it('node0: the ruleset is judged for 11123, and the fix opens 11123 (never 123)', () => {
    const report = run(lab.srv, ['diagnose', '--no-probe', '--json', '--config', serverConf]);
    const fw = report.findings.find((f) => f.rule === 'firewall-blocks-ntp');
    expect(fw, JSON.stringify(report.findings.map((f) => f.rule))).toBeDefined();
    expect(fw!.title).toContain(`drops NTP (UDP ${PORT})`);
    const evidence = fw!.evidence.map((e) => e.text).join('\n');
    expect(evidence).toContain(`a new NTP request (UDP ${PORT})`);
    expect(evidence).toContain(`\`port ${PORT}\`: clients ask UDP ${PORT}`);
    expect(fw!.fixes[0]!.commands[0]).toBe(OPEN_11123);
    expect(JSON.stringify(fw!.fixes)).not.toMatch(/dport 123\b|--add-service=ntp/);
    // What clients meet: the policy drop, silence.
    expect(probe11123().findings[0]?.rule).toBe('no-response');
  });

  it("the client: its probe asks the configured port 11123, and the fixes' verify asks it too", () => {
    const report = run(lab.cli, ['diagnose', '--json', '--config', clientConf]);
    const text = JSON.stringify(report);
    expect(report.servers?.map((s) => `${s.server}:${s.port}`)).toContain(`${NODE0}:${PORT}`);
    expect(text).not.toContain(`${NODE0}:123`);
    const nr = report.findings.find((f) => f.rule === 'no-response' && f.subject === NODE0);
    expect(nr, JSON.stringify(report.findings.map((f) => [f.rule, f.subject]))).toBeDefined();
    expect(nr!.fixes.some((x) => x.verify === `ntpdoctor probe ${NODE0}:${PORT}`)).toBe(true);
  });

  it("the client's own output chain rejects UDP 11123: judged for the configured port, the printed rule lets it out", () => {
    lab.exec(lab.cli, ['nft', '-f', '-'], 'table inet ndout {\n chain output {\n  type filter hook output priority filter; policy accept;\n  udp dport 11123 reject with icmpx admin-prohibited\n }\n}\n');
    try {
      const report = run(lab.cli, ['diagnose', '--json', '--config', clientConf]);
      const fw = report.findings.find((f) => f.rule === 'firewall-blocks-ntp');
      expect(fw, JSON.stringify(report.findings.map((f) => [f.rule, f.subject, f.title]))).toBeDefined();
      expect(fw!.subject).toBe(NODE0);
      expect(fw!.title).toContain(`rejects its own NTP requests to ${NODE0} (UDP ${PORT})`);
      const add = fw!.fixes[0]!.commands[0]!;
      expect(add).toMatch(new RegExp(`^nft insert rule inet ndout output position \\d+ udp dport ${PORT} accept$`));
      expect(fw!.fixes[0]!.verify).toBe(`ntpdoctor probe ${NODE0}:${PORT}`);
      // The printed rule, run in the client's namespace only (its argv has no quoting): the request goes out.
      lab.exec(lab.cli, add.split(' '));
      const after = run(lab.cli, ['diagnose', '--json', '--config', clientConf]);
      expect(after.findings.map((f) => f.rule)).not.toContain('firewall-blocks-ntp');
    } finally {
      lab.exec(lab.cli, ['nft', 'delete', 'table', 'inet', 'ndout']);
    }
  });

  it('the printed rule, loaded in node0, lets a request to 11123 in: the finding is gone', async () => {
    expect(OPEN_11123.split(' ')).toEqual(['nft', 'add', 'rule', 'inet', 'filter', 'input', 'udp', 'dport', String(PORT), 'accept']);
    lab.exec(lab.srv, OPEN_11123.split(' '));
    const report = run(lab.srv, ['diagnose', '--no-probe', '--json', '--config', serverConf]);
    expect(report.findings.map((f) => f.rule)).not.toContain('firewall-blocks-ntp');
    const answered = probe11123();
    expect(answered.findings.map((f) => f.rule)).not.toContain('no-response');
    expect(answered.servers?.[0]).toMatchObject({ server: NODE0, port: PORT });
    expect(answered.servers![0]!.answered).toBeGreaterThan(0);
  });
});
