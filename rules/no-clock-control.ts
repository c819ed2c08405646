import { defineRule } from '../src/diagnose/define.js';
import type { Evidence, Hit, RuleContext } from '../src/diagnose/types.js';
import type { ClockControlObservation } from '../src/model/node.js';
import type { TimeDaemonsObservation } from '../src/model/daemon.js';
import { note } from './_lib/evidence.js';
import { cmd, draft, type Draft, op, ranked, thenInWords, words } from './_lib/fixes.js';
import { type Command, file, writeTo } from '../src/shell/command.js';

type Daemon = ClockControlObservation['daemons'][number];

/**
 * A running time daemon cannot adjust this clock: it lacks CAP_SYS_TIME (capabilities(7) bit 25, CapEff in
 * /proc/PID/status), holds it only inside a user namespace (the clock is not namespaced), or is chronyd `-x`.
 * Also: chronyd exited at start because adjtimex(0x8001) was refused (its journal), which is why none runs.
 *
 * Ranking (docs/architecture.md, "Real peers, never mocks": every lab daemon here runs without the capability): a daemon that cannot adjust the clock
 * still polls its sources and still serves, so this is never the cause of a network finding. It does NOT explain
 * source-unreachable or no-response: the capability governs clock writes only (the lab's ntpd without it answers
 * clients and reaches its sources; a chronyd that exited for want of it leaves no source state at all, and then
 * daemon-not-running is what it explains). So: warning behind the network and config faults (priority 85), info
 * for chronyd `-x` (serve-only by design), error only when the daemon died of it.
 */
export default defineRule({
  meta: {
    id: 'no-clock-control',
    summary: 'A time daemon cannot adjust the clock: no CAP_SYS_TIME (containers, sandboxes), chronyd -x, or it exited on adjtimex EPERM',
    severity: 'warning',
    confidence: 0.9,
    priority: 85,
    explains: ['daemon-not-running'],
    why:
      'Adjusting the clock (adjtimex(2) with modes ≠ 0, clock_settime) needs CAP_SYS_TIME (bit 25) in the initial user ' +
      'namespace. Containers drop it by default (Docker, Podman, Kubernetes), systemd units can drop it ' +
      '(CapabilityBoundingSet=), and a capability held inside a user namespace does not reach the clock, which is ' +
      'shared by the host and every container. chronyd then exits at start with "Fatal error : adjtimex(0x8001) failed : ' +
      'Operation not permitted" unless run with -x; ntpd keeps running and logs "ntp_adjtime: Operation not permitted" ' +
      'while the clock runs free. chronyd -x polls and serves but never adjusts the clock, by design. Polling and ' +
      'serving are unaffected either way: this never explains an unreachable source.',
    references: ['capabilities(7) (CAP_SYS_TIME)', 'chronyd(8) (-x)', 'adjtimex(2) (EPERM)', 'user_namespaces(7)', 'docker run --cap-add', 'systemd.exec(5) (CapabilityBoundingSet=, AmbientCapabilities=)'],
  },
  match(ctx) {
    const hits: Hit[] = [];
    const os = ctx.of('time-daemons')[0]?.os;
    const kernel = ctx.of('kernel-clock')[0];
    const kernelNote = kernel && !kernel.synchronized ? [note(`The kernel says the clock is unsynchronized (${kernel.reasons.join('; ')}, via ${kernel.via}): nothing else disciplines it either`)] : [];
    for (const o of ctx.of('clock-control')) {
      const where = containerNote(o);
      for (const d of o.daemons) {
        const hit = daemonHit(d, o, os, where, kernelNote, kernel?.synchronized === false);
        if (hit) hits.push(hit);
      }
      const died = diedOfIt(ctx, o, os, where);
      if (died) hits.push(died);
    }
    return hits;
  },
});

function containerNote(o: ClockControlObservation): Evidence {
  return o.container.kind
    ? note(`This node is a ${o.container.kind} container (${o.container.signs.join('; ')}): the clock belongs to the host`)
    : note('No container signs (systemd-detect-virt -c, /.dockerenv, /run/.containerenv, /proc/1/cgroup): a sandbox on this host took the capability');
}

function unitOf(name: Daemon['name'], argv: readonly string[], os: TimeDaemonsObservation['os']): string {
  const debian = os !== undefined && (os.id === 'debian' || os.id === 'ubuntu' || os.like.includes('debian'));
  if (name === 'chronyd') return debian ? 'chrony' : 'chronyd';
  if (name === 'ntpd') return argv.some((a) => a.includes('ntpsec')) ? 'ntpsec' : debian ? 'ntp' : 'ntpd';
  return name;
}

function daemonHit(d: Daemon, o: ClockControlObservation, os: TimeDaemonsObservation['os'], where: Evidence, kernelNote: Evidence[], kernelUnsync: boolean): Hit | undefined {
  const who = `${d.name}[${d.pid}]`;
  const cmd = note(`${who}: ${d.argv.join(' ').slice(0, 300)}`);
  if (d.noClockOption) {
    // Serve-only by design; worth a warning only when nothing else keeps the clock either.
    return {
      subject: who,
      title: `chronyd runs with -x: it serves time but never adjusts this clock${kernelUnsync ? ', and nothing else does' : ''}`,
      evidence: [cmd, note('chronyd(8) -x: "do not control the system clock" (it logs "Disabled control of system clock")'), ...kernelNote],
      fixes: ranked(chronydXFixes(o, os)),
      severity: kernelUnsync ? 'warning' : 'info',
      confidence: 0.95,
    };
  }
  if (!d.caps) return undefined;
  const namespaced = d.caps.effSysTime && d.initialUserNs === false;
  if (d.caps.effSysTime && !namespaced) return undefined;
  const evidence: Evidence[] = [cmd];
  if (namespaced) evidence.push(note(`/proc/${d.pid}/status CapEff ${d.caps.eff} holds CAP_SYS_TIME, but only inside a user namespace (/proc/${d.pid}/uid_map is not the initial 0 0 4294967295): the clock is not namespaced`));
  else {
    evidence.push(note(`/proc/${d.pid}/status CapEff ${d.caps.eff}: bit 25 (CAP_SYS_TIME) is clear`));
    if (d.caps.bnd !== undefined) {
      evidence.push(
        note(
          d.caps.bndSysTime
            ? `CapBnd ${d.caps.bnd} still allows it: ${d.name} dropped it itself (or runs as a user without it)`
            : o.container.initBndSysTime === true
              ? `CapBnd ${d.caps.bnd}: bit 25 is clear in the bounding set too, while PID 1 here still has it: whatever started ${d.name} (systemd CapabilityBoundingSet=, setpriv, a wrapper) took it away, not the ${o.container.kind ? 'container runtime' : 'kernel'}`
              : `CapBnd ${d.caps.bnd}: bit 25 is clear in the bounding set too: whatever started ${d.name} (container runtime, systemd CapabilityBoundingSet=, setpriv) took it away`,
        ),
      );
    }
  }
  evidence.push(where);
  for (const l of o.logLines.filter((l) => l.includes(d.name)).slice(-3)) evidence.push(note(`journal: ${l}`));
  evidence.push(...kernelNote);
  return {
    subject: who,
    title: `${d.name} cannot adjust the clock: no CAP_SYS_TIME${o.container.kind ? (o.container.initBndSysTime === true ? ` (dropped by its launcher inside this ${o.container.kind} container)` : ` in this ${o.container.kind} container`) : ''}; it polls and serves, but the clock runs free`,
    evidence,
    fixes: ranked(capFixes(d, o, os)),
  };
}

/** chronyd is not running, and this boot's journal says it died on adjtimex EPERM: that is why none runs. */
function diedOfIt(ctx: RuleContext, o: ClockControlObservation, os: TimeDaemonsObservation['os'], where: Evidence): Hit | undefined {
  const running = ctx.of('time-daemons').some((t) => t.daemons.length > 0);
  if (running || o.daemons.length > 0) return undefined;
  const fatal = o.logLines.filter((l) => /adjtimex\(0x[0-9a-f]+\) failed|CAP_SYS_TIME not present/i.test(l));
  if (fatal.length === 0) return undefined;
  const chrony: Daemon = { name: 'chronyd', pid: 0, argv: ['chronyd'], noClockOption: false };
  return {
    subject: 'this node',
    title: 'chronyd exits at start: adjtimex(0x8001) failed : Operation not permitted (no CAP_SYS_TIME), so no time daemon runs',
    evidence: [...fatal.slice(-3).map((l) => note(`journal: ${l}`)), where, note('chronyd without -x stops when it cannot control the clock (chronyd(8))')],
    fixes: ranked(capFixes(chrony, o, os)),
    severity: 'error',
  };
}

function chronydXFixes(o: ClockControlObservation, os: TimeDaemonsObservation['os']): Draft[] {
  const unit = unitOf('chronyd', ['chronyd'], os);
  return [
    draft(
      'chrony',
      o.container.kind
        ? 'Nothing to change if this chronyd only serves: keep the host\'s own daemon disciplining the shared clock (check it on the host)'
        : 'Nothing to change if this chronyd only serves: make sure another daemon (or the host, for a guest) disciplines the clock',
      [words('chronyc tracking')],
      words('chronyc tracking'),
      'on the host: Leap status Normal',
    ),
    draft(
      'systemd',
      `Or let chronyd control the clock: remove -x from its options (Debian/Ubuntu: DAEMON_OPTS in /etc/default/chrony; RHEL: OPTIONS in /etc/sysconfig/chronyd), then restart`,
      [cmd('systemctl', 'restart', op(unit))],
      words('ntpdoctor diagnose'),
      'no no-clock-control finding',
    ),
  ];
}

/** On the host, the runtime's list of its containers with their images (which one this is, and what it runs). */
function containerList(kind: string): Command {
  if (kind === 'kubernetes') return cmd('kubectl', 'get', 'pods', '--all-namespaces', '-o', 'wide');
  if (kind === 'lxc') return cmd('lxc-ls', '--fancy');
  return cmd(kind === 'podman' ? 'podman' : 'docker', 'ps', '--format', '{{.ID}} {{.Names}} {{.Image}}');
}

/** Where the capability goes for the container runtime the signs named (src/inspect/clock-control.ts). */
function startWithCap(kind: string): string {
  const compose = 'or with `cap_add: [SYS_TIME]` under its service in the compose file';
  if (kind === 'kubernetes') return 'Add `SYS_TIME` to the container\'s `securityContext.capabilities.add` in the pod spec, and apply it (the pod is recreated)';
  if (kind === 'lxc') return 'Remove `sys_time` from `lxc.cap.drop` in the container\'s config, then restart the container';
  const runtime = kind === 'podman' ? 'podman' : 'docker';
  return `Find this container in that listing (its hostname is the start of its ID unless it was given one), then recreate it with \`--cap-add SYS_TIME\` added to the \`${runtime} run\` that starts it (its other options and image as they are), ${compose}`;
}

function capFixes(d: Daemon, o: ClockControlObservation, os: TimeDaemonsObservation['os']): Draft[] {
  const unit = unitOf(d.name, d.argv, os);
  const fixes: Draft[] = [];
  if (o.container.kind) {
    fixes.push(draft('generic', 'Sync the host instead: the clock is shared by the host and all its containers; run the time daemon on the host and check it there', [words('chronyc tracking')], words('chronyc tracking'), 'on the host: Leap status Normal, small System time'));
    if (d.name === 'chronyd') fixes.push(draft('chrony', 'If this container only serves time to others: run chronyd with -x (serve-only; it stops trying to adjust the clock)', [words('chronyd -x -d')], words('chronyc tracking'), 'served from the host-synchronized clock'));
    // The runtime left the capability (PID 1 has it): --cap-add changes nothing; the daemon's own launcher dropped it.
    if (o.container.initBndSysTime === true) fixes.push(dropIn(d, unit, 'this container already may set the HOST clock, so the daemon then steps and slews the clock of the host and every other container'));
    else
      fixes.push(
        // The image and the way the container is started are the user's: the runtime's own listing names them, and
        // the change is a step in words, never a `docker run` with a placeholder for the image.
        thenInWords(
          draft(
            'generic',
            'Or, if this container really is meant to set the HOST clock: start it with the capability (every other container and the host then follow what this daemon does; never run two such daemons)',
            [containerList(o.container.kind)],
            words('grep CapEff /proc/self/status'),
            'inside: bit 25, 0x2000000, set',
          ),
          [startWithCap(o.container.kind)],
        ),
      );
    return fixes;
  }
  fixes.push(dropIn(d, unit, 'this daemon then steps and slews the system clock'));
  if (d.name === 'chronyd') fixes.push(draft('chrony', 'Or, if this chronyd should only serve: say so with -x, and keep the clock disciplined elsewhere', [words('chronyd -x -d')], words('chronyc tracking')));
  return fixes;
}

/** A systemd drop-in that gives the capability back (the unit name comes from a fixed list, never from the node). */
function dropIn(d: Daemon, unit: string, consequence: string): Draft {
  return draft(
    'systemd',
    `Give ${d.name} the capability back if clock control is intended (its unit or the tool that starts it dropped it): a drop-in for ${unit}.service, then restart. Consequence: ${consequence}`,
    [
      cmd('mkdir', '-p', file(`/etc/systemd/system/${unit}.service.d`)),
      writeTo(cmd('printf', '[Service]\\nCapabilityBoundingSet=CAP_SYS_TIME\\nAmbientCapabilities=CAP_SYS_TIME\\n'), `/etc/systemd/system/${unit}.service.d/clock.conf`),
      words('systemctl daemon-reload'),
      cmd('systemctl', 'restart', op(unit)),
    ],
    words('ntpdoctor diagnose'),
    'no no-clock-control finding',
  );
}
