import { defineRule } from '../src/diagnose/define.js';
import type { Evidence, Hit } from '../src/diagnose/types.js';
import type { PlatformClockObservation } from '../src/model/node.js';
import { note } from './_lib/evidence.js';
import { cmd, draft, type Draft, ranked, words } from './_lib/fixes.js';
import { file, writeTo } from '../src/shell/command.js';

/** Clocksources that are slow to read or known to drift when they stand in for the TSC. */
const FALLBACK = new Set(['hpet', 'acpi_pm', 'jiffies', 'refined-jiffies', 'pit']);
/** Clocksources a healthy machine (or VM) normally runs on. */
const GOOD = ['tsc', 'kvm-clock', 'hyperv_clocksource_tsc_page', 'xen', 'arch_sys_counter'];

const CS = '/sys/devices/system/clocksource/clocksource0';

/**
 * The kernel's clocksource is not the one it should be: the clocksource watchdog (kernel/time/clocksource.c,
 * clocksource_watchdog) marked the TSC unstable because it disagreed with hpet/acpi_pm by more than the
 * uncertainty margin, and the kernel fell back to a slower, coarser clock; or hpet/acpi_pm is current while a
 * better one is available. Time daemons then see a clock whose frequency jumps: chronyd's frequency estimate runs
 * far off, ntpd logs "frequency error N PPM exceeds tolerance 500 PPM" and keeps stepping.
 */
export default defineRule({
  meta: {
    id: 'clocksource-unstable',
    summary: "The kernel dropped the TSC as unstable, or runs on a slow fallback clocksource (hpet, acpi_pm)",
    severity: 'warning',
    confidence: 0.7,
    priority: 32,
    why:
      'Linux keeps time by reading one clocksource. Its watchdog compares the TSC with hpet or acpi_pm every 0.5 s; ' +
      "when they disagree by more than the margin it logs \"Marking clocksource 'tsc' as unstable because the skew is " +
      'too large" and switches to the watchdog clock, which is slower to read (microseconds per call under load) and, ' +
      'in VMs, often drifts with the host\'s load. The daemon then fights a clock whose rate changes: chronyd\'s ' +
      'frequency (chronyc tracking) runs to hundreds of ppm, ntpd logs "frequency error N PPM exceeds tolerance 500 PPM" ' +
      '(its limit, RFC 5905 §11.3 PPM 500e-6) and steps again and again. The cause is below the daemon: BIOS power ' +
      'settings (C-states), a firmware bug, an overcommitted or outdated hypervisor, or a live migration. Forcing ' +
      '`clocksource=tsc` or `tsc=reliable` hides the watchdog and is only safe on hardware known to have a stable, ' +
      'synchronised TSC (constant_tsc and nonstop_tsc in /proc/cpuinfo).',
    references: [
      'Linux kernel/time/clocksource.c (clocksource_watchdog: "Marking clocksource \'%s\' as unstable", "Switched to clocksource %s")',
      'Linux arch/x86/kernel/tsc.c ("Marking TSC unstable due to %s")',
      'Linux Documentation/admin-guide/kernel-parameters.txt (clocksource=, tsc=reliable)',
      'RFC 5905 §11.3 (PPM 500 ppm frequency tolerance)',
      'Red Hat: "Clocksource tsc unstable" (RHEL tuning guide, clocksource)',
    ],
  },
  match(ctx) {
    const hits: Hit[] = [];
    for (const p of ctx.of('platform-clock')) {
      const hit = judge(p);
      if (hit) hits.push(hit);
    }
    return hits;
  },
});

function judge(p: PlatformClockObservation): Hit | undefined {
  const cs = p.clocksource;
  // A VM that runs on kvm-clock (or any good clocksource) lost nothing when the TSC was dropped beside it.
  const onGood = cs !== undefined && GOOD.includes(cs.current);
  const unstable = p.kernelEvents.filter((e) => e.event === 'unstable' && !(onGood && e.clocksource !== cs.current && !e.clocksource.startsWith(`${cs.current}-`)));
  const slowCurrent = cs !== undefined && FALLBACK.has(cs.current);
  const better = cs?.available.filter((n) => GOOD.includes(n)) ?? [];
  if (unstable.length === 0 && !(slowCurrent && better.length > 0)) return undefined;
  const evidence: Evidence[] = unstable.slice(0, 3).map((e) => note(`${e.via}: ${e.line}`));
  const switched = p.kernelEvents.filter((e) => e.event === 'switched').at(-1);
  if (switched && unstable.length) evidence.push(note(`${switched.via}: ${switched.line}`));
  if (cs) evidence.push(note(`${CS}/current_clocksource: ${cs.current}; available: ${cs.available.join(' ') || '(none)'}`));
  if (p.virtualization) evidence.push(note(`This is a virtual machine (${p.virtualization}): the host's load and migrations move the TSC`));

  const fixes: Draft[] = [
    draft(
      'generic',
      "Find why the watchdog disagreed: BIOS power and C-state settings, firmware updates, or (in a VM) the hypervisor's version and overcommit; read the kernel's own lines first",
      [cmd('journalctl', '-k', '-b', '--grep', 'clocksource|tsc'), cmd('grep', '-c', '-w', '-E', 'constant_tsc|nonstop_tsc|tsc_reliable', '/proc/cpuinfo'), cmd('cat', file(`${CS}/available_clocksource`))],
      cmd('cat', file(`${CS}/current_clocksource`)),
      'tsc, or kvm-clock in a KVM guest',
    ),
  ];
  const tscAvailable = cs?.available.includes('tsc') ?? false;
  if (slowCurrent && tscAvailable) {
    fixes.push(
      draft(
        'generic',
        'Try the TSC until the next boot (the watchdog switches back if it misbehaves again); only then make it permanent with the kernel parameter clocksource=tsc, on hardware with constant_tsc and nonstop_tsc',
        [writeTo(cmd('echo', 'tsc'), `${CS}/current_clocksource`)],
        words('chronyc tracking'),
        `Frequency within ±100 ppm after an hour (and cat ${CS}/current_clocksource says tsc)`,
      ),
    );
  }
  const title = unstable.length
    ? `The kernel marked clocksource '${unstable[0]?.clocksource}' unstable${cs ? ` and runs on ${cs.current}` : ''}: the daemon disciplines a clock whose rate jumps`
    : `The kernel keeps time with ${cs?.current} although ${better.join(', ')} is available: a slow fallback clock`;
  const hit: Hit = { subject: 'this node', title, evidence, fixes: ranked(fixes) };
  // A fallback clocksource without the watchdog's message may be a deliberate boot parameter.
  if (!unstable.length) {
    hit.severity = 'info';
    hit.confidence = 0.5;
  }
  return hit;
}
