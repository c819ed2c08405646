/**
 * Every rule, imported explicitly (the engine never imports rules/: the command that runs a diagnosis hands it
 * this list): the wire rules (./wire.ts, all that a capture needs) and those that judge the node's own state.
 * test/rules/meta.test.ts checks each rules/*.ts file is listed exactly once, here or in ./wire.ts.
 */
import type { Rule } from '../src/diagnose/types.js';
import { wireRules } from './wire.js';
// Node inspection (configs, firewall, daemons).
import chronyAllowMissing from './chrony-allow-missing.js';
import daemonNotRunning from './daemon-not-running.js';
import firewallBlocksNtp from './firewall-blocks-ntp.js';
import inspectionIncomplete from './inspection-incomplete.js';
import localClockMismatch from './local-clock-mismatch.js';
import localClockMissing from './local-clock-missing.js';
import makestepMissing from './makestep-missing.js';
import noqueryMissing from './noquery-missing.js';
import restrictBlocksClients from './restrict-blocks-clients.js';
import restrictNotrust from './restrict-notrust.js';
import singleUpstream from './single-upstream.js';
import sourceUnreachable from './source-unreachable.js';
import unknownDirective from './unknown-directive.js';
import noClockControl from './no-clock-control.js';
import kernelUnsynchronized from './kernel-unsynchronized.js';
import sourceRejected from './source-rejected.js';
import sourcesNotPolled from './sources-not-polled.js';
// The platform under the daemon (issue 12 item 7).
import clocksourceUnstable from './clocksource-unstable.js';
import hypervisorTimeSync from './hypervisor-time-sync.js';
import leapSmearMix from './leap-smear-mix.js';

export const rules: Rule[] = [
  // Packets and probes: ./wire.ts.
  ...wireRules,
  // Node inspection (configs, firewall, daemons).
  daemonNotRunning,
  firewallBlocksNtp,
  chronyAllowMissing,
  restrictNotrust,
  restrictBlocksClients,
  localClockMissing,
  sourceUnreachable,
  localClockMismatch,
  makestepMissing,
  noqueryMissing,
  singleUpstream,
  unknownDirective,
  inspectionIncomplete,
  noClockControl,
  kernelUnsynchronized,
  sourceRejected,
  sourcesNotPolled,
  hypervisorTimeSync,
  clocksourceUnstable,
  leapSmearMix,
];
