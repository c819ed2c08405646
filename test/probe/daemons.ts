/** Configs for the real daemons the lab tests run (never able to set the clock: -x, disable kernel, setpriv). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { ExecResult, Lab } from './lab.js';

export const NTPSEC_NTPD = '/opt/ntpsec/usr/sbin/ntpd';
export const CHRONYD = '/usr/sbin/chronyd';
export const NTPDIG = '/usr/bin/ntpdig';
export const CLI = process.env.NTPDOCTOR_CLI ?? new URL('../../dist/cli.js', import.meta.url).pathname;

/** chronyd serving its local clock at stratum 10 (`local stratum 10`, `allow`), control port and Unix socket off (the host-wide /run/chrony socket stays free for other labs: test files run two at a time). */
export function startChronyServer(lab: Lab, host: string, extra: string[] = [], port = 123): ChildProcess {
  const dir = join(lab.dir, `chrony-${host}`);
  const conf = `${dir}.conf`;
  writeFileSync(
    conf,
    [`port ${port}`, 'allow', 'local stratum 10', 'bindcmdaddress /', 'cmdport 0', `pidfile ${dir}.pid`, `driftfile ${dir}.drift`, ...extra].join('\n') + '\n',
  );
  return lab.spawn(host, [CHRONYD, '-x', '-d', '-f', conf]);
}

/**
 * ntpsec ntpd. `disable kernel` keeps it off the kernel clock discipline. A standalone server uses orphan mode
 * (`tos orphan 10`) or the local clock driver (NTPSEC_LOCAL_CLOCK). `restrict default` alone lets it serve time
 * but not answer mode 6 (ntpq) from the network (measured, ntpsec 1.2.2): add RESTRICT_LAN for that.
 */
/**
 * The local clock at stratum 10 (ntp.conf(5) `refclock local`; replies carry stratum 11, refid 127.127.1.0).
 * `tos orphanwait 1` and a 1 s local-clock poll make it synchronize in ~5 s instead of ~300 s (test/lab/daemons.sh).
 */
export const NTPSEC_LOCAL_CLOCK = ['refclock local stratum 10 minpoll 0 maxpoll 0', 'tos orphanwait 1'];

/** The seed's LAN line: an explicit entry without `noquery`, so ntpsec answers ntpq (mode 6) from the lab's net. */
export const RESTRICT_LAN = 'restrict 198.51.100.0 mask 255.255.255.0 nomodify notrap';

export function startNtpsec(lab: Lab, host: string, lines: string[]): ChildProcess {
  const base = join(lab.dir, `ntpsec-${host}`);
  writeFileSync(
    `${base}.conf`,
    ['disable kernel', `driftfile ${base}.drift`, 'restrict default', 'restrict -6 default', ...lines].join('\n') + '\n',
  );
  return lab.spawn(host, [NTPSEC_NTPD, '-n', '-c', `${base}.conf`]);
}

/**
 * ntpdig's one-line result: `2026-… (+0000) +0.000012 +/- 0.000210 198.51.100.1 s10 no-leap` → offset seconds,
 * and the `+/-` figure, its synchronization distance |δ/2 + ε| (ntp/packet.py synchd()): it grows with the delay.
 */
export function ntpdigOffset(output: string): { offset: number; stratum: number; distance: number } | undefined {
  const m = /\s([+-]\d+\.\d+) \+\/- (\d+\.\d+) \S+ s(\d+)/.exec(output);
  return m ? { offset: Number(m[1]), distance: Number(m[2]), stratum: Number(m[3]) } : undefined;
}

/**
 * ntpdig sends one request a run (and with `-p N` keeps the first good one, not the fastest: clock_select sorts by
 * stratum and root delay). For a fair comparison with our lowest-delay sample it is run at least `runs` times and
 * the answer with the smallest distance (lowest delay) is kept, the choice ntpd's clock filter makes (RFC 5905 §10).
 * ntpdig is Python: on a starved CPU its own T4 comes late by a millisecond or more, run after run (measured: best
 * of 5 at −0.9 ms while chronyd -Q said +1 µs, beside two busy loops). So it goes on, up to `maxRuns`, until one
 * answer's distance is under `goodDistance`; `trusted` says whether one was.
 */
export function ntpdigBest(
  lab: Lab,
  host: string,
  server: string,
  { runs = 5, maxRuns = 15, goodDistance = 150e-6 } = {},
): { offset: number; stratum: number; distance: number; all: Array<{ offset: number; distance: number }>; trusted: boolean } | undefined {
  const answers: Array<{ offset: number; stratum: number; distance: number }> = [];
  for (let i = 0; i < maxRuns; i++) {
    const a = ntpdigOffset(lab.execStatus(host, [NTPDIG, '-t', '2', server]).out);
    if (a) answers.push(a);
    if (i + 1 >= runs && answers.some((x) => x.distance <= goodDistance)) break;
  }
  answers.sort((x, y) => x.distance - y.distance);
  const best = answers[0];
  return best ? { ...best, all: answers.map(({ offset, distance }) => ({ offset, distance })), trusted: best.distance <= goodDistance } : undefined;
}

/** chronyd -Q: `System clock wrong by 0.500031 seconds (ignored)`; same sign as our offset (measured: serve --fault offset:0.5 gives +0.5 in both). */
export function chronyQueryOffset(output: string): number | undefined {
  const m = /System clock wrong by (-?\d+\.\d+) seconds/.exec(output);
  return m ? Number(m[1]) : undefined;
}

/**
 * `chronyd -x -Q` (measure, never set) against one server: `iburst maxsamples 4` at chrony's usual spacing, or
 * with `fast` a 0.25 s poll (`minpoll -2 maxpoll -2`, chrony.conf(5)), which brings a verdict on a broken server
 * in ~1.5 s instead of the whole timeout (measured against every serve fault; KoD RATE still waits it out).
 */
export function chronyQuery(lab: Lab, host: string, server: string, timeoutS = 15, fast = false): ExecResult {
  return lab.execStatus(host, chronyQueryArgs(lab, host, server, timeoutS, fast), (timeoutS + 10) * 1000);
}

/** chronyQuery without blocking, beside other clients. */
export function chronyQueryAsync(lab: Lab, host: string, server: string, timeoutS = 15, fast = false): Promise<ExecResult> {
  return lab.execStatusAsync(host, chronyQueryArgs(lab, host, server, timeoutS, fast), (timeoutS + 10) * 1000);
}

/** chronyd's command line for chronyQuery, its config written into the lab's directory. */
function chronyQueryArgs(lab: Lab, host: string, server: string, timeoutS: number, fast: boolean): string[] {
  const base = join(lab.dir, `chronyq-${host}-${server.replace(/[:.]/g, '_')}`);
  const poll = fast ? ' minpoll -2 maxpoll -2' : '';
  writeFileSync(`${base}.conf`, `server ${server} iburst${poll} maxsamples 4\ncmdport 0\npidfile ${base}.pid\n`);
  return [CHRONYD, '-x', '-Q', '-t', String(timeoutS), '-f', `${base}.conf`];
}
