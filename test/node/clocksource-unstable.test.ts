/** clocksource-unstable: the kernel dropped its clocksource for a worse one (rule tester cases). */
import rule from '../../rules/clocksource-unstable.js';
import { ruleTester } from '../rules/_tester.js';
import { platform } from './_clock.js';

const WATCHDOG = "clocksource: timekeeping watchdog on CPU67: Marking clocksource 'tsc' as unstable because the skew is too large:";

ruleTester.run('clocksource-unstable', rule, {
  valid: [
    { name: 'tsc current', observations: () => [platform({ clocksource: { current: 'tsc', available: ['tsc', 'hpet', 'acpi_pm'] } })] },
    {
      name: 'a KVM guest on kvm-clock whose TSC was dropped beside it lost nothing',
      observations: () => [platform({ clocksource: { current: 'kvm-clock', available: ['kvm-clock', 'hpet'] }, kernelEvents: [{ event: 'unstable', clocksource: 'tsc', via: 'dmesg', line: WATCHDOG }] })],
    },
  ],
  invalid: [
    {
      name: "the watchdog marked tsc unstable, hpet current",
      observations: () => [
        platform({ clocksource: { current: 'hpet', available: ['hpet', 'acpi_pm'] }, kernelEvents: [{ event: 'unstable', clocksource: 'tsc', via: 'dmesg', line: WATCHDOG }] }),
      ],
      findings: [
        {
          subject: 'this node',
          severity: 'warning',
          title: "The kernel marked clocksource 'tsc' unstable and runs on hpet",
          evidence: [`dmesg: ${WATCHDOG}`, 'current_clocksource: hpet; available: hpet acpi_pm'],
        },
      ],
    },
    {
      name: 'acpi_pm current while tsc is available: info',
      observations: () => [platform({ clocksource: { current: 'acpi_pm', available: ['tsc', 'hpet', 'acpi_pm'] } })],
      findings: [{ subject: 'this node', severity: 'info', title: 'acpi_pm although tsc is available', evidence: ['current_clocksource: acpi_pm'] }],
    },
  ],
});
