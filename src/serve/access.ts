/**
 * Whom `serve` answers, as chrony's `allow`: loopback always (a local probe; Linux drops 127/8 and ::1 sources
 * arriving on other interfaces, RFC 1122 §3.2.1.3), and the `--allow` prefixes. No `--allow` means loopback only:
 * chronyd serves nobody until `allow` names clients. A request from elsewhere is dropped without a reply (no
 * KoD DENY: an answer would tell a scanner that a server is there, and chronyd is silent too).
 */
import { formatPrefix, parseAddress, prefixContains, type Prefix } from '../net/ip.js';

const MAPPED_V4 = 0xffffn << 32n;

/** Family and value of a client address, an IPv4-mapped IPv6 address (::ffff:a.b.c.d) as the IPv4 host it is. */
function hostOf(address: string): { family: 4 | 6; value: bigint } | undefined {
  const a = parseAddress(address);
  if (a && a.family === 6 && a.value >> 32n === MAPPED_V4 >> 32n) return { family: 4, value: a.value & 0xffffffffn };
  return a;
}

export function isLoopbackHost(address: string): boolean {
  const a = hostOf(address);
  if (!a) return false;
  return a.family === 4 ? a.value >> 24n === 127n : a.value === 1n;
}

export class AccessList {
  /** Verdicts by address text: the check runs per request; a server sees few distinct clients (bounded anyway). */
  private readonly memo = new Map<string, boolean>();
  private static readonly MEMO_LIMIT = 4096;

  constructor(readonly allow: readonly Prefix[]) {}

  allows(address: string): boolean {
    const known = this.memo.get(address);
    if (known !== undefined) return known;
    const a = hostOf(address);
    const ok = a !== undefined && (isLoopbackHost(address) || this.allow.some((p) => prefixContains(p, a.family, a.value)));
    if (this.memo.size >= AccessList.MEMO_LIMIT) this.memo.clear();
    this.memo.set(address, ok);
    return ok;
  }

  /** "loopback only" or "loopback and 198.51.100.0/24, 2001:db8::/32" (every address for 0/0 and ::/0). */
  describe(): string {
    if (this.allow.length === 0) return 'loopback only';
    return `loopback and ${this.allow.map((p) => (p.length === 0 ? (p.family === 4 ? 'every IPv4 address' : 'every IPv6 address') : formatPrefix(p))).join(', ')}`;
  }
}
