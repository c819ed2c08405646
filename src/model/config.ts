/**
 * What the config parsers return: every directive with its file and line (unknown ones too, never fatal),
 * plus the directives the rules reason about, already split into fields. Pure data.
 */

/** One directive as written: keyword, arguments, where. */
export interface Directive {
  file: string;
  /** 1-based line number. */
  line: number;
  keyword: string;
  args: string[];
  /** The line as written, trimmed, comment removed. */
  text: string;
}

/** Where a fact comes from, for evidence: file, line, text. */
export interface Located {
  file: string;
  line: number;
  text: string;
}

/** ntpd reference clock pseudo-address 127.127.T.U (ntp_refclock(5)): driver type T (1 = local clock), unit U. */
export interface RefclockId {
  type: number;
  unit: number;
  /** ntpsec `refclock NAME` driver name, e.g. 'local'. */
  driver?: string;
}

/** A time source line: ntpd server/pool/peer/refclock, chrony server/pool/peer/refclock. */
export interface ConfigSource extends Located {
  directive: 'server' | 'pool' | 'peer' | 'refclock' | 'broadcast' | 'manycastclient';
  /** Host name or address as written (for refclocks: the pseudo-address or driver). */
  address: string;
  options: string[];
  /** Reference clock (ntpd 127.127.T.U or ntpsec/chrony `refclock`). */
  refclock?: RefclockId;
  /** Symmetric key id (ntpd `key N`, chrony `key N`). */
  key?: number;
  /**
   * chrony `port N` on a server/pool/peer line: the remote's UDP port (chrony.conf(5); default 123). ntpd and ntpsec
   * have no such option: their sources are always asked on 123.
   */
  port?: number;
  /** ntpsec `refclock local ... stratum N` inline. */
  stratum?: number;
  iburst: boolean;
  prefer: boolean;
  noselect: boolean;
  /** Addresses the name resolved to on this node (filled by the node inspection; a literal address is itself). */
  resolved?: string[];
}

export interface NtpFudge extends Located {
  address: string;
  refclock?: RefclockId;
  stratum?: number;
  refid?: string;
}

/** ntp_acc(5) restrict line. */
export interface NtpRestrict extends Located {
  /** 'default' (0.0.0.0/0 and ::/0), 'source' (ntpd ≥ 4.2.8 pool/server template), or an address. */
  address: string;
  mask?: string;
  /** `restrict -4` / `-6`, or the address's family; undefined for `default` without -4/-6 (both). */
  family?: 4 | 6;
  flags: string[];
}

export interface NtpdConfig {
  flavor: 'ntpd';
  /** The file named on the command line or found; every file read (includefile) in `files`. */
  file: string;
  files: string[];
  directives: Directive[];
  sources: ConfigSource[];
  fudges: NtpFudge[];
  restricts: NtpRestrict[];
  /** `tos orphan N` (ntp_misc(5)): serve as orphan parent at stratum N when no source is usable. */
  orphan?: Located & { stratum: number };
  /** `disable monitor` etc. (ntp_misc(5)). */
  disabled: Array<Located & { flag: string }>;
  enabled: Array<Located & { flag: string }>;
  keys?: Located & { path: string };
  trustedKeys: number[];
  /** `tinker panic 0` disables the 1000 s sanity check (ntp_misc(5)). */
  tinker: Array<Located & { name: string; value: number }>;
  interfaces: Located[];
  /** Keywords the parser does not know (kept, never fatal). */
  unknown: Directive[];
  /** Includes that could not be read (missing file, permission, cycle, not a regular file) and caps hit. */
  unreadable: UnreadEntry[];
}

/** chrony.conf(5) allow/deny (NTP service) or cmdallow/cmddeny (command port). */
export interface ChronyAccess extends Located {
  verb: 'allow' | 'deny';
  /** `allow all` / `deny all`: removes earlier directives for the subnet and everything inside it. */
  all: boolean;
  /** Subnet as written; undefined = every address (both families). */
  subnet?: string;
}

export interface ChronyConfig {
  flavor: 'chrony';
  file: string;
  files: string[];
  directives: Directive[];
  sources: ConfigSource[];
  access: ChronyAccess[];
  cmdAccess: ChronyAccess[];
  /** `local [stratum N] [orphan] ...`: serve the local clock when no source is usable. */
  local?: Located & { stratum: number; orphan: boolean };
  /** `makestep threshold limit`: step the clock when the offset is larger than threshold. */
  makestep?: Located & { threshold: number; limit: number };
  /** `port N` (0 = NTP server port closed). */
  port?: Located & { port: number };
  bindAddresses: Array<Located & { address: string }>;
  /** `cmdport N`: chronyc's UDP port (default 323; 0 = UDP command access off). */
  cmdPort?: number;
  /** `bindcmdaddress`: a path is the Unix command socket chronyc must use. */
  bindCmdAddresses: Array<Located & { address: string }>;
  unknown: Directive[];
  unreadable: UnreadEntry[];
}

export type TimeConfig = NtpdConfig | ChronyConfig;

/** A file read whole: its text, its identity (st_dev:st_ino, for include cycles) and its size. */
export interface FileRead {
  text: string;
  /** `dev:ino`; a reader without identities (tests) leaves it out and the path is used. */
  id?: string;
  bytes: number;
}

/** A directory's entry names, and whether the listing stopped at the cap. */
export interface DirRead {
  names: string[];
  truncated: boolean;
}

/** Something the loader could not read, or read only in part (a cap hit), and why. */
export interface UnreadEntry {
  file: string;
  reason: string;
  /** The include directive that named it (absent for the main file). */
  from?: Located;
}

/**
 * File access for the loaders: tests hand in a map, the CLI the bounded file system reader (read.ts).
 * readFile refuses what is not a regular file and anything over maxBytes (throws; `code` like errno).
 */
export interface ConfigReader {
  readFile(path: string, maxBytes: number): Promise<FileRead>;
  /** Entries of a directory (names only), at most maxEntries. */
  readdir(path: string, maxEntries: number): Promise<DirRead>;
}

/** timesyncd.conf(5)'s timespan settings (their compiled-in defaults: TIMESYNCD_DEFAULTS in src/inspect/config/timesyncd-conf.ts). */
export type TimesyncdSetting = 'rootDistanceMaxSec' | 'pollIntervalMinSec' | 'pollIntervalMaxSec' | 'connectionRetrySec' | 'saveIntervalSec';

/** A timespan setting: the value in effect and the line that set it (absent = compiled-in default). */
export interface TimesyncdValue {
  value: number;
  at?: Located;
}

export interface TimesyncdConfig {
  flavor: 'timesyncd';
  /** The main file (may not exist: every setting then has its default). */
  file: string;
  /** Files read, in the order timesyncd applies them. */
  files: string[];
  /** NTP= servers in effect (after resets), as ConfigSource so probes and rules treat them like any server line. */
  ntp: ConfigSource[];
  /** FallbackNTP= servers in effect; empty and `fallbackCompiledIn` = the distribution's built-in list. */
  fallback: ConfigSource[];
  /**
   * No non-empty FallbackNTP= was read, so the compiled-in list applies (Debian: 0-3.debian.pool.ntp.org).
   * Observed on systemd 252: an empty `FallbackNTP=` alone still leaves the compiled-in list in place.
   */
  fallbackCompiledIn: boolean;
  settings: Record<TimesyncdSetting, TimesyncdValue>;
  /** Values timesyncd rejects and replaces with its default (the warning it logs). */
  invalid: Array<Located & { why: string }>;
  /** Keys outside [Time] or unknown to timesyncd (ignored by it, with a warning). */
  unknown: Located[];
  unreadable: Array<{ file: string; reason: string }>;
}
