/**
 * Proof in the lab (issue 12 items 1 and 3) on real chronyd 4.3 (`-x`, under setpriv, its own conf, pid file and
 * command socket in the lab's work dir) and `ntpdoctor diagnose --json --no-probe` run beside it:
 *   - client of `ntpdoctor serve --fault dispersion:5 --stratum 2` (root distance 5 s, past chrony's maxdistance 3 s):
 *     `^?` with reach 377 → source-rejected naming maxdistance, and no source-unreachable;
 *   - names only, in a namespace whose resolver (/etc/netns/NS/resolv.conf) is 127.0.0.1 where nothing listens, so
 *     no DNS query leaves the namespace → sources-not-polled, and no source-unreachable;
 *   - NTPsec ntpd (`disable kernel`) as client of the same server: flash=400 peer_dist → source-rejected (TEST11).
 * chronyd runs with `-u root`: it refuses a command socket directory not owned by its own user, and ntpdata /
 * selectdata are answered only on that socket.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/diagnose/types.js';
import { parseNtpqPeers } from '../../src/inspect/daemon/ntpq.js';
import { CLI, ensureCli, Lab, labUnavailable, NODE0, NTPSEC_NTPD } from './_lab.js';
import { parseReport } from '../_schema.js';

const NTPQ = '/opt/ntpsec/usr/bin/ntpq';

const why = labUnavailable(['chronyd', 'chronyc', NTPSEC_NTPD, NTPQ, 'setpriv', 'ss']);
if (why) process.stderr.write(`SKIPPED: node lab rejected/not-polled sources (${why})\n`);

describe.skipIf(why !== undefined)('diagnose in the lab: rejected and unpolled sources (real chronyd)', () => {
  const lab = new Lab('rj');
  const netnsDir = `/etc/netns/${lab.cli}`;
  const sock = join(lab.dir, 'sock', 'chronyd.sock');
  let chronyd: ChildProcess | undefined;

  const chronyConf = (name: string, sources: string): string => {
    const path = join(lab.dir, name);
    writeFileSync(path, `${sources}\npidfile ${join(lab.dir, `${name}.pid`)}\nbindcmdaddress ${sock}\ncmdport 0\n`);
    return path;
  };
  const chronyc = (...args: string[]) => lab.run(lab.cli, ['chronyc', '-h', sock, ...args]).stdout;
  const diagnose = (conf: string): Report => {
    const r = lab.run(lab.cli, ['node', CLI, 'diagnose', '--json', '--no-probe', '--config', conf]);
    expect(r.stderr, 'diagnose wrote to stderr').toBe('');
    return parseReport<Report>(r.stdout);
  };
  const startChronyd = async (conf: string, ready: () => boolean, what: string): Promise<void> => {
    if (chronyd) await lab.stop(chronyd);
    rmSync(join(lab.dir, 'sock'), { recursive: true, force: true });
    mkdirSync(join(lab.dir, 'sock'), { mode: 0o700 });
    const child = lab.spawn(`chronyd-${what}`, lab.cli, ['chronyd', '-x', '-d', '-u', 'root', '-f', conf]);
    chronyd = child;
    await lab.until(40, what, () => {
      if (child.exitCode !== null) throw new Error(`chronyd exited: ${lab.log(`chronyd-${what}`)}`);
      return ready();
    });
  };

  beforeAll(() => {
    ensureCli();
    lab.up();
    // Names in this namespace go to 127.0.0.1:53 inside it, where nothing listens: DNS never leaves the machine.
    mkdirSync(netnsDir, { recursive: true });
    writeFileSync(join(netnsDir, 'resolv.conf'), 'nameserver 127.0.0.1\n');
    lab.spawn('serve', lab.srv, ['node', CLI, 'serve', '--listen', `${NODE0}:123`, '--allow', '198.51.100.0/24', '--stratum', '2', '--fault', 'dispersion:5', '--rate-limit', 'off']);
  }, 60_000);

  afterAll(async () => {
    await lab.down();
    rmSync(netnsDir, { recursive: true, force: true });
  });

  it('root distance 5 s: ^? with reach 377 is source-rejected naming maxdistance, never source-unreachable', async () => {
    await lab.until(20, 'ntpdoctor serve on UDP 123', () => lab.udpBound(lab.srv, 123));
    const conf = chronyConf('distance.conf', `server ${NODE0} iburst minpoll -2 maxpoll -2`);
    // 8 answered polls of 0.25 s fill the register: reach 377.
    await startChronyd(conf, () => /^\^,\?,198\.51\.100\.100,2,-2,377,/m.test(chronyc('-c', '-n', 'sources')), 'chronyd sees ^? reach 377');
    expect(chronyc('-c', '-n', 'selectdata')).toMatch(/^d,198\.51\.100\.100,/m);
    const report = diagnose(conf);
    const rejected = report.findings.filter((f) => f.rule === 'source-rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.subject).toBe(NODE0);
    expect(rejected[0]!.title, rejected[0]!.title).toMatch(/rejects it: root distance 5\.\d{3} s > maxdistance 3 s \[selectdata d\]/);
    expect(rejected[0]!.evidence.map((e) => e.text).join('\n')).toMatch(/ntpdata: \d+ replies received, \d+ valid/);
    expect(report.findings.some((f) => f.rule === 'source-unreachable')).toBe(false);
    // The cause ranks before everything else at its severity.
    const errors = report.findings.filter((f) => f.severity === 'error').map((f) => f.rule);
    expect(errors[0]).toBe('source-rejected');
  }, 90_000);

  it('names that never resolve: sources-not-polled, no source-unreachable', async () => {
    const conf = chronyConf('names.conf', 'server ntp1.lab.example iburst\npool pool.lab.example iburst');
    await startChronyd(conf, () => /^0,0,0,0,[1-9]\d*$/m.test(chronyc('-c', 'activity')), 'chronyd answering activity with unresolved sources');
    const report = diagnose(conf);
    const f = report.findings.find((x) => x.rule === 'sources-not-polled');
    // On failure, say what diagnose read of chronyd (its daemon-state observation), not only which rules fired.
    expect(f, JSON.stringify({ rules: report.findings.map((x) => x.rule), chronyd: report.findings.flatMap((x) => x.evidence.map((e) => e.text)) })).toBeDefined();
    expect(f!.title).toMatch(/^chronyd polls nothing: \d+ sources whose name never resolved$/);
    const text = f!.evidence.map((e) => e.text).join('\n');
    expect(text).toContain('ntp1.lab.example has no address yet');
    expect(text).toContain('pool.lab.example has no address yet');
    expect(report.findings.some((x) => x.rule === 'source-unreachable')).toBe(false);
    expect(report.findings.filter((x) => x.severity === 'error')[0]!.rule).toBe('sources-not-polled');
  }, 90_000);

  it('NTPsec ntpd as client of the same server: flash TEST11 (peer_dist) → source-rejected, no source-unreachable', async () => {
    if (chronyd) await lab.stop(chronyd);
    await lab.until(10, 'chronyd gone from the client', () => !chronyd || chronyd.exitCode !== null || chronyd.signalCode !== null);
    const conf = join(lab.dir, 'ntp.conf');
    writeFileSync(conf, `server ${NODE0} iburst minpoll 3 maxpoll 3\ndisable kernel\nrestrict 127.0.0.1\nrestrict default kod limited nomodify noquery\n`);
    const ntpd = lab.spawn('ntpd', lab.cli, [NTPSEC_NTPD, '-n', '-c', conf, '-p', join(lab.dir, 'ntpd.pid')]);
    // iburst: the first replies come within seconds; reach > 0 in ntpq's billboard means ntpd heard the server.
    await lab.until(60, 'ntpd hears the server (reach > 0)', () => {
      if (ntpd.exitCode !== null) throw new Error(`ntpd exited: ${lab.log('ntpd')}`);
      return parseNtpqPeers(lab.run(lab.cli, [NTPQ, '-pn', '127.0.0.1']).stdout).some((p) => p.address === NODE0 && p.reach > 0);
    });
    const report = diagnose(conf);
    const f = report.findings.find((x) => x.rule === 'source-rejected');
    expect(f, JSON.stringify(report.findings.map((x) => x.title))).toBeDefined();
    expect(f!.title).toMatch(/root distance beyond tos maxdist \(root distance ≥ 5\.\d{3} s, limit 1\.5 s\) \[ntpd TEST11 \(peer_dist\)\]/);
    expect(report.findings.some((x) => x.rule === 'source-unreachable')).toBe(false);
  }, 120_000);
});
