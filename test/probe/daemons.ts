/** Configs for the real daemons the lab tests run (never able to set the clock: -x, disable kernel, setpriv). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { Lab } from './lab.js';

export const NTPSEC_NTPD = '/opt/ntpsec/usr/sbin/ntpd';
export const CHRONYD = '/usr/sbin/chronyd';
export const NTPDIG = '/usr/bin/ntpdig';
export const CLI = process.env.NTPDOCTOR_CLI ?? new URL('../../dist/cli.js', import.meta.url).pathname;

/** chronyd serving its local clock at stratum 10 (`local stratum 10`, `allow`), control port off. */
export function startChronyServer(lab: Lab, host: string, extra: string[] = [], port = 123): ChildProcess {
  const dir = join(lab.dir, `chrony-${host}`);
  const conf = `${dir}.conf`;
  writeFileSync(
    conf,
    [`port ${port}`, 'allow', 'local stratum 10', 'cmdport 0', `pidfile ${dir}.pid`, `driftfile ${dir}.drift`, ...extra].join('\n') + '\n',
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

/** ntpdig's one-line result: `2026-… (+0000) +0.000012 +/- 0.000210 198.51.100.1 s10 no-leap` → offset seconds. */
export function ntpdigOffset(output: string): { offset: number; stratum: number } | undefined {
  const m = /\s([+-]\d+\.\d+) \+\/- \d+\.\d+ \S+ s(\d+)/.exec(output);
  return m ? { offset: Number(m[1]), stratum: Number(m[2]) } : undefined;
}

/** chronyd -Q: `System clock wrong by 0.500031 seconds (ignored)`; same sign as our offset (measured: serve --fault offset:0.5 gives +0.5 in both). */
export function chronyQueryOffset(output: string): number | undefined {
  const m = /System clock wrong by (-?\d+\.\d+) seconds/.exec(output);
  return m ? Number(m[1]) : undefined;
}

export function chronyQuery(lab: Lab, host: string, server: string, timeoutS = 15): { status: number; out: string } {
  const base = join(lab.dir, `chronyq-${host}-${server.replace(/[:.]/g, '_')}`);
  writeFileSync(`${base}.conf`, `server ${server} iburst maxsamples 4\ncmdport 0\npidfile ${base}.pid\n`);
  return lab.execStatus(host, [CHRONYD, '-x', '-Q', '-t', String(timeoutS), '-f', `${base}.conf`], (timeoutS + 10) * 1000);
}
