/**
 * systemd-timesyncd for real (issue 12 item 5): Debian's binary, unpacked into /opt/timesyncd by
 * scripts/setup.sh (never installed as a service), runs in the client namespace inside a private mount namespace
 * (tmpfs over /run, /var/lib/systemd, /etc/systemd and the D-Bus policy dir: the host's state is never touched)
 * as user systemd-timesync without CAP_SYS_TIME, next to a private `dbus-daemon --system` so timedatectl
 * answers. `ntpdoctor serve` in the server namespace is its NTP server, with faults. Then `ntpdoctor diagnose`
 * runs in that same mount namespace and must treat timesyncd's NTP= server as configured, ask timedatectl, and
 * judge the server; timesyncd's own log and timedatectl's answers parse into the daemon state the rules read.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/diagnose/types.js';
import { parseTimesyncdConf } from '../../src/inspect/config/timesyncd-conf.js';
import { timesyncdStateFrom } from '../../src/inspect/daemon/timesyncd.js';
import { parseShowTimesync, parseTimesyncdLog } from '../../src/inspect/daemon/timesyncd-parse.js';
import { CLI, ensureCli, Lab, labUnavailable, NODE0, SETPRIV } from './_lab.js';
import { parseReport } from '../_schema.js';

const TIMESYNCD = '/opt/timesyncd/lib/systemd/systemd-timesyncd';
let why = labUnavailable([TIMESYNCD, 'dbus-daemon', 'timedatectl', 'unshare', 'setpriv', 'ss']);
if (!why && spawnSync('getent', ['passwd', 'systemd-timesync']).status !== 0) why = 'no systemd-timesync user (scripts/setup.sh adds it)';
if (why) process.stderr.write(`SKIPPED: systemd-timesyncd lab (${why})\n`);

const CONF = `[Time]\nNTP=${NODE0}\nPollIntervalMinSec=16\n`;

/** The client side, run as one script inside `unshare -m`: everything it starts it stops by PID on exit. */
function clientScript(dir: string, waitFor: string): string {
  return `set -u
trap 'kill $TS $DBUS 2>/dev/null; wait 2>/dev/null' EXIT
mount -t tmpfs tmpfs /run
mount -t tmpfs -o mode=0755 tmpfs /var/lib/systemd
mkdir -p /var/lib/systemd/timesync /run/systemd/timesync /run/dbus /run/systemd/system
chown systemd-timesync: /var/lib/systemd/timesync /run/systemd/timesync
mount -t tmpfs tmpfs /etc/systemd
cp ${dir}/timesyncd.conf /etc/systemd/timesyncd.conf
# No other daemon's config from the host, and names resolve nowhere (DNS never leaves the machine).
for d in /etc/chrony /etc/ntpsec; do [ -d $d ] && mount -t tmpfs tmpfs $d; done
[ -e /etc/ntp.conf ] && mount --bind /dev/null /etc/ntp.conf
echo 'nameserver 127.0.0.1' > ${dir}/resolv.conf && mount --bind ${dir}/resolv.conf /etc/resolv.conf
mount -t tmpfs tmpfs /etc/dbus-1/system.d
cp /opt/timesyncd/usr/share/dbus-1/system.d/org.freedesktop.timesync1.conf /etc/dbus-1/system.d/
dbus-daemon --system --nofork --nopidfile > ${dir}/dbus.log 2>&1 &
DBUS=$!
for i in $(seq 100); do [ -S /run/dbus/system_bus_socket ] && break; sleep 0.1; done
setpriv --reuid systemd-timesync --regid systemd-timesync --clear-groups ${SETPRIV.slice(1).join(' ')} env SYSTEMD_LOG_LEVEL=debug SYSTEMD_LOG_TARGET=console ${TIMESYNCD} > ${dir}/timesyncd.log 2>&1 &
TS=$!
for i in $(seq 600); do grep -q '${waitFor}' ${dir}/timesyncd.log && break; sleep 0.1; done
timeout 10 timedatectl show-timesync --all > ${dir}/show-timesync.txt 2>&1
T0=$(date +%s%N)
timeout 60 node ${CLI} diagnose --json > ${dir}/diagnose.json 2> ${dir}/diagnose.err
echo $(( ($(date +%s%N) - T0) / 1000000 )) > ${dir}/diagnose.ms
exit 0
`;
}

describe.skipIf(why !== undefined)('systemd-timesyncd in the lab', () => {
  const lab = new Lab('ts');

  /** One scenario: serve with `faults`, timesyncd until its log says `waitFor`, then diagnose. */
  async function scenario(name: string, faults: string[], waitFor: string): Promise<{ report: Report; log: string; show: string }> {
    const dir = join(lab.dir, name);
    spawnSync('mkdir', ['-p', dir]);
    const serve = lab.spawn(`serve-${name}`, lab.srv, ['node', CLI, 'serve', '--listen', `${NODE0}:123`, '--allow', '198.51.100.0/24', '--stratum', '2', ...faults]);
    try {
      await lab.until(20, 'ntpdoctor serve on UDP 123', () => {
        if (serve.exitCode !== null) throw new Error(`serve exited: ${lab.log(`serve-${name}`)}`);
        return lab.udpBound(lab.srv, 123);
      });
      writeFileSync(join(dir, 'timesyncd.conf'), CONF);
      writeFileSync(join(dir, 'client.sh'), clientScript(dir, waitFor));
      const r = spawnSync('ip', ['netns', 'exec', lab.cli, ...SETPRIV, 'unshare', '-m', '--propagation', 'private', 'bash', join(dir, 'client.sh')], { encoding: 'utf8', timeout: 150_000 });
      const log = readFileSync(join(dir, 'timesyncd.log'), 'utf8');
      expect(log, `timesyncd never logged "${waitFor}"; client: ${r.stderr}`).toContain(waitFor);
      expect(readFileSync(join(dir, 'diagnose.err'), 'utf8')).toBe('');
      const ms = Number(readFileSync(join(dir, 'diagnose.ms'), 'utf8'));
      process.stderr.write(`timesyncd lab ${name}: diagnose took ${ms} ms\n`);
      // Issue 12: diagnose still finishes in under 10 s on a failing node.
      expect(ms).toBeLessThan(10_000);
      return { report: parseReport<Report>(readFileSync(join(dir, 'diagnose.json'), 'utf8')), log, show: readFileSync(join(dir, 'show-timesync.txt'), 'utf8') };
    } finally {
      await lab.stop(serve);
    }
  }

  beforeAll(() => {
    ensureCli();
    lab.up();
  }, 60_000);

  afterAll(async () => {
    await lab.down();
  });

  const nodeInput = (r: Report) => r.inputs.find((i) => i.kind === 'node') as unknown as { daemons: string[]; configs: string[]; unseen?: string[] };
  const config = parseTimesyncdConf([{ file: '/etc/systemd/timesyncd.conf', text: CONF }]);

  it('root dispersion 6 s: timesyncd disconnects ("too large root distance", limit 5 s); diagnose probes its NTP= server', async () => {
    const { report, log, show } = await scenario('rd', ['--fault', 'dispersion:6'], 'Server has too large root distance');
    const st = timesyncdStateFrom({ show: parseShowTimesync(show), log: parseTimesyncdLog(log), config }, ['lab']);
    expect(st.sources[0]).toMatchObject({ address: NODE0, selected: false, rejected: { test: 'root-distance', limit: 5, limitFrom: 'default' } });
    const node = nodeInput(report);
    expect(node.daemons.some((d) => d.startsWith('systemd-timesyncd['))).toBe(true);
    expect(node.configs).toContain('/etc/systemd/timesyncd.conf');
    // timedatectl answered over the private bus: no D-Bus gap.
    expect((node.unseen ?? []).filter((u) => u.includes('D-Bus'))).toEqual([]);
    const probe = report.inputs.find((i) => i.kind === 'probe') as unknown as { name: string; from: string };
    expect(probe).toMatchObject({ name: `${NODE0}:123`, from: '/etc/systemd/timesyncd.conf:2' });
    // The lab has no journal: diagnose sees timesyncd's state through timedatectl only, so the verdict comes from
    // the probe of its NTP= server (timesyncd's logged verdict feeds source-rejected where journald has it:
    // test/node/timesyncd-rules.test.ts, on this run's recorded log).
    const rules = report.findings.map((f) => f.rule);
    expect(rules[0], JSON.stringify(rules)).toBe('root-distance-too-large');
    expect(rules).not.toContain('source-unreachable');
  }, 200_000);

  it('silence: "Timed out waiting for reply"; diagnose says no reply', async () => {
    const { report, log } = await scenario('silence', ['--fault', 'silence'], 'Timed out waiting for reply');
    const st = timesyncdStateFrom({ log: parseTimesyncdLog(log), config }, ['lab']);
    expect(st.sources[0]).toMatchObject({ address: NODE0, selected: false });
    expect(st.sources[0]!.noReply!.count).toBeGreaterThanOrEqual(1);
    expect(report.findings[0]!.rule).toBe('no-response');
  }, 200_000);

  it('healthy: it contacts the server (clock_adjtime fails without CAP_SYS_TIME); nothing about the server is wrong', async () => {
    const { report, log, show } = await scenario('ok', [], 'Contacted time server');
    const st = timesyncdStateFrom({ show: parseShowTimesync(show), log: parseTimesyncdLog(log), config }, ['lab']);
    expect(st.sources[0]).toMatchObject({ address: NODE0, selected: true, stratum: 2 });
    expect(st.timesyncd?.adjtimeFailed?.message).toBe('Failed to call clock_adjtime(): Operation not permitted');
    expect(report.findings.filter((f) => f.subject === NODE0)).toEqual([]);
  }, 200_000);
});
