/**
 * Every rule, imported explicitly (the engine never imports rules/: the command that runs a diagnosis hands it
 * this list). test/rules/meta.test.ts checks each rules/*.ts file appears here exactly once.
 */
import type { Rule } from '../src/diagnose/types.js';
import badChecksum from './bad-checksum.js';
import bogusReply from './bogus-reply.js';
import captureDamaged from './capture-damaged.js';
import checksumOffloadArtifact from './checksum-offload-artifact.js';
import firewallReject from './firewall-reject.js';
import hostUnreachable from './host-unreachable.js';
import kissOfDeath from './kiss-of-death.js';
import largeOffset from './large-offset.js';
import mode6Exposed from './mode6-exposed.js';
import noResponse from './no-response.js';
import portUnreachable from './port-unreachable.js';
import rateLimited from './rate-limited.js';
import rootDistanceTooLarge from './root-distance-too-large.js';
import selfSync from './self-sync.js';
import serverUnsynchronized from './server-unsynchronized.js';
// Node inspection (configs, firewall, daemons).
import chronyAllowMissing from './chrony-allow-missing.js';
import daemonNotRunning from './daemon-not-running.js';
import firewallBlocksNtp from './firewall-blocks-ntp.js';
import inspectionIncomplete from './inspection-incomplete.js';
import ntsKeFailure from './nts-ke-failure.js';
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
import noNtpSeen from './no-ntp-seen.js';
// Issue 13: the wire as deployments speak it.
import sourcePortBlocked from './source-port-blocked.js';
import symmetricUnanswered from './symmetric-unanswered.js';

export const rules: Rule[] = [
  // Packets and probes.
  firewallReject,
  portUnreachable,
  hostUnreachable,
  noResponse,
  serverUnsynchronized,
  kissOfDeath,
  rateLimited,
  rootDistanceTooLarge,
  largeOffset,
  bogusReply,
  checksumOffloadArtifact,
  badChecksum,
  mode6Exposed,
  selfSync,
  captureDamaged,
  // Node inspection (configs, firewall, daemons).
  daemonNotRunning,
  firewallBlocksNtp,
  chronyAllowMissing,
  restrictNotrust,
  restrictBlocksClients,
  localClockMissing,
  sourceUnreachable,
  ntsKeFailure,
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
  noNtpSeen,
  sourcePortBlocked,
  symmetricUnanswered,
];
