/**
 * What a capture held besides NTP, counted cheaply in the per-frame loop (src/correlate/records.ts): a few integer
 * increments per frame and no allocation, so that when no NTP was seen (rules/no-ntp-seen.ts) the report can say
 * what was seen instead — the usual cause is a capture on the wrong interface or with the wrong filter.
 * The headers are the locator's (src/decode/locate.ts): VLAN-tagged and BSD-loopback frames count by their IP.
 * IPv4 addresses are kept as numbers in a fixed table (the first 384 distinct ones); IPv6 ones are only counted.
 */
import { readU16 } from '../ntp/wire.js';
import type { TrafficCounts } from '../model/observation.js';
import { ETHERTYPE_ARP, IP_SHORT, LINK_NOT_IP, Located, locate } from '../decode/locate.js';

const ADDRESS_BITS = 9;
const ADDRESS_SLOTS = 1 << ADDRESS_BITS;
const TOP_ADDRESSES = 5;
/** count()'s locator record, reused. */
const located = new Located();

export class TrafficCounter {
  ipv4 = 0;
  ipv6 = 0;
  arp = 0;
  tcp = 0;
  udpOther = 0;
  udp123 = 0;
  icmp = 0;
  icmp6 = 0;
  other = 0;
  /**
   * IPv4 address → frames, an open-addressing table of ADDRESS_SLOTS (a Map costs a hash lookup and, past the smi
   * range, a heap number per frame). Once full it takes no new address: a scan cannot grow it.
   */
  private readonly keys = new Int32Array(ADDRESS_SLOTS);
  private readonly hits = new Float64Array(ADDRESS_SLOTS);
  private readonly used = new Uint8Array(ADDRESS_SLOTS);
  private size = 0;

  /** A frame the NTP fast path decoded (src/decode/time-frame.ts: IPv4 or IPv6, UDP port 123): what count() would add. */
  ntpFrame(ipVersion: 4 | 6): void {
    if (ipVersion === 4) this.ipv4++;
    else this.ipv6++;
    this.udp123++;
  }

  /** One frame b[start, end) of `linkType`. Cuts and odd headers count as `other`: this only describes. */
  count(b: Uint8Array, start: number, end: number, linkType: number): void {
    locate(b, start, end, linkType, located);
    this.countLocated(b, end, located);
  }

  /** count() for a frame the caller has located already (src/decode/locate.ts): no second walk of its headers. */
  countLocated(b: Uint8Array, end: number, h: Located): void {
    if (h.ipAt < 0) {
      if (h.link === LINK_NOT_IP && h.failValue === ETHERTYPE_ARP) this.arp++;
      else this.other++;
      return;
    }
    const ip = h.ipAt;
    if (h.version === 4 && h.ip !== IP_SHORT) {
      this.ipv4++;
      // Port 123 traffic is NTP's own, counted above and judged elsewhere: the addresses are those of everything else
      // (and the NTP-heavy frame loop is spared the table).
      if (this.transport(h.protocol, b, h.l4At, end, false)) return;
      this.address(((b[ip + 12] as number) << 24) | ((b[ip + 13] as number) << 16) | ((b[ip + 14] as number) << 8) | (b[ip + 15] as number));
      this.address(((b[ip + 16] as number) << 24) | ((b[ip + 17] as number) << 16) | ((b[ip + 18] as number) << 8) | (b[ip + 19] as number));
    } else if (h.version === 6 && h.ip !== IP_SHORT) {
      this.ipv6++;
      // The first next header only: extension headers count as `other` (rare on a capture that matters here).
      this.transport(h.protocol, b, ip + 40, end, true);
    } else {
      this.other++;
    }
  }

  /** Counts the transport; true for UDP port 123. */
  private transport(protocol: number, b: Uint8Array, at: number, end: number, v6: boolean): boolean {
    if (protocol === 17) {
      if (end - at >= 4 && (readU16(b, at) === 123 || readU16(b, at + 2) === 123)) {
        this.udp123++;
        return true;
      }
      this.udpOther++;
    } else if (protocol === 6) this.tcp++;
    else if (protocol === 1 && !v6) this.icmp++;
    else if (protocol === 58 && v6) this.icmp6++;
    else this.other++;
    return false;
  }

  private address(a: number): void {
    let i = Math.imul(a, 0x9e3779b1) >>> (32 - ADDRESS_BITS);
    for (let probe = 0; probe < ADDRESS_SLOTS; probe++) {
      if (this.used[i] === 0) {
        // Leave a quarter free so that probes stay short.
        if (this.size >= (ADDRESS_SLOTS * 3) / 4) return;
        this.used[i] = 1;
        this.keys[i] = a;
        this.hits[i] = 1;
        this.size++;
        return;
      }
      if (this.keys[i] === a) {
        this.hits[i] = (this.hits[i] as number) + 1;
        return;
      }
      i = (i + 1) & (ADDRESS_SLOTS - 1);
    }
  }

  counts(): TrafficCounts {
    const all: Array<[number, number]> = [];
    for (let i = 0; i < ADDRESS_SLOTS; i++) if (this.used[i] === 1) all.push([this.keys[i] as number, this.hits[i] as number]);
    const top = all.sort((x, y) => y[1] - x[1] || (x[0] >>> 0) - (y[0] >>> 0)).slice(0, TOP_ADDRESSES);
    return {
      ipv4: this.ipv4,
      ipv6: this.ipv6,
      arp: this.arp,
      tcp: this.tcp,
      udpOther: this.udpOther,
      udp123: this.udp123,
      icmp: this.icmp,
      icmp6: this.icmp6,
      other: this.other,
      topAddresses: top.map(([a, frames]) => ({ address: [a >>> 24, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff].join('.'), frames })),
    };
  }
}
