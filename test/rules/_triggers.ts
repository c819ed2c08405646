/**
 * One triggering set of observations per rule id, for the meta-test (it runs every registered rule on its case
 * and checks the finding's shape). A rule added to rules/index.ts needs an entry here.
 */
import type { Observation } from '../../src/observe/types.js';
import { checksum, control, icmp, icmpPath, path, SERVER, seen, silentPath, stats } from './_build.js';
import { NODE_TRIGGERS } from '../node/_triggers.js';

export const TRIGGERS: Readonly<Record<string, () => Observation[]>> = {
  ...NODE_TRIGGERS,
  'firewall-reject': () => [icmpPath(icmp(3, 10, [2, 4]))],
  'port-unreachable': () => [icmpPath(icmp(3, 3, [2, 4]))],
  'host-unreachable': () => [icmpPath(icmp(3, 1, [2], '198.51.100.1'))],
  'no-response': () => [silentPath()],
  'server-unsynchronized': () => [path({ strata: [seen(16, [2])], leaps: [seen(3, [2])], refids: [seen('INIT', [2])] })],
  'kiss-of-death': () => [path({ strata: [seen(0, [2])], leaps: [seen(3, [2])], refids: [seen('DENY', [2])], kissCodes: [seen('DENY', [2])] })],
  'rate-limited': () => [path({ minRequestInterval: 1, strata: [seen(0, [2])], kissCodes: [seen('RATE', [2])] })],
  'root-distance-too-large': () => [path({ rootDistance: stats([7.947586, 7.947677]) })],
  'large-offset': () => [path({ offset: stats([31566952.609973], 31566952.609973) })],
  'bogus-reply': () => [path({ bogus: [seen('origin-mismatch', [4])] })],
  'checksum-offload-artifact': () => [checksum(), path()],
  'bad-checksum': () => [checksum({ sender: SERVER, sentByCaptureHost: false }), path()],
  'mode6-exposed': () => [control()],
  'self-sync': () => [path({ strata: [seen(16, [2])], refids: [seen(SERVER, [2])] })],
  'no-ntp-seen': () => [
    {
      kind: 'input', source: 'capture', file: 'pings.pcap', frames: 6, ntpFrames: 0, decodeIssues: { count: 0, frames: [] }, linkTypes: [1], interfaceNames: ['eth0'],
      traffic: { ipv4: 4, ipv6: 0, arp: 2, tcp: 0, udpOther: 0, udp123: 0, icmp: 4, icmp6: 0, other: 0, topAddresses: [{ address: '198.51.100.1', frames: 4 }] },
    },
  ],
  'source-port-blocked': () => [
    path({
      requests: { count: 6, frames: [1, 2, 3, 4, 5, 7] },
      unanswered: { count: 4, frames: [1, 2, 3, 4] },
      replies: { count: 2, frames: [6, 8] },
      requestClasses: { fromPort123: { requests: { count: 4, frames: [1, 2, 3, 4] }, unanswered: { count: 4, frames: [1, 2, 3, 4] }, replies: { count: 0, frames: [] }, firstTime: 1, lastTime: 25 } },
    }),
  ],
  'symmetric-unanswered': () => [
    path({
      client: { ip: '198.51.100.130', port: 123 },
      requests: { count: 6, frames: [1, 2, 3, 4, 5, 7] },
      unanswered: { count: 4, frames: [1, 2, 3, 4] },
      replies: { count: 2, frames: [6, 8] },
      requestClasses: { symmetric: { requests: { count: 4, frames: [1, 2, 3, 4] }, unanswered: { count: 4, frames: [1, 2, 3, 4] }, replies: { count: 0, frames: [] }, firstTime: 1, lastTime: 25 } },
    }),
  ],
  'capture-damaged': () => [
    path(),
    { kind: 'input', source: 'capture', file: 'cut.pcap', frames: 12, ntpFrames: 8, decodeIssues: { count: 0, frames: [] }, stop: { kind: 'truncated', offset: 2100, frame: 13, reason: 'file ends inside a record (40 of 106 bytes)' } },
  ],
};
