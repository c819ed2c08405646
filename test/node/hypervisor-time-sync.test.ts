/** hypervisor-time-sync: guest tools setting the clock beside a time daemon (rule tester cases). */
import rule from '../../rules/hypervisor-time-sync.js';
import { ruleTester } from '../rules/_tester.js';
import { daemon, daemons } from './_build.js';
import { platform } from './_clock.js';

const vmwareOn = () => platform({ virtualization: 'vmware', hypervisorSync: [{ tool: 'vmware-tools', enabled: true, evidence: 'vmtoolsd runs (pid 812); `vmware-toolbox-cmd timesync status`: Enabled', pid: 812 }] });

ruleTester.run('hypervisor-time-sync', rule, {
  valid: [
    { name: 'the periodic sync is Disabled', observations: () => [daemons([daemon('chronyd', 612, ['/usr/sbin/chronyd'])]), platform({ hypervisorSync: [{ tool: 'vmware-tools', enabled: false, evidence: 'Disabled' }] })] },
    { name: 'no daemon runs: the tools are the only master', observations: () => [daemons([]), vmwareOn()] },
  ],
  invalid: [
    {
      name: 'VMware Tools periodic sync enabled next to chronyd',
      observations: () => [daemons([daemon('chronyd', 612, ['/usr/sbin/chronyd'])]), vmwareOn()],
      findings: [
        {
          subject: 'this node',
          severity: 'warning',
          title: 'VMware Tools periodic time sync is enabled while a time daemon runs',
          evidence: ['`vmware-toolbox-cmd timesync status`: Enabled', 'Time daemon running: chronyd (pid 612)'],
        },
      ],
    },
    {
      name: 'the VMware setting unreadable: info',
      observations: () => [daemons([daemon('chronyd', 612, ['/usr/sbin/chronyd'])]), platform({ hypervisorSync: [{ tool: 'vmware-tools', enabled: undefined, evidence: 'vmtoolsd runs (pid 812)' }] })],
      findings: [{ subject: 'this node', severity: 'info', evidence: ['vmtoolsd runs (pid 812)'] }],
    },
  ],
});
