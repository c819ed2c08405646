/** One triggering set of observations per node rule, for test/rules/meta.test.ts (spread into its TRIGGERS). */
import type { Observation } from '../../src/model/observation.js';
import { ccDaemon, chronySynced, clockControl, kernelClock } from './_clock.js';
import { recordedChrony } from './_daemon.js';
import { chronySeesNts, ntsProbe } from './_nts.js';
import { centosReject, chronyConfig, chronySeesUnreachable, daemon, daemons, iface, LOOPBACK, localAddresses, ntpdConfig } from './_build.js';

const node0 = () => localAddresses([iface(), LOOPBACK]);

export const NODE_TRIGGERS: Readonly<Record<string, () => Observation[]>> = {
  'local-clock-mismatch': () => [ntpdConfig('seed000-node0-final.ntp.conf')],
  'local-clock-missing': () => [node0(), ntpdConfig('seed000-node0-first.ntp.conf')],
  'restrict-notrust': () => [ntpdConfig('seed002-notrust.ntp.conf')],
  'restrict-blocks-clients': () => [ntpdConfig('ntp-default-ignore.ntp.conf')],
  'chrony-allow-missing': () => [chronyConfig('chrony-server-deny-all.conf')],
  'firewall-blocks-ntp': () => [node0(), ntpdConfig('seed000-node0-first.ntp.conf'), centosReject()],
  'daemon-not-running': () => [daemons([], { configsOnDisk: ['/etc/ntp.conf'], os: { id: 'centos', like: ['rhel', 'fedora'] } })],
  'source-unreachable': () => [chronySeesUnreachable()],
  'makestep-missing': () => [chronyConfig('chrony.conf', 'server 10.0.0.1 iburst\n')],
  'noquery-missing': () => [ntpdConfig('seed000-node0-first.ntp.conf')],
  'single-upstream': () => [chronyConfig('chrony.conf', 'server 10.0.0.1 iburst\n')],
  'unknown-directive': () => [ntpdConfig('ntp.conf', 'sever 10.0.0.1 iburst\nrestrict default noquery\n')],
  'no-clock-control': () => [clockControl([ccDaemon()], { container: { kind: 'docker', signs: ['/.dockerenv exists'] } })],
  'kernel-unsynchronized': () => [kernelClock(false), chronySynced(), chronyConfig('chrony.conf', 'server 198.51.100.1 iburst\nmakestep 1 3\n')],
  'source-rejected': () => [recordedChrony('distance')],
  'sources-not-polled': () => [recordedChrony('names')],
  'nts-ke-failure': () => [chronyConfig('chrony.conf', 'server nts.example.test iburst nts\n', { names: { 'nts.example.test': ['198.51.100.100'] } }), ntsProbe('refused'), chronySeesNts(false)],
  'hypervisor-time-sync': () => [
    daemons([daemon('chronyd', 612, ['/usr/sbin/chronyd'])]),
    { kind: 'platform-clock', source: 'node', virtualization: 'vmware', kernelEvents: [], ptpClocks: [], ntpdPanics: [], hypervisorSync: [{ tool: 'vmware-tools', enabled: true, evidence: 'vmtoolsd runs (pid 812); `vmware-toolbox-cmd timesync status`: Enabled', pid: 812 }] },
  ],
  'clocksource-unstable': () => [
    {
      kind: 'platform-clock', source: 'node', hypervisorSync: [], ptpClocks: [], ntpdPanics: [],
      clocksource: { current: 'hpet', available: ['hpet', 'acpi_pm'] },
      kernelEvents: [{ event: 'unstable', clocksource: 'tsc', via: 'dmesg', line: "clocksource: timekeeping watchdog on CPU67: Marking clocksource 'tsc' as unstable because the skew is too large:" }],
    },
  ],
  'leap-smear-mix': () => [chronyConfig('chrony.conf', 'server time.google.com iburst\npool 2.pool.ntp.org iburst\n')],
  'inspection-incomplete': () => [
    { kind: 'inspection-gap', source: 'node', area: 'firewall', what: 'nftables ruleset', why: '`nft -j list ruleset` needs privileges (Operation not permitted): run ntpdoctor as root to see it' },
  ],
};
