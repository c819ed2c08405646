// test/lab/expected.ts — what each lab fixture is and must show. One entry per file in fixtures/ made by
// test/lab/make-fixtures.sh (how each was made: fixtures/README.md; the clients' own words:
// fixtures/<scenario>.client.txt).
//
// `expect` is the verdict `ntpdoctor analyze FILE --json` must give: the rule id of findings[0], or
// HEALTHY = no finding at warning or error. `packets` are checked on the capture with tshark (frames.ts),
// independently of ntpdoctor's decoder, so a fixture that stopped showing its fault fails loudly.
import { refidHex, type Frame } from './frames.js';

export const HEALTHY = 'healthy';
export const SERVER_V4 = '198.51.100.100';
export const CLIENT_V4 = '198.51.100.130';
export const SERVER_V6 = '2001:db8::100';
export const CLIENT_V6 = '2001:db8::130';

export interface PacketCheck {
  what: string;
  match: (frame: Frame) => boolean;
  min: number;
  max?: number;
}

/** Median of (NTP transmit timestamp − capture time) over the matching frames. */
export interface ClockCheck {
  what: string;
  match: (frame: Frame) => boolean;
  seconds: number;
  tolerance: number;
}

export interface LabFixture {
  /** File name in fixtures/. */
  file: string;
  /** make-fixtures.sh scenario that writes it. */
  scenario: string;
  /** Rule id expected first, or HEALTHY. */
  expect: string;
  /** Passed to analyze as --local-ip: the host the capture was taken on (where it matters). */
  localIp?: string;
  packets: PacketCheck[];
  clock?: ClockCheck;
}

const fromServer = (f: Frame): boolean => f.src === SERVER_V4 || f.src === SERVER_V6;
const fromClient = (f: Frame): boolean => f.src === CLIENT_V4 || f.src === CLIENT_V6;
const request = (f: Frame): boolean => f.ntp?.mode === 3;
const reply = (f: Frame): boolean => f.ntp?.mode === 4;
const icmp4 = (type: number, code: number) => (f: Frame): boolean =>
  f.icmp !== undefined && !f.icmp.v6 && f.icmp.type === type && f.icmp.code === code && fromServer(f);
const kiss = (code: string) => (f: Frame): boolean =>
  reply(f) && f.ntp?.stratum === 0 && f.ntp.leap === 3 && f.ntp.refid === refidHex(code);

const noReply: PacketCheck = { what: 'no NTP reply', match: reply, min: 0, max: 0 };
const noIcmp: PacketCheck = { what: 'no ICMP error', match: (f) => f.icmp !== undefined, min: 0, max: 0 };
const requests = (min: number): PacketCheck => ({ what: `>= ${min} client requests`, match: request, min });
const goodReplies = (stratum: number, min: number): PacketCheck => ({
  what: `>= ${min} synchronised replies at stratum ${stratum}`,
  match: (f) => reply(f) && f.ntp?.leap === 0 && f.ntp.stratum === stratum && f.ntp.rootDispersion < 1,
  min,
});
const allChecksumsGood: PacketCheck = {
  what: 'no bad UDP checksum',
  match: (f) => f.checksumOk === false,
  min: 0,
  max: 0,
};

const hostProhibited: PacketCheck[] = [
  { what: 'ICMP 3/10 host prohibited from node0', match: icmp4(3, 10), min: 2 },
  noReply,
  requests(2),
];
const portUnreachable: PacketCheck[] = [
  { what: 'ICMP 3/3 port unreachable from node0', match: icmp4(3, 3), min: 2 },
  noReply,
];
const healthyChrony: PacketCheck[] = [goodReplies(10, 6), noIcmp, allChecksumsGood];

export const LAB_FIXTURES: LabFixture[] = [
  { file: 'firewall-reject-hostprohib.pcap', scenario: 'firewall-reject-hostprohib', expect: 'firewall-reject', packets: hostProhibited },
  { file: 'firewall-reject-hostprohib.pcapng', scenario: 'firewall-reject-hostprohib', expect: 'firewall-reject', packets: hostProhibited },
  { file: 'firewall-reject-iptables.pcap', scenario: 'firewall-reject-iptables', expect: 'firewall-reject', packets: hostProhibited },
  {
    file: 'firewall-reject-adminprohib.pcap',
    scenario: 'firewall-reject-adminprohib',
    expect: 'firewall-reject',
    packets: [
      { what: 'ICMP 3/13 admin prohibited', match: icmp4(3, 13), min: 2 },
      {
        what: 'ICMPv6 1/1 administratively prohibited',
        match: (f) => f.icmp?.v6 === true && f.icmp.type === 1 && f.icmp.code === 1 && fromServer(f),
        min: 2,
      },
      noReply,
    ],
  },
  { file: 'firewall-drop.pcap', scenario: 'firewall-drop', expect: 'no-response', packets: [requests(3), noReply, noIcmp] },
  { file: 'no-daemon.pcap', scenario: 'no-daemon', expect: 'port-unreachable', packets: portUnreachable },
  { file: 'chrony-no-allow.pcap', scenario: 'chrony-no-allow', expect: 'port-unreachable', packets: portUnreachable },
  {
    file: 'self-sync.pcap',
    scenario: 'self-sync',
    // On the wire ntpd sends its stratum 16 as 0 with kiss code INIT (RFC 5905 §7.3 / Figure 13): not a KoD.
    expect: 'server-unsynchronized',
    packets: [
      { what: 'replies leap 3, stratum 0, refid INIT', match: kiss('INIT'), min: 2 },
      { what: 'no synchronised reply', match: (f) => reply(f) && f.ntp?.leap !== 3, min: 0, max: 0 },
    ],
  },
  {
    file: 'local-clock-healthy.pcap',
    scenario: 'local-clock-healthy',
    expect: HEALTHY,
    packets: [
      {
        what: 'stratum 11, refid 127.127.1.0, root dispersion < 0.1 s',
        match: (f) => reply(f) && f.ntp?.leap === 0 && f.ntp.stratum === 11 && f.ntp.refid === '7f7f0100' && f.ntp.rootDispersion < 0.1,
        min: 2,
      },
    ],
  },
  {
    file: 'local-clock-fresh.pcap',
    scenario: 'local-clock-fresh',
    // Root distance = root delay / 2 + root dispersion > MAXDIST 1.5 s (RFC 5905 §11.2.1).
    expect: 'root-distance-too-large',
    packets: [
      {
        what: 'stratum 11 replies with root dispersion > 1.5 s',
        match: (f) => reply(f) && f.ntp?.leap === 0 && f.ntp.stratum === 11 && f.ntp.rootDispersion > 1.5,
        min: 2,
      },
    ],
  },
  {
    file: 'local-clock-mismatch.pcap',
    scenario: 'local-clock-mismatch',
    // The packets look fine (stratum 6); only the config shows the fudge naming the wrong unit.
    expect: HEALTHY,
    packets: [
      {
        what: 'stratum 6 replies (local clock default stratum 5 + 1), refid 127.127.1.1',
        match: (f) => reply(f) && f.ntp?.stratum === 6 && f.ntp.refid === '7f7f0101',
        min: 2,
      },
    ],
  },
  { file: 'healthy-chrony.pcap', scenario: 'healthy-chrony', expect: HEALTHY, packets: healthyChrony },
  { file: 'healthy-chrony.pcapng', scenario: 'healthy-chrony', expect: HEALTHY, packets: healthyChrony },
  {
    file: 'healthy-chrony-any.pcap',
    scenario: 'healthy-chrony',
    expect: HEALTHY,
    packets: [
      ...healthyChrony,
      { what: 'Linux cooked v2 link layer (tcpdump -i any)', match: (f) => f.protocols.startsWith('sll:'), min: 1 },
    ],
  },
  { file: 'healthy-ntpd-client.pcap', scenario: 'healthy-ntpd-client', expect: HEALTHY, packets: [goodReplies(10, 4), requests(4), noIcmp] },
  {
    file: 'ipv6-healthy.pcap',
    scenario: 'ipv6-healthy',
    expect: HEALTHY,
    packets: [
      { what: '>= 6 replies from 2001:db8::100', match: (f) => reply(f) && f.src === SERVER_V6 && f.ntp?.leap === 0, min: 6 },
      { what: 'no IPv4 NTP', match: (f) => f.ntp !== undefined && f.src.includes('.'), min: 0, max: 0 },
      noIcmp,
    ],
  },
  {
    file: 'rate-limit-kod.pcap',
    scenario: 'rate-limit-kod',
    // KoD RATE is how ntpd says "rate limited": rate-limited explains kiss-of-death.
    expect: 'rate-limited',
    packets: [
      { what: 'KoD RATE (leap 3, stratum 0, refid RATE)', match: kiss('RATE'), min: 3 },
      { what: 'normal replies before the limit', match: (f) => reply(f) && f.ntp?.stratum === 11, min: 10 },
    ],
  },
  {
    file: 'rate-limit-chrony.pcap',
    scenario: 'rate-limit-chrony',
    expect: 'rate-limited',
    packets: [
      requests(13),
      { what: 'some replies, fewer than requests', match: reply, min: 2, max: 10 },
      { what: 'no KoD (chrony drops silently)', match: (f) => reply(f) && f.ntp?.stratum === 0, min: 0, max: 0 },
    ],
  },
  { file: 'restrict-notrust.pcap', scenario: 'restrict-notrust', expect: 'no-response', packets: [requests(2), noReply, noIcmp] },
  {
    file: 'server-hours-off.pcap',
    scenario: 'server-hours-off',
    expect: 'large-offset',
    packets: [goodReplies(10, 4)],
    clock: { what: "node0's transmit timestamps 3 h ahead", match: (f) => reply(f) && fromServer(f), seconds: 3 * 3600, tolerance: 5 },
  },
  {
    file: 'client-year-off.pcap',
    scenario: 'client-year-off',
    expect: 'large-offset',
    packets: [goodReplies(10, 2)],
    clock: { what: "the client's transmit timestamps 365 days behind", match: (f) => request(f) && fromClient(f), seconds: -365 * 86400, tolerance: 5 },
  },
  {
    file: 'checksum-offload.pcap',
    scenario: 'checksum-offload',
    expect: 'checksum-offload-artifact',
    localIp: CLIENT_V4,
    packets: [
      { what: 'bad UDP checksum on every request the client sent', match: (f) => request(f) && f.checksumOk === false, min: 3 },
      { what: 'good UDP checksum on every reply received', match: (f) => reply(f) && f.checksumOk === true, min: 3 },
      { what: 'no bad checksum on received packets', match: (f) => fromServer(f) && f.checksumOk === false, min: 0, max: 0 },
    ],
  },
  {
    file: 'checksum-offload-veth.pcap',
    scenario: 'checksum-offload-veth',
    // Bad on both directions, yet every request was answered: the receiver accepted it, so the checksum was
    // only "bad" in the capture (veth passes CHECKSUM_PARTIAL skbs through). Each bad value is the folded
    // pseudo-header sum (0x5597 here), the offload signature; real corruption gives arbitrary values.
    expect: 'checksum-offload-artifact',
    localIp: CLIENT_V4,
    packets: [
      { what: 'bad UDP checksum on requests', match: (f) => request(f) && f.checksumOk === false, min: 3 },
      { what: 'bad UDP checksum on replies too', match: (f) => reply(f) && f.checksumOk === false, min: 3 },
    ],
  },
  {
    file: 'checksum-offload-off.pcap',
    scenario: 'checksum-offload-off',
    expect: HEALTHY,
    localIp: CLIENT_V4,
    packets: [allChecksumsGood, { what: 'checksums verified good', match: (f) => f.checksumOk === true, min: 6 }],
  },
  {
    file: 'mode6-exposed.pcap',
    scenario: 'mode6-exposed',
    expect: 'mode6-exposed',
    packets: [
      { what: 'mode 6 responses from node0', match: (f) => f.ntp?.mode === 6 && fromServer(f), min: 2 },
      { what: 'mode 6 requests from the client', match: (f) => f.ntp?.mode === 6 && fromClient(f), min: 2 },
    ],
  },
];
