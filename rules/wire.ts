/**
 * The rules that judge what is seen on the wire: all that a capture alone can bring out (analyze, capture).
 * `analyze` loads these and no others (src/run/capture-file.ts): the rules that need the node's own
 * state (configs, daemons, firewall, kernel clock: ./index.ts) are half the rule code, and parsing code a run cannot
 * use is start-up time (docs/architecture.md, "Start-up and speed"). Some of these also read node evidence when a
 * diagnosis has it (self-sync, nts-ke-failure); none of ./index.ts's own can fire on a capture alone:
 * test/rules/wire.test.ts runs them on every capture fixture. Order is not rank: the engine ranks findings by
 * severity, priority, confidence, subject, then rule id (src/diagnose/engine.ts).
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
import noNtpSeen from './no-ntp-seen.js';
import noResponse from './no-response.js';
import ntsKeFailure from './nts-ke-failure.js';
import portUnreachable from './port-unreachable.js';
import rateLimited from './rate-limited.js';
import rootDistanceTooLarge from './root-distance-too-large.js';
import selfSync from './self-sync.js';
import serverUnsynchronized from './server-unsynchronized.js';
import sourcePortBlocked from './source-port-blocked.js';
import symmetricUnanswered from './symmetric-unanswered.js';

export const wireRules: Rule[] = [
  // Answers and silences: ICMP errors, no reply, what a reply says.
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
  // Issue 13: the wire as deployments speak it.
  ntsKeFailure,
  noNtpSeen,
  sourcePortBlocked,
  symmetricUnanswered,
];
