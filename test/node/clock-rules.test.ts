/**
 * no-clock-control and kernel-unsynchronized on crafted observations (capabilities as recorded from /proc here,
 * see test/inspect/fixtures/clock/README.md), and where they rank among the other node rules.
 */
import { describe, expect, it } from 'vitest';
import { makeContext, runRules } from '../../src/diagnose/engine.js';
import type { Hit, Rule } from '../../src/diagnose/types.js';
import type { Observation } from '../../src/model/observation.js';
import { rules } from '../../rules/index.js';
import kernelUnsynchronized from '../../rules/kernel-unsynchronized.js';
import noClockControl from '../../rules/no-clock-control.js';
import { ccDaemon, chronySynced, clockControl, kernelClock, ROOT_CAPS } from './_clock.js';
import { centosReject, chronyConfig, chronySeesUnreachable, daemon, daemons, iface, LOOPBACK, localAddresses, ntpdConfig } from './_build.js';

const hits = (rule: Rule, obs: Observation[]): Hit[] => rule.match(makeContext(obs));
const DOCKER = { kind: 'docker', signs: ['systemd-detect-virt -c: docker', '/.dockerenv exists'] };
const CHRONYD_X = ccDaemon({ name: 'chronyd', pid: 77, argv: ['/usr/sbin/chronyd', '-x', '-F', '2'], caps: { eff: '0', effSysTime: false }, noClockOption: true });

describe('no-clock-control', () => {
  it('ntpd without CAP_SYS_TIME in a container: sync the host first, --cap-add with its consequence second', () => {
    const [h, ...rest] = hits(noClockControl, [clockControl([ccDaemon()], { container: DOCKER })]);
    expect(rest).toEqual([]);
    expect(h!.subject).toBe('ntpd[4242]');
    expect(h!.severity).toBeUndefined(); // the rule's warning
    expect(h!.title).toContain('no CAP_SYS_TIME in this docker container');
    const ev = h!.evidence.map((e) => e.text).join('\n');
    expect(ev).toContain('/proc/4242/status CapEff 000001fffcffffff: bit 25 (CAP_SYS_TIME) is clear');
    expect(ev).toContain('bounding set too');
    expect(ev).toContain('docker container (systemd-detect-virt -c: docker; /.dockerenv exists)');
    expect(h!.fixes[0]!.title).toMatch(/^Sync the host instead/);
    // The image and the container's other options are the user's: --cap-add is a step in words, no `docker run IMAGE`.
    const capAdd = h!.fixes.find((f) => (f.manual ?? []).some((m) => m.includes('--cap-add SYS_TIME')))!;
    expect(capAdd.title).toMatch(/every other container and the host then follow/);
    // The runtime's listing on the host names the container and its image: the one command, no placeholder.
    expect(capAdd.commands).toEqual(["docker ps --format '{{.ID}} {{.Names}} {{.Image}}'"]);
    expect(capAdd.manual![0]).toContain('`docker run` that starts it');
    expect(capAdd.verify).toBe('grep CapEff /proc/self/status');
    expect(JSON.stringify(h!.fixes)).not.toContain('IMAGE');
  });

  it("inside a container whose PID 1 still has the capability (this lab's case): the launcher dropped it, so no --cap-add", () => {
    const [h] = hits(noClockControl, [clockControl([ccDaemon()], { container: { ...DOCKER, initBndSysTime: true } }), daemons([], { os: { id: 'debian', like: [] } })]);
    expect(h!.title).toContain('(dropped by its launcher inside this docker container)');
    expect(h!.evidence.map((e) => e.text).join('\n')).toContain('while PID 1 here still has it');
    const cmds = h!.fixes.flatMap((f) => f.commands);
    expect(JSON.stringify(h!.fixes)).not.toContain('--cap-add');
    expect(cmds).toContain('systemctl restart ntpsec');
    expect(h!.fixes[0]!.title).toMatch(/^Sync the host instead/);
    expect(h!.fixes.at(-1)!.title).toMatch(/steps and slews the clock of the host and every other container/);
  });

  it('outside a container: a systemd drop-in for the right unit, naming the consequence', () => {
    const [h] = hits(noClockControl, [clockControl([ccDaemon()]), daemons([], { os: { id: 'debian', like: [] } })]);
    const fix = h!.fixes[0]!;
    expect(fix.commands).toEqual([
      'mkdir -p /etc/systemd/system/ntpsec.service.d',
      "printf '[Service]\\nCapabilityBoundingSet=CAP_SYS_TIME\\nAmbientCapabilities=CAP_SYS_TIME\\n' > /etc/systemd/system/ntpsec.service.d/clock.conf",
      'systemctl daemon-reload',
      'systemctl restart ntpsec',
    ]);
    expect(fix.title).toContain('Consequence');
    expect(h!.evidence.map((e) => e.text).join('\n')).toContain('a sandbox on this host took the capability');
    const centos = hits(noClockControl, [clockControl([ccDaemon({ argv: ['/usr/sbin/ntpd', '-u', 'ntp:ntp', '-g'] })]), daemons([], { os: { id: 'centos', like: ['rhel'] } })]);
    expect(centos[0]!.fixes[0]!.commands.at(-1)).toBe('systemctl restart ntpd');
  });

  it('the capability inside a user namespace (rootless container) does not reach the clock', () => {
    const [h] = hits(noClockControl, [clockControl([ccDaemon({ caps: ROOT_CAPS, initialUserNs: false })], { container: { kind: 'podman', signs: ['/run/.containerenv exists'] } })]);
    expect(h!.evidence.map((e) => e.text).join('\n')).toContain('only inside a user namespace');
  });

  it('chronyd -x: info by design, a warning when the kernel says nothing else keeps the clock', () => {
    const [info] = hits(noClockControl, [clockControl([CHRONYD_X]), kernelClock(true)]);
    expect(info!.severity).toBe('info');
    expect(info!.title).toBe('chronyd runs with -x: it serves time but never adjusts this clock');
    const [warn] = hits(noClockControl, [clockControl([CHRONYD_X]), kernelClock(false)]);
    expect(warn!.severity).toBe('warning');
    expect(warn!.title).toContain('and nothing else does');
    expect(warn!.evidence.map((e) => e.text).join('\n')).toContain('STA_UNSYNC set');
  });

  it('chronyd died of it (journal) and none runs: an error that folds daemon-not-running', () => {
    const obs: Observation[] = [
      daemons([], { configsOnDisk: ['/etc/chrony/chrony.conf'], os: { id: 'debian', like: [] } }),
      clockControl([], { container: DOCKER, logLines: ['2026-12-06T15:58:15+0000 host chronyd[88]: Fatal error : adjtimex(0x8001) failed : Operation not permitted'] }),
    ];
    const findings = runRules(rules, obs);
    expect(findings.map((f) => f.rule)).toEqual(['no-clock-control']);
    expect(findings[0]).toMatchObject({ severity: 'error', subject: 'this node', explains: ['daemon-not-running'] });
    expect(findings[0]!.evidence[0]!.text).toContain('Fatal error : adjtimex(0x8001) failed');
    // An old line while a daemon runs now says nothing about today.
    const running = [daemons([daemon('chronyd', 5, ['chronyd'])]), clockControl([], { logLines: ['chronyd[88]: Fatal error : adjtimex(0x8001) failed : Operation not permitted'] })];
    expect(hits(noClockControl, running)).toEqual([]);
  });

  it('ranks behind the faults it does not explain: the firewall and an unreachable source stay first, neither folded', () => {
    const fw: Observation[] = [localAddresses([iface(), LOOPBACK]), ntpdConfig('seed000-node0-first.ntp.conf'), centosReject(), clockControl([ccDaemon()])];
    const fwIds = runRules(rules, fw).map((f) => f.rule);
    expect(fwIds[0]).toBe('firewall-blocks-ntp');
    expect(fwIds).toContain('no-clock-control');
    const src = runRules(rules, [chronySeesUnreachable(), clockControl([ccDaemon()])]).map((f) => f.rule);
    expect(src).toEqual(['source-unreachable', 'no-clock-control']);
  });
});

describe('kernel-unsynchronized', () => {
  const CONF = 'server 198.51.100.1 iburst\nmakestep 1 3\n';

  it('chrony without rtcsync: append rtcsync and restart; title names node_exporter', () => {
    const [h, ...rest] = hits(kernelUnsynchronized, [kernelClock(false), chronySynced(), chronyConfig('chrony.conf', CONF, { service: 'chrony' })]);
    expect(rest).toEqual([]);
    expect(h!.title).toBe("The kernel flags the clock unsynchronized while chronyd says it is synchronized: /etc/chrony.conf has no rtcsync: node_exporter's NodeClockNotSynchronising fires on a healthy clock");
    expect(h!.fixes[0]!.commands).toEqual(['echo rtcsync >> /etc/chrony.conf', 'systemctl restart chrony']);
    expect(h!.evidence[0]!.text).toContain('STA_UNSYNC set (status 0x6041: PLL,UNSYNC,NANO,MODE)');
    expect(kernelUnsynchronized.meta.why).toMatch(/NodeClockNotSynchronising/);
    expect(kernelUnsynchronized.meta.why).toMatch(/rtcsync/);
  });

  it('rtcsync already there: no rtcsync fix, lower confidence', () => {
    const [h] = hits(kernelUnsynchronized, [kernelClock(false), chronySynced(), chronyConfig('chrony.conf', `${CONF}rtcsync\n`)]);
    expect(h!.confidence).toBe(0.6);
    expect(h!.fixes.some((f) => f.commands.some((c) => c.includes('rtcsync')))).toBe(false);
    expect(h!.evidence.some((e) => e.line === 3)).toBe(true);
  });

  it('judges the config the running chronyd reads, not a stray one on disk', () => {
    const used = chronyConfig('/etc/chrony/chrony.conf', `${CONF}rtcsync\n`, { inUse: true });
    const stray = chronyConfig('/etc/chrony.conf', CONF, { inUse: false });
    const [h] = hits(kernelUnsynchronized, [kernelClock(false), chronySynced(), used, stray]);
    expect(h!.fixes.flatMap((f) => f.commands).join('\n')).not.toContain('/etc/chrony.conf');
  });

  it('ntpd with `disable kernel`: comment that line out', () => {
    const ntpd = { ...chronySynced(), daemon: 'ntpd' as const, via: 'mode 6 READVAR' };
    const [h] = hits(kernelUnsynchronized, [kernelClock(false), ntpd, ntpdConfig('ntp.conf', 'server 198.51.100.1 iburst\ndisable kernel\n')]);
    expect(h!.fixes[0]!.commands[0]).toBe("sed -i '2s/^/# /' /etc/ntp.conf");
  });
});
