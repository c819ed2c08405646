/**
 * ntp.conf (classic ntpd 4.2.x and ntpsec): the directives ntpdoctor reasons about, split into fields.
 * References: ntp.conf(5), ntp_acc(5) (restrict), ntp_clock(5) (server/fudge, refclock), ntp_misc(5) (tos,
 * disable, tinker), ntp_auth(5) (keys, trustedkey); ntpsec ntp.conf(5) (refclock NAME ...).
 */
import { parseAddress } from '../../net/ip.js';
import { isKnownDirective } from './directives.js';
import type { ConfigSource, Directive, NtpdConfig, NtpFudge, NtpRestrict, RefclockId } from '../../model/config.js';

const SOURCE_KEYWORDS = new Set(['server', 'pool', 'peer', 'broadcast', 'manycastclient']);
/** ntpsec refclock driver names → classic driver type numbers (ntpsec docs/refclock.adoc). */
const NTPSEC_DRIVERS: Record<string, number> = {
  local: 1,
  spectracom: 4,
  truetime: 5,
  generic: 8,
  arbiter: 11,
  modem: 18,
  nmea: 20,
  pps: 22,
  hpgps: 26,
  shm: 28,
  trimble: 29,
  oncore: 30,
  jjy: 40,
  zyfer: 42,
  neoclock: 44,
  gpsd: 46,
};


/** 127.127.T.U → driver type and unit (ntp_clock(5)); anything else → undefined. */
export function refclockFromAddress(address: string): RefclockId | undefined {
  const m = /^127\.127\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (!m) return undefined;
  return { type: Number(m[1]), unit: Number(m[2]) };
}

function sourceFrom(d: Directive): ConfigSource | undefined {
  if (d.keyword === 'refclock') return ntpsecRefclock(d);
  const [address, ...options] = d.args;
  if (address === undefined) return undefined;
  // `server -4 host` / `-6`: the family flag precedes the address.
  let addr = address;
  let opts = options;
  if ((address === '-4' || address === '-6') && options.length > 0) {
    addr = options[0] as string;
    opts = options.slice(1);
  }
  const src: ConfigSource = {
    file: d.file,
    line: d.line,
    text: d.text,
    directive: d.keyword as ConfigSource['directive'],
    address: addr,
    options: opts,
    iburst: opts.includes('iburst'),
    prefer: opts.includes('prefer'),
    noselect: opts.includes('noselect'),
  };
  const refclock = refclockFromAddress(addr);
  if (refclock) src.refclock = refclock;
  const key = valueOf(opts, 'key');
  if (key !== undefined) src.key = key;
  return src;
}

/** ntpsec: `refclock local unit 0 stratum 10 refid LOCL` (ntpsec ntp.conf(5) "Reference Clock Support"). */
function ntpsecRefclock(d: Directive): ConfigSource | undefined {
  const [driver, ...opts] = d.args;
  if (driver === undefined) return undefined;
  const type = NTPSEC_DRIVERS[driver.toLowerCase()] ?? -1;
  const unit = valueOf(opts, 'unit') ?? 0;
  const src: ConfigSource = {
    file: d.file,
    line: d.line,
    text: d.text,
    directive: 'refclock',
    address: driver,
    options: opts,
    refclock: { type, unit, driver: driver.toLowerCase() },
    iburst: false,
    prefer: opts.includes('prefer'),
    noselect: opts.includes('noselect'),
  };
  const stratum = valueOf(opts, 'stratum');
  if (stratum !== undefined) src.stratum = stratum;
  return src;
}

function valueOf(opts: string[], name: string): number | undefined {
  const i = opts.indexOf(name);
  if (i < 0) return undefined;
  const n = Number(opts[i + 1]);
  return Number.isFinite(n) ? n : undefined;
}

function fudgeFrom(d: Directive): NtpFudge | undefined {
  const [address, ...opts] = d.args;
  if (address === undefined) return undefined;
  const f: NtpFudge = { file: d.file, line: d.line, text: d.text, address };
  const refclock = refclockFromAddress(address);
  if (refclock) f.refclock = refclock;
  const stratum = valueOf(opts, 'stratum');
  if (stratum !== undefined) f.stratum = stratum;
  const refidAt = opts.indexOf('refid');
  if (refidAt >= 0 && opts[refidAt + 1] !== undefined) f.refid = opts[refidAt + 1] as string;
  return f;
}

/**
 * `restrict [-4|-6] address [mask m] [flag ...]` (ntp_acc(5)); ntpsec also takes `address/len`.
 * `restrict source` (4.2.8) is the template for associations the daemon mobilizes itself.
 */
function restrictFrom(d: Directive): NtpRestrict | undefined {
  let args = d.args;
  let family: 4 | 6 | undefined;
  if (args[0] === '-4' || args[0] === '-6') {
    family = args[0] === '-4' ? 4 : 6;
    args = args.slice(1);
  }
  const [address, ...rest] = args;
  if (address === undefined) return undefined;
  let mask: string | undefined;
  let flags = rest;
  if (rest[0] === 'mask' && rest[1] !== undefined) {
    mask = rest[1];
    flags = rest.slice(2);
  }
  const r: NtpRestrict = { file: d.file, line: d.line, text: d.text, address, flags: flags.map((f) => f.toLowerCase()) };
  if (mask !== undefined) r.mask = mask;
  const parsed = parseAddress(address.split('/')[0] as string);
  if (parsed) r.family = parsed.family;
  else if (family !== undefined) r.family = family;
  return r;
}

/** Interprets the directives (includes already expanded, in order) of one ntp.conf. */
export function interpretNtpConf(file: string, files: string[], directives: Directive[]): NtpdConfig {
  const cfg: NtpdConfig = {
    flavor: 'ntpd',
    file,
    files,
    directives,
    sources: [],
    fudges: [],
    restricts: [],
    disabled: [],
    enabled: [],
    trustedKeys: [],
    tinker: [],
    interfaces: [],
    unknown: [],
    unreadable: [],
  };
  for (const d of directives) {
    const at = { file: d.file, line: d.line, text: d.text };
    if (SOURCE_KEYWORDS.has(d.keyword) || d.keyword === 'refclock') {
      const s = sourceFrom(d);
      if (s) cfg.sources.push(s);
    } else if (d.keyword === 'fudge') {
      const f = fudgeFrom(d);
      if (f) cfg.fudges.push(f);
    } else if (d.keyword === 'restrict') {
      const r = restrictFrom(d);
      if (r) cfg.restricts.push(r);
    } else if (d.keyword === 'tos') {
      const orphan = valueOf(d.args, 'orphan');
      if (orphan !== undefined) cfg.orphan = { ...at, stratum: orphan };
    } else if (d.keyword === 'disable' || d.keyword === 'enable') {
      const list = d.keyword === 'disable' ? cfg.disabled : cfg.enabled;
      for (const flag of d.args) list.push({ ...at, flag: flag.toLowerCase() });
    } else if (d.keyword === 'keys' && d.args[0] !== undefined) {
      cfg.keys = { ...at, path: d.args[0] };
    } else if (d.keyword === 'trustedkey') {
      for (const a of d.args) if (/^\d+$/.test(a)) cfg.trustedKeys.push(Number(a));
    } else if (d.keyword === 'tinker') {
      for (let i = 0; i + 1 < d.args.length; i += 2) {
        const value = Number(d.args[i + 1]);
        if (Number.isFinite(value)) cfg.tinker.push({ ...at, name: (d.args[i] as string).toLowerCase(), value });
      }
    } else if (d.keyword === 'interface' || d.keyword === 'nic') {
      cfg.interfaces.push(at);
    } else if (!isKnownDirective('ntpd', d.keyword)) {
      cfg.unknown.push(d);
    }
  }
  return cfg;
}
