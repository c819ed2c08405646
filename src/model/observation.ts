/**
 * Observations: the typed facts every source (capture, probe, node inspection) is turned into. Rules read only
 * these, never raw bytes or shell output (facebook/time ntpcheck style: one result type, many diagnosers).
 */
import type { Endpoint, IcmpError, NtpExchange } from './exchange.js';

export type ObservationSource = 'capture' | 'probe' | 'config' | 'node' | 'daemon';

/** A few example frame numbers (the first ones) plus the total, so evidence stays small on huge captures. */
export interface FrameSample {
  count: number;
  frames: number[];
}

/**
 * The distinct source ports a client used towards one server, in order of first use: up to 8 by number, and how many
 * there were (`atLeast`: counting stopped there, on a path past the first 256 of a capture).
 */
export interface ClientPorts {
  count: number;
  ports: number[];
  atLeast?: boolean;
}

/** ICMP errors of one kind from one reporter on a path, counted (frames: the ICMP frames). */
export interface IcmpSeen extends FrameSample, Omit<IcmpError, 'frame'> {}

export interface ValueSeen<T> extends FrameSample {
  value: T;
}

export interface Stats {
  count: number;
  min: number;
  max: number;
  mean: number;
  /** Value of the lowest-delay sample (ntpd's clock filter picks it), when delays are known. */
  best?: number;
}

/**
 * Everything seen between one NTP client and one server (a "pair"): requests, replies, ICMP errors, silence.
 * Produced identically from a capture (frames) and from a probe (sample indexes).
 */
export interface NtpPathObservation {
  kind: 'ntp-path';
  source: 'capture' | 'probe';
  client: Endpoint;
  server: Endpoint;
  /** Which end the capture was taken on, when it can be told. */
  capturedAt: 'client' | 'server' | 'unknown';
  requests: FrameSample;
  /** Requests with neither reply nor ICMP error. */
  unanswered: FrameSample;
  /** Replies matched to a request (origin = request's transmit). */
  replies: FrameSample;
  icmp: IcmpSeen[];
  /** First and last request times (s since epoch) and the shortest interval between two requests (s). */
  firstRequestTime: number;
  lastRequestTime: number;
  minRequestInterval?: number;
  /** Per-field values seen in replies, with the frames that carried them. */
  strata: ValueSeen<number>[];
  leaps: ValueSeen<number>[];
  refids: ValueSeen<string>[];
  /** Kiss codes (stratum 0 replies), e.g. RATE, DENY, RSTR. */
  kissCodes: ValueSeen<string>[];
  /** Failed RFC 5905 §8 packet tests, by test name. */
  bogus: ValueSeen<string>[];
  rootDelay?: Stats;
  rootDispersion?: Stats;
  /** Root distance as a client computes it: rootDelay/2 + rootDispersion (RFC 5905 §11.2.1, without the peer terms). */
  rootDistance?: Stats;
  offset?: Stats;
  delay?: Stats;
  offsetMethod?: NtpExchange['offsetMethod'];
  /**
   * Age of the youngest reference time the replies carried: the smallest transmit − reference (s) of 0 or more,
   * among replies with both set (RFC 5905 §7.3). Small: the server set its clock moments ago.
   */
  referenceAge?: number;
  /** Replies that came after the client stopped getting answers: answered fraction in the first and second half. */
  answeredFirstHalf?: number;
  answeredSecondHalf?: number;
  /**
   * A bounded sample of the exchanges themselves, for evidence and renderers: the first few, the last few, and those
   * with a frame among a sample's examples (what evidence cites), in request order.
   */
  exchanges: NtpExchange[];
  /** Exchanges the path had in all (the sample above lists some); absent: as many as listed. */
  exchangeCount?: number;
  /** The client's distinct source ports (absent when not known, e.g. a hand-made observation: then client.port alone). */
  clientPorts?: ClientPorts;
  /**
   * Requests sent so shortly before the capture ended that their reply could have come after it (Correlator.end): neither
   * answered nor counted as unanswered. Absent when none.
   */
  pendingAtEnd?: FrameSample;
  /**
   * Mode 3 requests from source port 123 and mode 1 (symmetric active) requests, counted apart from the rest
   * (src/observe/request-classes.ts). Absent when the path had none.
   */
  requestClasses?: RequestClasses;
  /** NTS-protected exchanges (RFC 8915 §5) on the path: absent when no datagram carried NTS extension fields. */
  nts?: import('./nts-wire.js').NtsPathCounts;
}

/** UDP checksums on NTP traffic that failed verification, by sender. */
export interface ChecksumObservation {
  kind: 'udp-checksum';
  source: 'capture';
  /** Sender of the datagrams with bad checksums. */
  sender: string;
  bad: FrameSample;
  /** Datagrams from the same sender whose checksum verified. */
  good: number;
  /** The capture host sent these (SLL outgoing, --local-ip, or every bad one was sent by the same side that has only good incoming). */
  sentByCaptureHost: boolean | 'unknown';
  /** How sentByCaptureHost was decided. */
  basis: string;
}

/** Mode 6 (ntpq) or mode 7 (ntpdc/monlist) answers seen from a server. */
export interface ControlObservation {
  kind: 'ntp-control';
  source: 'capture' | 'probe';
  server: string;
  client: string;
  mode: 6 | 7;
  /** Requests and responses seen; `responseBytes/requestBytes` shows amplification. */
  requests: FrameSample;
  responses: FrameSample;
  requestBytes: number;
  responseBytes: number;
  /** Mode 7 request codes seen (42 = MON_GETLIST_1, monlist) / mode 6 opcodes. */
  codes: number[];
  /** Mode 6 read-variables (probe): a peer of the server whose source address is the server itself. */
  selfSource?: string;
  /** Mode 6 read-variables (probe): the server's system stratum and leap as it reports them. */
  systemStratum?: number;
  systemLeap?: number;
}

/** Facts about the input itself (a truncated file, decode failures), so the report can say what it could not see. */
export interface InputObservation {
  kind: 'input';
  source: 'capture';
  file: string;
  frames: number;
  ntpFrames: number;
  decodeIssues: FrameSample;
  stop?: { kind: 'truncated' | 'malformed'; offset: number; frame: number; reason: string };
  /** What the frames were, by protocol (src/observe/traffic.ts): says what was seen when no NTP was. */
  traffic?: TrafficCounts;
  /** Link types of the capture's interfaces, and their names where the file gives them (pcapng if_name). */
  linkTypes?: number[];
  interfaceNames?: string[];
}

/** The addresses this node owns (from interfaces or --local-ip). */
/** Counts by protocol, as plain data (an observation field; posted between threads). */
export interface TrafficCounts {
  ipv4: number;
  ipv6: number;
  arp: number;
  tcp: number;
  /** UDP with neither port 123. */
  udpOther: number;
  /** UDP with port 123 on either side (NTP or not, decoded or not). */
  udp123: number;
  icmp: number;
  icmp6: number;
  /** Frames of a link type or EtherType not counted above (LLDP, STP, a VLAN tag...). */
  other: number;
  /** The busiest IPv4 addresses (source or destination) of traffic other than UDP port 123, most frames first, at most TOP_ADDRESSES. */
  topAddresses: Array<{ address: string; frames: number }>;
}

export interface LocalAddressObservation {
  kind: 'local-addresses';
  source: 'node' | 'capture';
  addresses: string[];
}

/**
 * NTS key establishment with one server as a capture shows it (RFC 8915 §4, TCP 4460): the client's connections
 * (src/correlate/nts-ke.ts) and the verdict of the last one that came to something, with whether NTP followed
 * (src/observe/nts-ke.ts). One per client ↔ server:port.
 *   no-answer   SYN(s), nothing back: a firewall drops TCP 4460 (or the host is down);
 *   refused     RST answering the SYN: nothing listens on the port, or a REJECT rule;
 *   icmp        an ICMP error quoting the connection (a REJECT rule, no route);
 *   tls-alert   a TLS alert in clear (`alert` of the connection says which);
 *   reset-after-handshake  RST once the TLS handshake began (`resetBy`): the client rejecting the server's
 *               certificate (its flight is encrypted in TLS 1.3, so only the reset shows), or the server refusing;
 *   closed-without-ntp  KE completed and closed, but no NTP request to that server follows in the capture;
 *   ok          KE completed, then NTP requests to the same server;
 *   open        nothing decided when the capture ended.
 */
export interface NtsKeSessionObservation {
  kind: 'nts-ke-session';
  source: 'capture';
  client: string;
  server: string;
  port: number;
  outcome: 'no-answer' | 'refused' | 'icmp' | 'tls-alert' | 'reset-after-handshake' | 'closed-without-ntp' | 'ok' | 'open';
  resetBy?: 'client' | 'server';
  /** The connection the outcome is of (the last one decided), and all of this client's to this server, in order. */
  decisive?: import('./nts-wire.js').NtsKeConnection;
  connections: import('./nts-wire.js').NtsKeConnection[];
  /** NTP (UDP 123) requests from the client to the server in the capture, and when the last was sent (s). */
  ntpRequests: number;
  lastNtpRequestTime?: number;
  /** Connections to any server the tracker turned away (its cap), and their frames: absent when none. */
  untracked?: { connections: number; frames: number };
}

export type Observation =
  | NtpPathObservation
  | NtsKeSessionObservation
  | ChecksumObservation
  | ControlObservation
  | InputObservation
  | LocalAddressObservation
  | import('./node.js').NtpdConfigObservation
  | import('./node.js').ChronyConfigObservation
  | import('./node.js').FirewallObservation
  | import('./daemon.js').TimeDaemonsObservation
  | import('./daemon.js').DaemonStateObservation
  | import('./node.js').InspectionGapObservation
  | import('./node.js').ClockControlObservation
  | import('./node.js').KernelClockObservation
  | import('./daemon.js').NtsKeObservation
  | import('./node.js').TimesyncdConfigObservation
  | import('./node.js').PlatformClockObservation;

export type ObservationKind = Observation['kind'];
export type ObservationOf<K extends ObservationKind> = Extract<Observation, { kind: K }>;

/** Requests of one kind on one path, by outcome (ICMP-answered ones count in `requests` only), and when they went. */
export interface RequestClass {
  requests: FrameSample;
  unanswered: FrameSample;
  replies: FrameSample;
  /** Capture (or probe) time of the first and last request of the kind, s since the epoch. */
  firstTime: number;
  lastTime: number;
}

export interface RequestClasses {
  fromPort123?: RequestClass;
  symmetric?: RequestClass;
}
