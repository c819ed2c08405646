/**
 * Proof in the lab (issue 12 item 2): real NTPsec ntpd started the way every lab daemon is, under
 * `setpriv --bounding-set -sys_time` (so the kernel refuses it the clock), in a network namespace of its own.
 * `ntpdoctor diagnose` run beside it must report no-clock-control for that ntpd with the CapEff / CapBnd it read
 * from /proc, rank it behind nothing it does not explain, and the daemon's own log must carry the EPERM lines the
 * rule's journal patterns match. And real chronyd without -x, in the same sandbox, must die with the fatal error the
 * rule reads from the journal.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/diagnose/types.js';
import { refusedLines } from '../../src/inspect/clock-control.js';
import { CLI, ensureCli, Lab, labUnavailable, NTPSEC_NTPD, SETPRIV } from './_lab.js';
import { parseReport } from '../_schema.js';

const why = labUnavailable([NTPSEC_NTPD, 'chronyd', 'setpriv', 'ss']);
if (why) process.stderr.write(`SKIPPED: node lab clock control (${why})\n`);

describe.skipIf(why !== undefined)('no-clock-control in the lab (real ntpsec ntpd and chronyd without CAP_SYS_TIME)', () => {
  const lab = new Lab('ck');
  let conf = '';
  let pid = 0;

  beforeAll(async () => {
    ensureCli();
    lab.up();
    conf = join(lab.dir, 'ntp.conf');
    // `disable kernel` as every lab ntpd (docs/architecture.md, "Real peers, never mocks"); the local clock keeps it from polling anything outside.
    writeFileSync(conf, `driftfile ${lab.dir}/ntp.drift\ndisable kernel\nrestrict 127.0.0.1\nserver 127.127.1.0\nfudge 127.127.1.0 stratum 10\n`);
    const daemon = lab.spawn('ntpd', lab.srv, [NTPSEC_NTPD, '-n', '-c', conf, '-p', `${lab.dir}/ntpd.pid`]);
    await lab.until(15, 'ntpd on UDP 123 and its pid file', () => {
      if (daemon.exitCode !== null) throw new Error(`ntpd exited: ${lab.log('ntpd')}`);
      try {
        pid = Number(readFileSync(`${lab.dir}/ntpd.pid`, 'utf8').trim());
      } catch {
        return false;
      }
      return pid > 0 && lab.udpBound(lab.srv, 123);
    });
  }, 60_000);

  afterAll(async () => {
    await lab.down();
  });

  it('reports the ntpd by pid with the CapEff / CapBnd read from /proc, as a warning that explains nothing on the network', async () => {
    const r = lab.run(lab.srv, ['node', CLI, 'diagnose', '--json', '--no-probe', '--config', conf]);
    expect(r.stderr).toBe('');
    const report = parseReport<Report>(r.stdout);
    const f = report.findings.find((x) => x.rule === 'no-clock-control');
    expect(f, r.stdout.slice(0, 2000)).toBeDefined();
    expect(f!.subject).toBe(`ntpd[${pid}]`);
    expect(f!.severity).toBe('warning');
    const ev = f!.evidence.map((e) => e.text).join('\n');
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const eff = /^CapEff:\s*(\w+)/m.exec(status)![1]!;
    expect((BigInt(`0x${eff}`) >> 25n) & 1n).toBe(0n);
    expect(ev).toContain(`/proc/${pid}/status CapEff ${eff}: bit 25 (CAP_SYS_TIME) is clear`);
    expect(ev).toMatch(/CapBnd [0-9a-f]+: bit 25 is clear in the bounding set too/);
    // PID 1 here (the machine's own init, outside setpriv) decides who took it: the launcher or the runtime.
    const init = /^CapBnd:\s*(\w+)/m.exec(readFileSync('/proc/1/status', 'utf8'))?.[1];
    if (init !== undefined && (BigInt(`0x${init}`) >> 25n) & 1n) expect(ev).toContain('while PID 1 here still has it');
    expect(f!.explains ?? []).toEqual([]);
    // Nothing more serious is put behind it: every error comes first.
    const at = report.findings.indexOf(f!);
    expect(report.findings.slice(at).some((x) => x.severity === 'error')).toBe(false);
    // Its own log says why, in the words the journal patterns look for.
    await lab.until(10, 'ntpd logging its EPERM', () => refusedLines(lab.log('ntpd')).length > 0);
    expect(refusedLines(lab.log('ntpd')).join('\n')).toMatch(/ntp_adjtime: Operation not permitted/);
  });

  it('real chronyd without -x in the same sandbox exits with the fatal error the rule reads from the journal', () => {
    const cfg = join(lab.dir, 'chrony.conf');
    // `bindcmdaddress /`: no Unix socket at the host-wide /run/chrony path another lab's chronyd may hold (files run two at a time).
    writeFileSync(cfg, `pidfile ${lab.dir}/chronyd.pid\ndriftfile ${lab.dir}/chrony.drift\nbindcmdaddress /\ncmdport 0\nport 0\n`);
    const r = spawnSync('ip', ['netns', 'exec', lab.cli, ...SETPRIV, 'chronyd', '-d', '-f', cfg], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).not.toBe(0);
    const lines = refusedLines(r.stdout + r.stderr);
    expect(lines.some((l) => /Fatal error : adjtimex\(0x8001\) failed : Operation not permitted/.test(l)), r.stderr).toBe(true);
  });
});
