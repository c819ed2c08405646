/** Observation builders for the clock and platform rules (no-clock-control, kernel-unsynchronized, hypervisor-time-sync, clocksource-unstable), from recorded /proc text. */
import { readFileSync } from 'node:fs';
import { parseCaps } from '../../src/inspect/clock-control.js';
import type { ClockControlObservation, KernelClockObservation, PlatformClockObservation } from '../../src/model/node.js';
import type { DaemonStateObservation } from '../../src/model/daemon.js';

const FIX = new URL('../inspect/fixtures/clock/', import.meta.url);
export const fixture = (name: string): string => readFileSync(new URL(name, FIX), 'utf8');

/** CapEff / CapBnd as recorded from a process under `setpriv --bounding-set -sys_time` (000001fffcffffff). */
export const NO_SYS_TIME = parseCaps(fixture('proc-status-no-sys-time.txt'))!;
/** As recorded from a root shell here (000001fffeffffff: bit 25 set). */
export const ROOT_CAPS = parseCaps(fixture('proc-status-root.txt'))!;

type Daemon = ClockControlObservation['daemons'][number];

export function ccDaemon(over: Partial<Daemon> = {}): Daemon {
  return { name: 'ntpd', pid: 4242, argv: ['/usr/sbin/ntpd', '-n', '-c', '/etc/ntpsec/ntp.conf'], caps: NO_SYS_TIME, noClockOption: false, ...over };
}

export function clockControl(daemons: Daemon[], over: Partial<ClockControlObservation> = {}): ClockControlObservation {
  return { kind: 'clock-control', source: 'node', daemons, container: { signs: [] }, logLines: [], ...over };
}

export function kernelClock(synchronized: boolean, over: Partial<KernelClockObservation> = {}): KernelClockObservation {
  return synchronized
    ? { kind: 'kernel-clock', source: 'node', via: 'adjtimex(2) modes 0 (perl)', synchronized, status: 0x2001, flags: ['PLL', 'NANO'], maxerror: 0.0125, reasons: [], ...over }
    : { kind: 'kernel-clock', source: 'node', via: 'adjtimex(2) modes 0 (perl)', synchronized, status: 0x6041, flags: ['PLL', 'UNSYNC', 'NANO', 'MODE'], maxerror: 16, reasons: ['STA_UNSYNC set (status 0x6041: PLL,UNSYNC,NANO,MODE)', 'maxerror 16.0 s ≥ 16 s'], ...over };
}

/** chronyc tracking of a chronyd synchronised to 198.51.100.1 (Leap status Normal). */
export function chronySynced(): DaemonStateObservation {
  return {
    kind: 'daemon-state',
    source: 'daemon',
    daemon: 'chronyd',
    via: 'chronyc -c -n sources/sourcestats/tracking',
    uptime: 3600,
    sources: [{ address: '198.51.100.1', kind: 'server', state: '*', selected: true, reach: 255, stratum: 2, poll: 6 }],
    system: { stratum: 3, leap: 0, refid: 'C6336401', synchronized: true, offset: 0.00002 },
  };
}

/** The platform under the daemon: nothing seen unless `over` says so. */
export function platform(over: Partial<PlatformClockObservation> = {}): PlatformClockObservation {
  return { kind: 'platform-clock', source: 'node', kernelEvents: [], hypervisorSync: [], ptpClocks: [], ntpdPanics: [], ...over };
}
