/**
 * What the time daemons on this node are and report: processes, sources, state, authentication (NTS).
 * Split from ./node.ts, which holds the union of node observations.
 */
import type { Located } from './config.js';

export type TimeDaemonName = 'chronyd' | 'ntpd' | 'systemd-timesyncd' | 'openntpd';

export interface TimeDaemonProcess {
  name: TimeDaemonName;
  pid: number;
  argv: string[];
  /** 'ntpsec' when the binary is ntpsec's ntpd. */
  variant?: 'ntpd' | 'ntpsec';
  /** Config file from the command line (`-f` chronyd, `-c` ntpd), when given. */
  configPath?: string;
  /** Process start, Unix seconds (from /proc/PID/stat and the boot time). */
  startedAt?: number;
}

/** Which time daemons run in this node's network namespace. */
export interface TimeDaemonsObservation {
  kind: 'time-daemons';
  source: 'node';
  daemons: TimeDaemonProcess[];
  /** Unix seconds when looked. */
  at: number;
  /** False when some processes could not be inspected (the list may miss one). */
  complete: boolean;
  /** Config files found on disk where the daemons keep them. */
  configsOnDisk: string[];
  /** The distribution (os-release ID and ID_LIKE), for fixes that differ (service names, persistence). */
  os?: { id: string; like: string[] };
}

/** One source as the daemon sees it (chronyc sources / ntpq peers). */
export interface DaemonSource {
  address: string;
  /** Name as configured, when the daemon reports one. */
  name?: string;
  kind: 'server' | 'peer' | 'refclock' | 'other';
  /** chronyc state character (* + - ? x ~) or ntpq tally code (* + - x . # o space). */
  state: string;
  /** This source is the one the clock follows. */
  selected: boolean;
  stratum?: number;
  /** log2 seconds. */
  poll?: number;
  /** The 8-bit reach register (RFC 5905 §13: a 1 for each of the last 8 polls answered). */
  reach: number;
  /** Seconds since the last good sample; undefined = never. */
  lastRx?: number;
  /** Seconds. */
  offset?: number;
  delay?: number;
  /** ntpq jitter / chrony sourcestats standard deviation, seconds. */
  jitter?: number;
  /** chrony sourcestats NP: samples held. */
  samples?: number;
  refid?: string;
  /** chronyc sources "+/- error" (seconds): the source's error bound, root distance included. */
  error?: number;
  /** The daemon has no address for this source yet: chronyc `-a` lists it as ID#NNNNNNNNNN (name unresolved). */
  unresolved?: boolean;
  /** What the last replies looked like and which of the daemon's tests they failed (chronyc ntpdata, ntpq rv). */
  packets?: SourcePackets;
  /** chronyc selectdata (chrony 4.x): the selection state letter (d = distance, ~ = jitter, s = unsynchronised, …). */
  selection?: { state: string; authenticated: boolean; interval?: [number, number]; leap?: string };
  /** chronyc authdata: NTS / symmetric-key state, when asked. */
  auth?: DaemonSourceAuth;
  /**
   * Replies arrive but the daemon throws them away, and which check failed (read by `source-rejected`).
   * systemd-timesyncd: from its log, e.g. "Server has too large root distance. Disconnecting." →
   * { test: 'root-distance', limit: RootDistanceMaxSec (default 5 s) }.
   */
  rejected?: SourceRejection;
  /** Requests went unanswered, as the daemon logged it (timesyncd "Timed out waiting for reply from ADDR"). */
  noReply?: LoggedEvent;
  /** Unix seconds of the last reply the daemon accepted, when it says (timesyncd "Contacted time server"). */
  lastContact?: number;
  /**
   * False when the daemon keeps no reach register (systemd-timesyncd): `reach` is then derived from its log and
   * state (0xff = the source it syncs to, 0 = none accepted), not RFC 5905 §13's 8-poll shift register.
   */
  reachRegister?: boolean;
}

/** Something the daemon logged about a source, how often, and when last (Unix seconds, when the log says). */
export interface LoggedEvent {
  /** The daemon's own words (one instance, as logged). */
  message: string;
  count: number;
  lastAt?: number;
}

/** Which test threw a source's replies away. Neutral across daemons; limit/value in seconds. */
export interface SourceRejection extends LoggedEvent {
  /**
   * root-distance: RFC 5905 §11.2.1 (chrony maxdistance 3 s, ntpd MAXDIST 1.5 s, timesyncd RootDistanceMaxSec 5 s);
   * unsynchronized: leap 3 or stratum 0/≥16 (RFC 5905 §7.3); other: any other sanity check.
   */
  test: 'root-distance' | 'unsynchronized' | 'other';
  /** The daemon's threshold, when the test has one (timesyncd: RootDistanceMaxSec as configured). */
  limit?: number;
  /** The value that failed, when known (timesyncd's info-level log does not say it; a probe does). */
  value?: number;
  /** Where the limit comes from (the config line, or 'default'). */
  limitFrom?: Located | 'default';
}

/**
 * A source's last valid reply and the daemon's verdict on it. chrony: `chronyc ntpdata` (tests 1–3, 5–7, A–D of
 * ntp_core.c as bits; totals of RX / valid / good); ntpd: the peer variables (flash bits TEST1..TEST13, ntp.h).
 */
export interface SourcePackets {
  leap?: number;
  stratum?: number;
  /** Seconds, from the reply's header. */
  rootDelay?: number;
  rootDispersion?: number;
  authenticated?: boolean;
  /** chrony ntpdata: "111 111 1111" with the spaces removed; 1 = passed (test1, 2, 3, 5, 6, 7, A, B, C, D). */
  tests?: string;
  /** ntpd / ntpsec: the flash bits (0 = every test passed). */
  flash?: number;
  totalTx?: number;
  totalRx?: number;
  /** chrony: replies that passed tests 1–3 and 5 (valid_packet). */
  validRx?: number;
  /** chrony: replies that also passed 6, 7 and A–D (good_packet): usable samples. */
  goodRx?: number;
}

/** What the running daemon itself reports (chronyc, ntpd mode 6 / ntpq). */
export interface DaemonStateObservation {
  kind: 'daemon-state';
  source: 'daemon';
  daemon: 'chronyd' | 'ntpd' | 'systemd-timesyncd';
  /** How it was asked: 'chronyc -c -n sources', 'mode 6 READVAR', ... */
  via: string;
  /** Seconds since the daemon started, when known. */
  uptime?: number;
  sources: DaemonSource[];
  /** chronyd's journal lines about failed NTS-KE sessions (read only when a source uses NTS). */
  ntsLog?: NtsLogLine[];
  system?: {
    stratum: number;
    leap: number;
    refid: string;
    synchronized: boolean;
    /** Seconds; clock − reference as the daemon estimates it. */
    offset?: number;
    rootDelay?: number;
    rootDispersion?: number;
  };
  /** chronyc activity: how many sources are polled, offline, or still without an address (unresolved names). */
  activity?: { online: number; offline: number; burstOnline: number; burstOffline: number; unknownAddress: number };
  /** Selection limits in force (chrony.conf maxdistance / maxjitter, ntpd `tos maxdist`), seconds; defaults filled in. */
  limits?: { maxDistance: number; maxJitter?: number };
  /** systemd-timesyncd only: what it reports beyond sources (timedatectl, its log, its state files). */
  timesyncd?: TimesyncdState;
}

/** systemd-timesyncd's own state (timedatectl show-timesync / timesync-status, /run/systemd/timesync, journal). */
export interface TimesyncdState {
  /** The server it talks to now (ServerName / ServerAddress), when D-Bus answered. */
  serverName?: string;
  serverAddress?: string;
  /** Seconds: current poll interval, and the RootDistanceMaxSec in effect. */
  pollInterval?: number;
  rootDistanceMax?: number;
  /** Unix seconds of the first synchronisation since boot (/run/systemd/timesync/synchronized mtime). */
  synchronizedAt?: number;
  /** The kernel clock cannot be adjusted: "Failed to call clock_adjtime(): Operation not permitted" (no CAP_SYS_TIME). */
  adjtimeFailed?: LoggedEvent;
  /** Where each part came from: 'timedatectl show-timesync', 'journal', '/run/systemd/timesync/synchronized'. */
  from: string[];
}

/** chronyc authdata for one source (chronyc(1) authdata): the state of its NTS or symmetric-key authentication. */
export interface DaemonSourceAuth {
  /** '-' none, 'SK' symmetric key, 'NTS'. */
  mode: string;
  /** NTS: the key id of the current keys; 0 = no NTS-KE has completed yet. */
  keyId: number;
  /** NTS: the AEAD algorithm (15 = AEAD_AES_SIV_CMAC_256); 0 = none yet. */
  type: number;
  keyLength: number;
  /** Seconds since the last successful NTS-KE; undefined = never. */
  lastKe?: number;
  /** NTS-KE attempts since the last success. */
  attempts: number;
  /** NTS NAKs received since the last request (the server could not decrypt our cookie). */
  naks: number;
  /** Cookies held. */
  cookies: number;
  cookieLength: number;
  /** The name as configured (chronyc -N), when known. */
  name?: string;
}

/** What ntpdoctor's own NTS-KE probe (TCP, TLS 1.3, ALPN ntske/1, RFC 8915 §4) got from one server. */
export interface NtsKeObservation {
  kind: 'nts-ke';
  source: 'probe';
  address: string;
  port: number;
  /** The name the certificate must carry (the configured server name), when the source was given by name. */
  serverName?: string;
  /** Where the source is configured: 'file:line'. */
  from: string;
  /** Where it stopped: 'connect' (TCP), 'tls' (handshake, ALPN), 'certificate', 'ke' (records), or 'ok'. */
  stage: 'connect' | 'tls' | 'certificate' | 'ke' | 'ok';
  /** refused (TCP RST), timeout, unreachable (ICMP), reset (closed during TLS), tls (handshake failed), alpn, untrusted, expired, not-yet-valid, name-mismatch, ke-error, ok. */
  outcome: 'refused' | 'timeout' | 'unreachable' | 'reset' | 'tls' | 'alpn' | 'untrusted' | 'expired' | 'not-yet-valid' | 'name-mismatch' | 'ke-error' | 'ok';
  /** One line: the error as the OS / TLS library / server said it. */
  detail: string;
  /** Milliseconds from start to where it stopped. */
  ms: number;
  tlsVersion?: string;
  alpn?: string;
  certificate?: { subject: string; issuer: string; validFrom: string; validTo: string; altNames: string; selfSigned: boolean };
  /** This node's clock when the certificate was judged (Unix seconds): for not-yet-valid / expired. */
  checkedAt?: number;
  /** The CA files given to the check (chrony ntstrustedcerts, ntpsec `ca`), besides the system store unless excluded. */
  trust: { files: string[]; system: boolean; unreadable: string[] };
  /** Parsed NTS-KE response, when the exchange got that far. */
  response?: { cookies: number; cookieLength?: number; nextProtocols: number[]; aead: number[]; errors: string[]; warnings: number[]; server?: string; port?: number };
}

/** One chronyd log line about a failed NTS-KE session (src/inspect/daemon/nts-log.ts). */
export interface NtsLogLine {
  address: string;
  port: number;
  /** The configured name chronyd prints in parentheses. */
  name?: string;
  /** connect: "Could not connect to …"; tls / certificate: "TLS handshake with … failed"; timeout: "NTS-KE session with … timed out". */
  kind: 'connect' | 'tls' | 'certificate' | 'timeout';
  /** The line as logged (bounded). */
  text: string;
}
