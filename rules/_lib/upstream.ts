/**
 * What a second (third, fourth) upstream can be: for a node that already reaches the Internet for time, the
 * distribution's own NTP Pool zone (what its stock config ships); for a node fed by a site-internal server, only
 * the admin knows which other internal server is independent of the first, so that is a step in words.
 */
import { parseAddress, parsePrefix, prefixContains, type Prefix } from '../../src/net/ip.js';
import type { ConfigSource } from '../../src/model/config.js';

/**
 * Addresses that are not on the public Internet: a source there is part of a site's own time hierarchy. Made on first
 * use: parsing the IPv6 prefixes compiles node:net's IPv6 regular expression, 14 ms of every start (--cpu-prof).
 */
let internal: Prefix[] | undefined;
function internalPrefixes(): Prefix[] {
  return (internal ??= [
    '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', // RFC 1918
    '100.64.0.0/10', // RFC 6598 shared (CGNAT) space
    '169.254.0.0/16', // link-local (cloud time services: 169.254.169.123)
    '127.0.0.0/8', '::1/128',
    'fc00::/7', // RFC 4193 unique local
    'fe80::/10', // link-local
  ].map((p) => parsePrefix(p)).filter((p): p is Prefix => p !== undefined));
}

/** Name suffixes only a site's own DNS answers (RFC 6762 .local, RFC 8375 home.arpa, common private ones). */
const INTERNAL_SUFFIXES = ['.local', '.lan', '.internal', '.intranet', '.localdomain', '.home.arpa', '.corp'];

/**
 * Is this source site-internal? By its addresses when known (the literal, or what the name resolved to on this
 * node), else by its name: one label, or a private suffix. A public-looking name that did not resolve counts as
 * public: its config line already expects Internet time.
 */
export function isInternalSource(s: Pick<ConfigSource, 'address' | 'resolved'>): boolean {
  const addresses = parseAddress(s.address) ? [s.address] : (s.resolved ?? []);
  const parsed = addresses.map((a) => parseAddress(a)).filter((a) => a !== undefined);
  if (parsed.length) return parsed.every((a) => internalPrefixes().some((p) => prefixContains(p, a.family, a.value)));
  const name = s.address.toLowerCase().replace(/\.$/, '');
  return !name.includes('.') || INTERNAL_SUFFIXES.some((x) => name.endsWith(x));
}

/**
 * The NTP Pool vendor zones of the distributions whose stock configs use them (CentOS/RHEL, Fedora, Debian,
 * Ubuntu, openSUSE, Arch). Anything else gets the global zone, as www.ntppool.org/en/use.html advises.
 */
const VENDOR_ZONES = new Map<string, string>(Object.entries({
  centos: 'centos.pool.ntp.org',
  rhel: 'rhel.pool.ntp.org',
  fedora: 'fedora.pool.ntp.org',
  debian: 'debian.pool.ntp.org',
  ubuntu: 'ubuntu.pool.ntp.org',
  opensuse: 'opensuse.pool.ntp.org',
  'opensuse-leap': 'opensuse.pool.ntp.org',
  'opensuse-tumbleweed': 'opensuse.pool.ntp.org',
  arch: 'arch.pool.ntp.org',
}));

/**
 * The pool zone for an os-release ID (exact: a derivative has no right to its parent's vendor zone). A Map: an ID
 * from the node (`constructor`, say) never reaches an object's prototype.
 */
export function poolZone(os: { id: string } | undefined): string {
  return (os && VENDOR_ZONES.get(os.id)) ?? 'pool.ntp.org';
}

/**
 * The lines that add the vendor's pool, as the distribution writes them: chrony and NTPsec take one `pool` line
 * (up to four servers, `2.` being the zone with IPv6 records); classic ntpd gets numbered `server` lines as
 * CentOS 7's stock ntp.conf has them (read by every ntpd version), three more making four sources.
 */
export function poolLines(zone: string, flavor: 'chrony' | 'ntpsec' | 'ntpd'): string[] {
  if (flavor === 'ntpd') return [0, 1, 2].map((n) => `server ${n}.${zone} iburst`);
  return [`pool 2.${zone} iburst`];
}
